package dmtcp.mem.linux.api;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import dmtcp.mem.linux.internal.Libc;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Spawning and supervising the programs this JVM launches: {@code posix_spawn} (never
 * {@link ProcessBuilder}, whose reaper thread would consume ptrace stops), the child
 * subreaper flag, signals, and reaping through a pidfd so that no thread ever calls
 * {@code waitpid(-1)}.
 */
public final class Processes {
    /**
     * Every child this JVM ever spawned, restore stubs included: the children it is the
     * parent of by its own doing (not adopted orphans, {@link ProcessTree#adopted}). Which of
     * them are the computation's programs is the supervisor's to know (ckpt.process).
     */
    private static final List<Child> ALL = new CopyOnWriteArrayList<>();

    /** Children this JVM started for itself, not for the computation (a coordinator). */
    private static final java.util.Set<Long> HELPERS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Processes() {}

    /**
     * Records {@code pid} as a child this JVM started for its own use (a coordinator the
     * launcher started in the background): it is no orphan the programs left behind
     * ({@link ProcessTree#adopted}) and no part of the computation to kill.
     */
    public static void helper(long pid) {
        HELPERS.add(pid);
    }

    /**
     * Whether {@code pid} is a helper ({@link #helper}): a process of no computation, though
     * it may be a program's child (the agent's: what the client's shell had started before
     * the client became the program, such as a process substitution's {@code cat}).
     */
    public static boolean isHelper(int pid) {
        return HELPERS.contains((long) pid);
    }

    /** Whether {@code pid} is a live child this JVM started itself: a program, a restore stub or a helper. */
    static boolean isOurs(int pid) {
        if (HELPERS.contains((long) pid)) {
            return true;
        }
        for (Child c : ALL) {
            if (c.pid() == pid && c.isAlive()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Finds the file {@code program} names, the way a shell would: a name containing a
     * slash is taken as a path, any other is looked up in {@code PATH}.
     *
     * @throws NativeException ENOENT or EACCES naming the program
     */
    public static Path resolveProgram(String program) {
        if (program.isEmpty()) {
            throw new NativeException("execve(\"\")", 2, "No such file or directory");
        }
        if (program.indexOf('/') >= 0) {
            Path p = Path.of(program);
            checkExecutable(p, program);
            return p;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new NativeException("execvp(\"" + program + "\")", 2, "command not found in PATH");
    }

    private static void checkExecutable(Path p, String shown) {
        if (!Files.exists(p)) {
            throw new NativeException("execve(\"" + shown + "\")", 2, "No such file or directory");
        }
        if (Files.isDirectory(p) || !Files.isExecutable(p)) {
            throw new NativeException("execve(\"" + shown + "\")", 13, "Permission denied");
        }
    }

    /** Makes this process a child subreaper: orphaned descendants are re-parented here, not to init. */
    public static void becomeSubreaper() {
        Tracer.get().call(() -> {
            if (Libc.prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
                throw error("prctl(PR_SET_CHILD_SUBREAPER, 1)");
            }
            return null;
        });
    }

    /**
     * Spawns {@code argv} as a child of this JVM with the JVM's environment and working
     * directory, an empty signal mask, default signal dispositions and only fds 0-2 open.
     * The child is reaped when it exits ({@link Child#onExit()}).
     */
    public static Child spawn(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no program to spawn");
        }
        Path exe = resolveProgram(argv.get(0));
        int pid = Tracer.get().call(() -> posixSpawn(exe.toString(), argv));
        Child child = new Child(pid, argv);
        ALL.add(child);
        watchExit(child);
        return child;
    }

    /**
     * Spawns {@code argv} but records the child as running {@code shown} (a restore stub
     * that will become the restored program).
     */
    public static Child spawnAs(List<String> argv, List<String> shown) {
        Path exe = resolveProgram(argv.get(0));
        int pid = Tracer.get().call(() -> posixSpawn(exe.toString(), argv));
        Child child = new Child(pid, shown.isEmpty() ? argv : shown);
        ALL.add(child);
        watchExit(child);
        return child;
    }

    /**
     * Takes {@code pid}, a running process of this user that this JVM did not start (the
     * agent's client, about to exec {@code argv}), as a program of the computation: it is
     * not our child, so its exit status goes to its own parent; {@link Child#onExit()}
     * completes with {@link ExitStatus#UNKNOWN} once it has ended (a pidfd says so). It is
     * traced only for a round, like every program (ptrace needs no ancestry without Yama, or
     * with ptrace_scope 0).
     *
     * @throws NativeException ESRCH when it is gone, EPERM when it belongs to another user
     */
    public static Child adopt(int pid, List<String> argv) {
        Path proc = Path.of("/proc", Integer.toString(pid));
        int owner;
        try {
            owner = (Integer) Files.getAttribute(proc, "unix:uid");
        } catch (java.io.IOException | RuntimeException e) {
            throw new NativeException("adopt(" + pid + ")", 3, "No such process");
        }
        int self;
        try {
            self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (java.io.IOException e) {
            throw new NativeException("adopt(" + pid + ")", 3, "cannot read /proc/self");
        }
        if (owner != self) {
            throw new NativeException("adopt(" + pid + ")", 1, "it belongs to uid " + owner + ", not to this user");
        }
        Child child = new Child(pid, argv, true);
        int pidfd = (int) Libc.syscall(Libc.SYS_pidfd_open, pid, 0, 0, 0, 0, 0);
        if (pidfd < 0) {
            throw error("pidfd_open(" + pid + ", 0)");
        }
        pollExit(pidfd, "dmtcp-ended-" + pid, () -> child.exited(ExitStatus.UNKNOWN));
        return child;
    }

    /**
     * Makes {@code pid}, a process of this user this JVM did not start (the agent's client,
     * before it execs its program), a child subreaper: the flag survives execve, so orphans
     * its descendants leave behind are re-parented to it rather than to init, and stay in
     * the computation, as they did under the launcher JVM ({@link #becomeSubreaper}). Done
     * from outside: the process frozen, {@code prctl} injected, thawed.
     *
     * @throws NativeException when it cannot be traced or the call fails
     */
    public static void makeSubreaper(int pid) {
        try (Frozen f = Freezer.freeze(pid)) {
            Injector.check(pid, "prctl(PR_SET_CHILD_SUBREAPER, 1)", Sys.SYS_prctl, Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }
    }

    /** Every child this JVM spawned, restore stubs included, in spawn order. */
    public static List<Child> allChildren() {
        return List.copyOf(ALL);
    }

    private static int posixSpawn(String path, List<String> argv) {
        Memory fa = new Memory(Libc.SPAWN_STRUCT_SIZE);
        Memory attr = new Memory(Libc.SPAWN_STRUCT_SIZE);
        Memory empty = new Memory(Libc.SIGSET_SIZE);
        Memory all = new Memory(Libc.SIGSET_SIZE);
        check("posix_spawn_file_actions_init", Libc.posix_spawn_file_actions_init(fa));
        check("posix_spawnattr_init", Libc.posix_spawnattr_init(attr));
        try {
            check("posix_spawn_file_actions_addclosefrom_np(3)", Libc.posix_spawn_file_actions_addclosefrom_np(fa, 3));
            Libc.sigemptyset(empty);
            Libc.sigfillset(all);
            check("posix_spawnattr_setsigmask", Libc.posix_spawnattr_setsigmask(attr, empty));
            check("posix_spawnattr_setsigdefault", Libc.posix_spawnattr_setsigdefault(attr, all));
            check("posix_spawnattr_setflags", Libc.posix_spawnattr_setflags(attr,
                    (short) (Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF)));
            int[] pid = new int[1];
            Pointer environ = NativeLibrary.getInstance("libc.so.6").getGlobalVariableAddress("environ").getPointer(0);
            StringArray args = new StringArray(argv.toArray(new String[0]));
            int rc = Libc.posix_spawn(pid, path, fa, attr, args, environ);
            check("posix_spawn(\"" + path + "\", " + argv + ")", rc);
            return pid[0];
        } finally {
            Libc.posix_spawn_file_actions_destroy(fa);
            Libc.posix_spawnattr_destroy(attr);
        }
    }

    /** Sends {@code sig} to {@code pid}; ESRCH (already gone) is ignored. */
    /**
     * Sends {@code sig} to the thread {@code tid} of process {@code pid} ({@code tgkill}): a
     * signal queued to that thread, not to the process; a thread that is gone is not an error.
     */
    public static void signalThread(int pid, int tid, int sig) {
        if (Libc.syscall(Sys.SYS_tgkill, pid, tid, sig, 0, 0, 0) != 0) {
            int errno = Native.getLastError();
            if (errno != 3) {
                throw new NativeException("tgkill(" + pid + ", " + tid + ", " + sig + ")", errno, Libc.strerror(errno));
            }
        }
    }

    public static void kill(int pid, int sig) {
        if (Libc.kill(pid, sig) != 0) {
            int errno = Native.getLastError();
            if (errno != 3) {
                throw new NativeException("kill(" + pid + ", " + sig + ")", errno, Libc.strerror(errno));
            }
        }
    }

    /**
     * Reaps {@code child} once it exits: a daemon thread polls a pidfd (readable when the
     * process terminates) and the tracer thread then collects the status for this pid only.
     */
    private static void watchExit(Child child) {
        int pidfd = (int) Libc.syscall(Libc.SYS_pidfd_open, child.pid(), 0, 0, 0, 0, 0);
        if (pidfd < 0) {
            throw error("pidfd_open(" + child.pid() + ", 0)");
        }
        pollExit(pidfd, "dmtcp-exit-" + child.pid(), () -> Tracer.get().submit(() -> reap(child)));
    }

    /** Runs {@code then} on a daemon thread once the process of {@code pidfd} has ended (poll says readable), closing the pidfd. */
    private static void pollExit(int pidfd, String name, Runnable then) {
        Thread t = new Thread(() -> {
            Memory pfd = new Memory(8);
            pfd.clear();
            pfd.setInt(0, pidfd);
            pfd.setShort(4, Libc.POLLIN);
            for (;;) {
                int n = Libc.poll(pfd, 1, -1);
                if (n > 0 || (n < 0 && Native.getLastError() != 4)) {
                    break;
                }
            }
            Libc.close(pidfd);
            then.run();
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static Void reap(Child child) {
        int[] status = new int[1];
        for (;;) {
            int r = Libc.waitpid(child.pid(), status, Libc.__WALL);
            if (r == child.pid()) {
                int sig = status[0] & 0x7f;
                if (sig == 0x7f) {
                    continue; // a stop report, not the end
                }
                child.exited(ExitStatus.fromWaitStatus(status[0]));
                return null;
            }
            int errno = Native.getLastError();
            if (r < 0 && errno != 4) {
                // ECHILD: someone else reaped it; report what we know
                child.exited(new ExitStatus(-1, 0));
                return null;
            }
        }
    }

    private static void check(String call, int rc) {
        if (rc != 0) {
            throw new NativeException(call, rc, Libc.strerror(rc));
        }
    }

    private static NativeException error(String call) {
        int errno = Native.getLastError();
        return new NativeException(call, errno, Libc.strerror(errno));
    }
}
