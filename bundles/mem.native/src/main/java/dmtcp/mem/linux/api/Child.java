package dmtcp.mem.linux.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A program this JVM spawned and is the parent of. */
public final class Child {
    private final int pid;
    private final List<String> argv;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();

    Child(int pid, List<String> argv) {
        this.pid = pid;
        this.argv = List.copyOf(argv);
    }

    public int pid() {
        return pid;
    }

    public List<String> argv() {
        return argv;
    }

    /** The program name as ps shows it: the last path element of argv[0]. */
    public String name() {
        String a0 = argv.get(0);
        return a0.substring(a0.lastIndexOf('/') + 1);
    }

    /** Completes once the child has been reaped. */
    public CompletableFuture<ExitStatus> onExit() {
        return exit;
    }

    public boolean isAlive() {
        return !exit.isDone();
    }

    /** Sends {@code sig} to the child; a child that is already gone is not an error. */
    public void signal(int sig) {
        if (isAlive()) {
            Processes.kill(pid, sig);
        }
    }

    void exited(ExitStatus status) {
        exit.complete(status);
    }

    @Override
    public String toString() {
        return name() + "[" + pid + "]";
    }
}
