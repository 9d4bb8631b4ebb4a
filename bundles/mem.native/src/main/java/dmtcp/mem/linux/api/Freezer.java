package dmtcp.mem.linux.api;

import dmtcp.mem.linux.api.ThreadControl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Stops every thread of a process from outside: {@code PTRACE_SEIZE} + {@code
 * PTRACE_INTERRUPT} each thread in {@code /proc/PID/task}, wait for the interrupt stops,
 * and list the tasks again until no new thread appears. Threads that exit meanwhile are
 * dropped, and so is a zombie leader (main left with pthread_exit; a restore gives its
 * pid to the first live thread); a signal that reaches a thread first is delivered (the program would have had
 * it anyway) and the wait goes on.
 */
public final class Freezer {
    private Freezer() {}

    public static Frozen freeze(int pid) {
        return Tracer.get().call(() -> freezeOnTracer(pid));
    }

    private static Frozen freezeOnTracer(int pid) {
        Set<Integer> stopped = new LinkedHashSet<>();
        Set<Integer> gone = new LinkedHashSet<>();
        boolean groupStop = false;
        try {
            for (;;) {
                // seize each thread as soon as it is listed: every stopped thread is one less
                // competing for the CPU with this one while the rest of the list is read
                List<Integer> seized = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc", Integer.toString(pid), "task"))) {
                    for (Path p : ds) {
                        int t = Integer.parseInt(p.getFileName().toString());
                        if (stopped.contains(t) || gone.contains(t) || seized.contains(t)) {
                            continue;
                        }
                        int errno = ThreadControl.seizeLive(t);
                        if (errno == 0) {
                            ThreadControl.interrupt(t);
                            seized.add(t);
                        } else if (errno == ESRCH || (errno == EPERM && isZombie(pid, t))) {
                            gone.add(t); // exited, or a leader that left with pthread_exit: it never stops
                        } else {
                            throw new NativeException("ptrace(PTRACE_SEIZE, " + t + ")", errno,
                                    dmtcp.mem.linux.internal.Libc.strerror(errno));
                        }
                    }
                } catch (NoSuchFileException e) {
                    // the process is gone
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (seized.isEmpty()) {
                    break;
                }
                for (int t : seized) {
                    int sig = waitInterrupted(t);
                    if (sig > 0) {
                        stopped.add(t);
                        groupStop |= sig != SIGTRAP;
                    } else {
                        gone.add(t);
                    }
                }
            }
        } catch (RuntimeException e) {
            for (int t : stopped) {
                try {
                    ThreadControl.detach(t, 0);
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
            throw e;
        }
        if (stopped.isEmpty()) {
            throw new NativeException("freeze(" + pid + ")", 3, "No such process");
        }
        List<Integer> order = new ArrayList<>(stopped);
        if (order.remove(Integer.valueOf(pid))) {
            order.add(0, pid);
        }
        return new Frozen(pid, order, groupStop);
    }

    private static final int SIGTRAP = 5;
    private static final int EPERM = 1;
    private static final int ESRCH = 3;

    /**
     * Waits for the interrupt stop of {@code tid}: returns its signal (SIGTRAP for our
     * interrupt, SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU when the process was in a group stop),
     * or 0 if the thread ended instead.
     */
    private static int waitInterrupted(int tid) {
        for (;;) {
            int st = ThreadControl.waitInterrupted(tid);
            if (!ThreadControl.isStopped(st)) {
                return 0;
            }
            if (ThreadControl.event(st) == dmtcp.mem.linux.internal.Ptrace.PTRACE_EVENT_STOP) {
                return ThreadControl.stopSig(st);
            }
            // any ptrace stop clears a pending interrupt (the kernel: "any trap clears pending
            // STOP trap"): a signal-delivery stop taken just after our PTRACE_INTERRUPT used it
            // up, and a thread let go from it would run on (a thread back in pause() slept on
            // and this wait never ended: LiveDumpTest, under load). So interrupt again first.
            ThreadControl.interrupt(tid);
            if (ThreadControl.event(st) != 0) {
                ThreadControl.cont(tid, 0);
            } else {
                ThreadControl.cont(tid, ThreadControl.stopSig(st)); // deliver it; the interrupt stop follows
            }
        }
    }

    /**
     * Whether a thread the kernel would not let us seize (EPERM) has ended: a zombie or dead
     * task has its exit state set, which is what PTRACE_SEIZE refuses; a thread that is no
     * longer listed has been reaped since (threads other than the leader are reaped at once,
     * so the refusal and the reaping can both fall between two reads).
     */
    private static boolean isZombie(int pid, int tid) {
        try {
            String s = Files.readString(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tid), "stat"));
            char state = s.charAt(s.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException e) {
            return true; // gone meanwhile: it had ended when the seize was refused
        }
    }

    /** The thread ids in /proc/PID/task. */
    public static List<Integer> tasks(int pid) {
        List<Integer> l = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc", Integer.toString(pid), "task"))) {
            s.forEach(p -> l.add(Integer.parseInt(p.getFileName().toString())));
        } catch (java.nio.file.NoSuchFileException e) {
            return l;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return l;
    }
}
