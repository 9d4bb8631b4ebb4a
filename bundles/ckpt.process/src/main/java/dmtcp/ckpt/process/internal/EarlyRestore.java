package dmtcp.ckpt.process.internal;

import dmtcp.ckpt.process.api.ProcessImages;
import dmtcp.image.format.spi.StreamCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Restoring ahead of the restart round. dmtcp_restart {@linkplain #begin begins} as soon as
 * its images passed the checks ({@link RestartCheck}), before the OSGi framework starts, so
 * rebuilding the processes (reading, decompressing and writing their memory) overlaps the
 * runtime's start instead of following it. Only their memory is rebuilt ahead (the resource
 * handlers are services, not there yet); the processes are held stopped: none runs before
 * the restart round, whose process plugin {@linkplain #take takes} them at RESTARTING,
 * finishes them (fds, threads, timers) and lets them run at RUNNING. What is not taken is {@linkplain #abandonAll
 * abandoned} (killed; it never ran) when the plugin stops, so a restart the coordinator
 * refuses leaves nothing behind. One per runtime, in its {@link Programs}.
 */
final class EarlyRestore {

    /** Guarded by itself; insertion order = the order the images were given. */
    private final Map<Path, CompletableFuture<ProcessImages.Held>> pending = new LinkedHashMap<>();

    /**
     * Starts rebuilding the processes of {@code images}, one after the other, on a
     * background thread; returns at once.
     *
     * @param codecs the codecs to decode with (closed afterwards when they are {@link AutoCloseable})
     */
    void begin(List<Path> images, List<StreamCodec> codecs) {
        begin(images, codecs, (dmtcp.ckpt.process.internal.task.Stub.Into) null);
    }

    /** As {@link #begin(List, List)}, the one image's process rebuilt in {@code into} (the agent's client). */
    void begin(List<Path> images, List<StreamCodec> codecs, dmtcp.ckpt.process.internal.task.Stub.Into into) {
        Map<String, StreamCodec> byName = new LinkedHashMap<>();
        for (StreamCodec c : codecs) {
            byName.putIfAbsent(c.name(), c);
        }
        Map<Path, CompletableFuture<ProcessImages.Held>> mine = new LinkedHashMap<>();
        synchronized (pending) {
            for (Path p : images) {
                CompletableFuture<ProcessImages.Held> f = new CompletableFuture<>();
                if (pending.putIfAbsent(p, f) == null) {
                    mine.put(p, f);
                }
            }
        }
        Thread t = new Thread(() -> {
            for (Map.Entry<Path, CompletableFuture<ProcessImages.Held>> e : mine.entrySet()) {
                try {
                    e.getValue().complete(ProcessImages.prepare(e.getKey(), byName, into == null ? -1 : into.pid(), into == null ? null : into.exec()));
                } catch (IOException | RuntimeException | Error x) {
                    e.getValue().completeExceptionally(x);
                }
            }
            for (StreamCodec c : codecs) {
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
    ProcessImages.Held take(Path image) throws IOException, InterruptedException {
        CompletableFuture<ProcessImages.Held> f;
        synchronized (pending) {
            f = pending.remove(image);
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
    void abandonAll() {
        Map<Path, CompletableFuture<ProcessImages.Held>> left;
        synchronized (pending) {
            left = new LinkedHashMap<>(pending);
            pending.clear();
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
