package dmtcp.compress.gzip.internal;

import dmtcp.image.format.spi.StreamCodec;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The parallel gzip codec without OSGi: one pool of {@link GzipSettings#threads()} daemon
 * threads shared by every stream it opens. {@link #close()} refuses new streams and shuts
 * the pool down once the last open stream is closed, so a reconfiguration (the component is
 * deactivated and activated again) never breaks a checkpoint being written. The DS component
 * {@link GzipCodecComponent} owns one. Code that runs before the framework starts
 * (dmtcp_restart decodes its images while the runtime boots) makes one with the default
 * settings through {@link java.util.ServiceLoader}: {@code META-INF/services} names this
 * class; whoever made it closes it once its streams are closed.
 */
public final class GzipCodec implements StreamCodec, AutoCloseable {
    public static final String NAME = "gzip";
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final GzipSettings settings;
    private final ExecutorService pool;
    private final String threadPrefix;
    /** Encode streams not yet closed; guarded by this. */
    private int openStreams;
    /** Set by {@link #close()}; guarded by this. */
    private boolean closed;

    /** The default settings (one thread per core): for {@link java.util.ServiceLoader}. */
    public GzipCodec() {
        this(GzipSettings.defaults());
    }

    public GzipCodec(GzipSettings settings) {
        this.settings = settings;
        this.threadPrefix = "dmtcp-gzip-" + POOLS.incrementAndGet() + "-";
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, threadPrefix + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        // Unbounded queue: each stream bounds its own blocks in flight.
        this.pool = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), factory);
    }

    public GzipSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized OutputStream encode(OutputStream out) throws IOException {
        if (closed) {
            throw new IOException("gzip codec is closed (its component was deactivated)");
        }
        openStreams++;
        return new ParallelGzipOutputStream(out, pool, settings, this::streamClosed);
    }

    private synchronized void streamClosed() {
        if (--openStreams == 0 && closed) {
            pool.shutdown();
        }
    }

    /**
     * Reads concatenated gzip members: this codec's in parallel, from the first foreign
     * member on (any gzip file) sequentially.
     */
    @Override
    public InputStream decode(InputStream in) throws IOException {
        return new ParallelGzipInputStream(new BufferedInputStream(in, 1 << 16), pool, settings.maxInFlight(),
                GzipCodec::sequential);
    }

    /** Any gzip file, members one after the other (Commons Compress; unlike GZIPInputStream
     * it does not stop at a member boundary when the source's available() is 0). */
    static InputStream sequential(InputStream in) throws IOException {
        return new GzipCompressorInputStream(in, true);
    }

    /**
     * Runs one small block of each kind (deflated, stored) through an encoder and back, in
     * the background at the lowest priority: the first checkpoint then does not pay for
     * loading the codec's classes, starting its pool and interpreting its first blocks.
     */
    void warmUp() {
        Thread t = new Thread(() -> {
            byte[] block = new byte[256 << 10];
            new java.util.Random(1).nextBytes(block);
            java.util.Arrays.fill(block, 0, block.length / 2, (byte) 'x');
            try {
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                try (OutputStream out = encode(bytes)) {
                    out.write(block);
                }
                try (InputStream in = decode(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
                    in.readAllBytes();
                }
            } catch (IOException e) {
                // closed meanwhile: nothing to warm
            }
        }, threadPrefix + "warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** Refuses new streams; the pool ends when the streams still open are closed. */
    @Override
    public synchronized void close() {
        closed = true;
        if (openStreams == 0) {
            pool.shutdown();
        }
    }

    /** Names of this codec's pool threads start with this. */
    String threadPrefix() {
        return threadPrefix;
    }

    /** True once every pool thread has ended (for tests of thread leaks). */
    boolean awaitTermination(long millis) throws InterruptedException {
        return pool.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }
}
