package dmtcp.ckpt.process.api;

import dmtcp.image.format.spi.StreamCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Restoring ahead of the restart round. dmtcp_restart calls {@link #begin} as soon as its
 * images passed {@link RestartCheck}, before the OSGi framework starts, so rebuilding the
 * processes (reading, decompressing and writing their memory) overlaps the runtime's
 * start instead of following it. The rebuilt processes are held stopped: none runs before
 * the restart round's RESTARTING stage, where the process plugin {@linkplain #take takes}
 * them and lets them run. What is not taken is {@linkplain #abandonAll abandoned} (killed;
 * it never ran) when the plugin stops, so a restart the coordinator refuses leaves
 * nothing behind.
 */
public final class EarlyRestore {
    private EarlyRestore() {}

    /** Guarded by itself; insertion order = the order the images were given. */
    private static final Map<Path, CompletableFuture<ProcessImages.Held>> PENDING = new LinkedHashMap<>();

    /**
     * Starts rebuilding the processes of {@code images}, one after the other, on a
     * background thread; returns at once. Plain types, as the launcher calls it by reflection.
     *
     * @param codecs {@link StreamCodec}s to decode with (closed afterwards when they are
     *     {@link AutoCloseable})
     */
    public static void begin(String[] images, Object[] codecs) {
        Map<String, StreamCodec> byName = new LinkedHashMap<>();
        for (Object c : codecs) {
            StreamCodec sc = (StreamCodec) c;
            byName.putIfAbsent(sc.name(), sc);
        }
        Map<Path, CompletableFuture<ProcessImages.Held>> mine = new LinkedHashMap<>();
        synchronized (PENDING) {
            for (String i : images) {
                Path p = Path.of(i);
                CompletableFuture<ProcessImages.Held> f = new CompletableFuture<>();
                if (PENDING.putIfAbsent(p, f) == null) {
                    mine.put(p, f);
                }
            }
        }
        Thread t = new Thread(() -> {
            for (Map.Entry<Path, CompletableFuture<ProcessImages.Held>> e : mine.entrySet()) {
                try {
                    e.getValue().complete(ProcessImages.prepare(e.getKey(), byName));
                } catch (IOException | RuntimeException | Error x) {
                    e.getValue().completeExceptionally(x);
                }
            }
            for (StreamCodec c : byName.values()) {
                if (c instanceof AutoCloseable a) {
                    try {
                        a.close();
                    } catch (Exception ignored) {
                        // only its threads remain, and they are daemons
                    }
                }
            }
        }, "dmtcp-early-restore");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The process rebuilt ahead for {@code image}, waiting for it to be built; null when
     * none was begun for it. The caller releases or abandons it.
     *
     * @throws IOException the early restore's failure (the half-built process is gone)
     */
    public static ProcessImages.Held take(Path image) throws IOException, InterruptedException {
        CompletableFuture<ProcessImages.Held> f;
        synchronized (PENDING) {
            f = PENDING.remove(image);
        }
        if (f == null) {
            return null;
        }
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error er) {
                throw er;
            }
            throw new IOException(c);
        }
    }

    /** Kills every process rebuilt ahead and not taken (waiting for builds in progress). */
    public static void abandonAll() {
        Map<Path, CompletableFuture<ProcessImages.Held>> left;
        synchronized (PENDING) {
            left = new LinkedHashMap<>(PENDING);
            PENDING.clear();
        }
        for (CompletableFuture<ProcessImages.Held> f : left.values()) {
            try {
                f.join().abandon();
            } catch (RuntimeException e) {
                // its build failed: nothing of it is left
            }
        }
    }
}
