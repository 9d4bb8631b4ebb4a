package dmtcp.mem.linux.api;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The JVM's one tracer thread. The kernel accepts ptrace requests for a tracee only from
 * the thread that attached it, and {@code waitpid} from any thread consumes a tracee's
 * stops; so every spawn, wait and ptrace request of this process runs here, one at a time.
 * The thread is a long-lived platform thread that never exits while the JVM runs.
 */
public final class Tracer {
    private static final Tracer INSTANCE = new Tracer();

    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final Thread thread;

    private Tracer() {
        thread = new Thread(this::loop, "dmtcp-tracer");
        thread.setDaemon(true);
        thread.start();
    }

    public static Tracer get() {
        return INSTANCE;
    }

    private void loop() {
        for (;;) {
            try {
                tasks.take().run();
            } catch (InterruptedException e) {
                // never leave: a dead tracer thread silently detaches every tracee
            } catch (Throwable t) {
                // a task's own future carries its failure
            }
        }
    }

    /** Runs {@code task} on the tracer thread. */
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (Thread.currentThread() == thread) {
            run(task, f);
        } else {
            tasks.add(() -> run(task, f));
        }
        return f;
    }

    /** Runs {@code task} on the tracer thread and waits for it; its exception is rethrown as is. */
    public <T> T call(Callable<T> task) {
        try {
            return submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the tracer thread", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }

    public boolean isTracerThread() {
        return Thread.currentThread() == thread;
    }

    private static <T> void run(Callable<T> task, CompletableFuture<T> f) {
        try {
            f.complete(task.call());
        } catch (Throwable t) {
            f.completeExceptionally(t);
        }
    }
}
