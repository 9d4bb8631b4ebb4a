package dmtcp.mem.linux.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A program of the computation on this side: one this JVM spawned and is the parent of, or
 * one it adopted ({@link Processes#adopt}), whose parent is the user's shell.
 */
public final class Child {
    private final int pid;
    private final List<String> argv;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private volatile String uniqueId;
    private final boolean adopted;

    Child(int pid, List<String> argv) {
        this(pid, argv, false);
    }

    Child(int pid, List<String> argv, boolean adopted) {
        this.pid = pid;
        this.argv = List.copyOf(argv);
        this.adopted = adopted;
    }

    /** Not this JVM's child: its exit status goes to its own parent ({@link ExitStatus#UNKNOWN} here). */
    public boolean adopted() {
        return adopted;
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

    /**
     * DMTCP's unique process id, {@code <host hash>-<pid>-<start time>}: computed when first
     * asked for a spawned program, carried over from the image for a restored one, so a
     * process keeps it (and its image name) across restarts.
     */
    public String uniqueId() {
        String u = uniqueId;
        if (u == null) {
            u = String.format("%08x-%d-%x", hostName().hashCode(), pid, startTime(pid));
            uniqueId = u;
        }
        return u;
    }

    /** Gives a restored process the unique id it had when checkpointed (before anyone asked for one). */
    public void uniqueId(String id) {
        this.uniqueId = id;
    }

    /** Field 22 of /proc/PID/stat (clock ticks after boot): with the pid, it names one process; 0 when gone. */
    public static long startTime(int pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Integer.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[19]);
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /** This host's name, as unique ids and images record it. */
    public static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /** Completes once the child has been reaped (an adopted one: once it has ended). */
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
