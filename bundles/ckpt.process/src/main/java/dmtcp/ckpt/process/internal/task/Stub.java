package dmtcp.ckpt.process.internal.task;

import static dmtcp.mem.linux.api.Sys.*;

import dmtcp.mem.linux.api.ExitStatus;
import dmtcp.mem.linux.api.Injector;
import dmtcp.mem.linux.api.ProcessMemory;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.Processes;
import dmtcp.mem.linux.api.ThreadControl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The restart stub: {@code /bin/sh -c 'kill -STOP $$; exec "$0"' EXE}, seized at once, let
 * exec the saved executable and stepped out of execve, so that the process a restore fills
 * is the program's own executable stopped before ld.so ran ({@code /proc/PID/exe}, comm and
 * ps right with no privilege, no rseq or interrupted sleep to undo).
 */
public final class Stub {
    private Stub() {}

    private static final int SIGSTOP = 19;
    private static final int SIGCONT = 18;

    /**
     * The stub's command line: the saved executable when it is still there and is the same
     * file, else {@code /bin/true} (any executable will do; only /proc/PID/exe then differs).
     */
    static List<String> command(ProcessState st) {
        String exe = st.exe();
        String target = "/bin/true";
        if (!exe.endsWith(" (deleted)") && Files.isExecutable(Path.of(exe))) {
            target = exe;
        }
        return List.of("/bin/sh", "-c", "kill -STOP $$; exec \"$0\"", target);
    }

    /**
     * A process of this user to restore into instead of a spawned stub (the agent's client,
     * blocked reading its answer): {@code exec} tells it to exec the executable it is given.
     */
    public record Into(int pid, java.util.function.Consumer<String> exec) {}

    /** Seizes {@code pid} for a restore, with EXITKILL: a restorer killed from here on takes it with it. */
    static void seize(int pid) {
        ThreadControl.seize(pid, ThreadControl.PTRACE_O_TRACEEXEC | ThreadControl.PTRACE_O_TRACECLONE | ThreadControl.PTRACE_O_EXITKILL);
    }

    /** Seizes the stub {@code pid} at once, lets it exec the saved executable (its self-stop swallowed) and steps out of execve. */
    static void start(int pid, ProcessState st) {
        start(pid, st, true);
    }

    /** As {@link #start(int, ProcessState)}; {@code seize}: false when {@link #seize} was done already (an {@link Into}). */
    static void start(int pid, ProcessState st, boolean seize) {
        // seized at once, with EXITKILL: a restarter killed from here on takes its stub with it
        // (seized only after the stub's self-stop, a restarter killed in between left a stopped
        // /bin/sh behind for good). The self-stop either came already (SIGCONT ends that group
        // stop; a seize alone would leave it in force after the detach) or comes later, a
        // signal this loop swallows. A process restored into (Into) stops not at all: seized
        // before it was told to exec, its exec is the event awaited.
        if (seize) {
            seize(pid);
        }
        Processes.kill(pid, SIGCONT);
        String target = command(st).get(3);
        for (;;) {
            int s = ThreadControl.waitTid(pid);
            if (!ThreadControl.isStopped(s)) {
                throw new IllegalStateException(failure(target, ExitStatus.fromWaitStatus(s)));
            }
            int ev = ThreadControl.event(s);
            // posix_spawn returns once the child's exec of /bin/sh has released its memory, not
            // once that exec is done: seized that early, the shell's own exec is reported too
            if (ev == ThreadControl.PTRACE_EVENT_EXEC && isExecOf(pid, target)) {
                break;
            }
            if (ev != 0) {
                ThreadControl.cont(pid, 0);
            } else {
                int sig = ThreadControl.stopSig(s);
                ThreadControl.cont(pid, sig == SIGSTOP ? 0 : sig);
            }
        }
        ThreadControl.step(pid); // out of execve: registers set inside a syscall would be overwritten
        long[] rseq = ThreadControl.getRseq(pid);
        if (rseq[0] != 0) {
            // not expected before ld.so ran, but a registered rseq makes the first munmap fatal
            try (ProcessMemory mem = new ProcessMemory(pid)) {
                Injector.injectChecked(pid, Injector.findSite(pid, mem), "rseq(unregister)", SYS_rseq, rseq[0], rseq[1],
                        RSEQ_FLAG_UNREGISTER, rseq[2]);
            }
        }
    }

    /** Whether the stub now runs {@code target} (/proc/PID/exe is the file {@code target} names). */
    private static boolean isExecOf(int pid, String target) {
        try {
            Path exe = Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "exe"));
            return exe.equals(Path.of(target).toRealPath());
        } catch (IOException e) {
            return true; // cannot tell: as before, the first exec reported is the program's
        }
    }

    /** Why the stub's shell could not exec the program, as sh's exit status says (126, 127: POSIX's). */
    static String failure(String target, ExitStatus how) {
        String why = switch (how.code()) {
            case 127 -> "not found: the file, or the ELF loader or #! interpreter it names, is missing";
            case 126 -> "not executable: permission denied, or not a program this system runs";
            default -> "the stub shell ended (" + how + ")";
        };
        return "cannot exec " + target + " to restore it: " + why;
    }
}
