package dmtcp.compress.gzip.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Cuts what is written into blocks, deflates the blocks on a pool, and writes each as one
 * gzip member, in order. Concatenated members are one valid gzip file.
 *
 * <p>The writer's thread fills a block, submits it, and writes finished members to the
 * underlying stream itself, so a failing write (disk full) is thrown from {@code write},
 * {@code flush} or {@code close} of this stream. A stream owns at most
 * {@link GzipSettings#maxInFlight()} encoders (each one block in, one member out); when all
 * are queued or compressing, the writer waits for the oldest: memory stays bounded.
 *
 * <p>Not thread-safe, like any OutputStream.
 */
final class ParallelGzipOutputStream extends OutputStream {
    private final OutputStream out;
    private final ExecutorService pool;
    private final GzipSettings settings;
    /** Submitted blocks, oldest first: their members are written in this order. */
    private final ArrayDeque<Future<MemberEncoder>> inFlight = new ArrayDeque<>();
    private final ArrayDeque<MemberEncoder> idle = new ArrayDeque<>();
    private int encoders;
    private MemberEncoder current;
    private boolean wroteMember;
    private boolean closed;
    private IOException failure;
    private long bytesIn;
    private long bytesOut;
    private long storedBytes;

    private final Runnable onClose;

    ParallelGzipOutputStream(OutputStream out, ExecutorService pool, GzipSettings settings, Runnable onClose) {
        this.out = out;
        this.pool = pool;
        this.settings = settings;
        this.onClose = onClose;
    }

    @Override
    public void write(int b) throws IOException {
        MemberEncoder block = block();
        block.in[block.length++] = (byte) b;
        bytesIn++;
        if (block.length == block.in.length) {
            submit();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            MemberEncoder block = block();
            int n = Math.min(len, block.in.length - block.length);
            System.arraycopy(b, off, block.in, block.length, n);
            block.length += n;
            bytesIn += n;
            off += n;
            len -= n;
            if (block.length == block.in.length) {
                submit();
            }
        }
    }

    /** Ends the current block early, writes every member so far, and flushes. */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        if (current != null && current.length > 0) {
            submit();
        }
        drain(0);
        guard(out::flush);
    }

    /**
     * Writes the last block (an empty member if nothing was written: an empty gzip file is
     * not valid gzip), waits for all members, and closes the underlying stream. Idempotent;
     * rethrows an earlier failure so that no error is lost.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        IOException earlier = failure;
        IOException error = earlier;
        try {
            if (error == null) {
                if (!wroteMember && inFlight.isEmpty()) {
                    block(); // nothing written at all: one empty member
                }
                if (current != null && (current.length > 0 || !wroteMember && inFlight.isEmpty())) {
                    submit();
                }
                drain(0);
                guard(out::flush);
            }
        } catch (IOException e) {
            error = e;
        } finally {
            closed = true;
            onClose.run();
            for (Future<MemberEncoder> f : inFlight) {
                f.cancel(false);
            }
            // An encoder still compressing is not ended: its deflater is freed by its cleaner.
            inFlight.clear();
            idle.forEach(MemberEncoder::end);
            idle.clear();
            if (current != null) {
                current.end();
                current = null;
            }
            try {
                out.close();
            } catch (IOException e) {
                if (error == null) {
                    error = e;
                } else if (error != e) {
                    error.addSuppressed(e);
                }
            }
        }
        if (error != null) {
            throw error == earlier ? new IOException("gzip stream failed earlier: " + error.getMessage(), error)
                    : error;
        }
    }

    long bytesIn() {
        return bytesIn;
    }

    long bytesOut() {
        return bytesOut;
    }

    /** Input bytes written as stored deflate blocks (incompressible). */
    long storedBytes() {
        return storedBytes;
    }

    private MemberEncoder block() throws IOException {
        ensureOpen();
        if (current == null) {
            if (idle.isEmpty() && encoders >= settings.maxInFlight()) {
                drain(settings.maxInFlight() - 1); // back-pressure: wait for the oldest block
            }
            if (idle.isEmpty()) {
                encoders++;
                current = new MemberEncoder(settings);
            } else {
                current = idle.poll();
            }
            current.length = 0;
        }
        return current;
    }

    private void submit() throws IOException {
        MemberEncoder block = current;
        current = null;
        try {
            inFlight.add(pool.submit(block::encode));
        } catch (RejectedExecutionException e) {
            block.end();
            throw fail(new IOException("gzip codec's thread pool is shut down", e));
        }
        // Write what is already done, without waiting, to keep the pipeline short.
        while (!inFlight.isEmpty() && inFlight.peek().isDone()) {
            writeOldest();
        }
    }

    /** Writes members, oldest first, until at most {@code remaining} blocks are in flight. */
    private void drain(int remaining) throws IOException {
        while (inFlight.size() > remaining) {
            writeOldest();
        }
    }

    private void writeOldest() throws IOException {
        MemberEncoder done;
        try {
            done = inFlight.peek().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(new InterruptedIOException("interrupted while waiting for a gzip block"));
        } catch (ExecutionException | CancellationException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw fail(new IOException("gzip block compression failed: " + cause, cause));
        }
        inFlight.poll();
        guard(() -> out.write(done.member(), 0, done.memberLength()));
        bytesOut += done.memberLength();
        storedBytes += done.storedBytes;
        wroteMember = true;
        idle.add(done);
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private void guard(IoAction action) throws IOException {
        try {
            action.run();
        } catch (IOException e) {
            throw fail(e);
        } catch (RuntimeException e) {
            throw fail(new IOException(e.toString(), e));
        }
    }

    private IOException fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("gzip stream is closed");
        }
        if (failure != null) {
            throw new IOException("gzip stream failed earlier: " + failure.getMessage(), failure);
        }
    }
}
