package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Timers (CRIU's timer.c): the itimers (setitimer: ITIMER_REAL, VIRTUAL, PROF), injected
 * getitimer at dump and setitimer at release; and the POSIX timers ({@code timer_create}). Dump: /proc/PID/timers (id, signal and sigev_value,
 * notification and target, clock) read from this JVM, then an injected {@code
 * timer_gettime} and {@code timer_getoverrun} per timer. Restore: {@code
 * prctl(PR_TIMER_CREATE_RESTORE_IDS, ON)}, {@code timer_create} of each timer under its
 * saved id (SIGEV_THREAD_ID aimed at the thread's new tid), {@code prctl(..., OFF)}; where
 * the kernel lacks that prctl, timers are created and deleted in id order until the kernel's
 * counter reaches each saved id. The timers are armed ({@code timer_settime}, relative)
 * last, while every signal is blocked in the process: what they queue is delivered once the
 * saved masks are set and the process is detached.
 */
final class Timers {
    private Timers() {}

    /** {@code si_code} of a timer's expiry. */
    static final int SI_TIMER = -2;
    private static final int CLOCK_THREAD_CPUTIME_ID = 3;
    private static final int CPUCLOCK_PERTHREAD_MASK = 4;
    private static final int CPUCLOCK_CLOCK_MASK = 3;
    private static final int CLOCKFD = 3;
    private static final long NANOS = 1_000_000_000L;
    /** sizeof(struct sigevent) on x86_64. */
    static final int SIGEVENT_SIZE = 64;
    /** Scratch a restore needs: a sigevent (or an itimerspec), then the timer id. */
    public static final int SCRATCH_SIZE = SIGEVENT_SIZE + 8;
    /** The linear fallback gives up after this many timer_create/timer_delete rounds (~100 µs each). */
    static final int MAX_LINEAR_ROUNDS = 1 << 16;

    /**
     * Whether restores ask for the saved ids with {@code prctl(PR_TIMER_CREATE_RESTORE_IDS)}
     * (true) or go straight to the linear fallback (false: tests use it to exercise that path).
     */
    public static volatile boolean restoreIdsByPrctl = true;

    /**
     * The timers of a frozen process as /proc/PID/timers lists them (read through the live
     * thread {@code live}), in id order, value, interval and overrun not read yet. A timer a
     * restore could not rebuild refuses the checkpoint here, before anything is injected. A
     * kernel without /proc/PID/timers (no CONFIG_CHECKPOINT_RESTORE) reads as no timers.
     */
    static List<PosixTimer> list(int live, int threads) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc", Integer.toString(live), "timers"));
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<PosixTimer> l = parse(lines);
        for (PosixTimer t : l) {
            String why = unsupported(t, threads);
            if (why != null) {
                throw new IllegalStateException("POSIX timer " + t.id() + " " + why
                        + ": not supported yet; checkpoint refused, the program runs on");
            }
        }
        return l;
    }

    /**
     * Parses /proc/PID/timers, whose entries read (kernel's show_timer):
     * <pre>
     * ID: 2
     * signal: 32/000055a3c86d9460
     * notify: signal/tid.4153
     * ClockID: 0
     * </pre>
     * Returns the timers in id order, value, interval and overrun 0.
     */
    static List<PosixTimer> parse(List<String> lines) {
        List<PosixTimer> out = new ArrayList<>();
        Integer id = null;
        int signal = 0, notify = 0, tid = 0;
        long value = 0;
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String v = line.substring(colon + 1).trim();
            try {
                switch (key) {
                    case "ID" -> id = Integer.parseInt(v);
                    case "signal" -> {
                        int slash = v.indexOf('/');
                        signal = Integer.parseInt(v.substring(0, slash));
                        value = Long.parseUnsignedLong(v.substring(slash + 1), 16);
                    }
                    case "notify" -> {
                        int slash = v.indexOf('/');
                        int dot = v.indexOf('.', slash);
                        notify = switch (v.substring(0, slash)) {
                            case "signal" -> PosixTimer.SIGEV_SIGNAL;
                            case "none" -> PosixTimer.SIGEV_NONE;
                            case "thread" -> PosixTimer.SIGEV_THREAD;
                            default -> throw new IllegalStateException("unknown notification in /proc/PID/timers: " + line);
                        };
                        boolean toThread = v.substring(slash + 1, dot).equals("tid");
                        tid = 0;
                        if (toThread) {
                            notify |= PosixTimer.SIGEV_THREAD_ID;
                            tid = Integer.parseInt(v.substring(dot + 1));
                        }
                    }
                    case "ClockID" -> {
                        if (id == null) {
                            throw new IllegalStateException("/proc/PID/timers: ClockID before ID");
                        }
                        out.add(new PosixTimer(id, Integer.parseInt(v), notify, signal, value, tid, 0, 0, 0));
                        id = null;
                    }
                    default -> {
                        // a field of a later kernel
                    }
                }
            } catch (RuntimeException e) {
                if (e instanceof IllegalStateException) {
                    throw e;
                }
                throw new IllegalStateException("cannot read /proc/PID/timers line \"" + line + "\": " + e, e);
            }
        }
        out.sort(Comparator.comparingInt(PosixTimer::id));
        return out;
    }

    /**
     * Why a restore could not rebuild this timer, or null. A timer on a CPU clock of a given
     * pid or tid, or on a dynamic (fd) clock, would name something that is not there after a
     * restore; one counting the CPU time of "the calling thread" belongs to a thread that
     * cannot be told from outside once there are several.
     */
    static String unsupported(PosixTimer t, int threads) {
        int c = t.clock();
        if (c < 0) {
            if ((c & (CPUCLOCK_PERTHREAD_MASK | CPUCLOCK_CLOCK_MASK)) == CLOCKFD) {
                return "counts a dynamic clock opened as fd " + ~(c >> 3) + " (clock " + c + ")";
            }
            int who = ~(c >> 3);
            boolean perThread = (c & CPUCLOCK_PERTHREAD_MASK) != 0;
            if (who != 0) {
                return "counts the CPU time of " + (perThread ? "thread " : "process ") + who + " (clock " + c + ")";
            }
            if (perThread && threads > 1) {
                return "counts a thread's CPU time (clock " + c + ") in a process of " + threads
                        + " threads: which thread is not visible from outside";
            }
        } else if (c == CLOCK_THREAD_CPUTIME_ID && threads > 1) {
            return "counts a thread's CPU time (CLOCK_THREAD_CPUTIME_ID) in a process of " + threads
                    + " threads: which thread is not visible from outside";
        }
        return null;
    }

    /**
     * The timers with their value and interval (injected {@code timer_gettime}) and overrun
     * (injected {@code timer_getoverrun}), asked in the calls' thread, output at {@code scratch}
     * (32 bytes).
     */
    static List<PosixTimer> withValues(List<PosixTimer> timers, Calls calls, long scratch) {
        List<PosixTimer> out = new ArrayList<>(timers.size());
        for (PosixTimer t : timers) {
            calls.call("timer_gettime(" + t.id() + ")", Sys.SYS_timer_gettime, t.id(), scratch);
            ByteBuffer b = calls.read(scratch, 32);
            long interval = b.getLong(0) * NANOS + b.getLong(8);
            long value = b.getLong(16) * NANOS + b.getLong(24);
            long overrun = calls.raw(Sys.SYS_timer_getoverrun, t.id());
            out.add(new PosixTimer(t.id(), t.clock(), t.sigevNotify(), t.signal(), t.sigval(), t.tid(), value, interval,
                    overrun < 0 ? 0 : (int) overrun));
        }
        return out;
    }

    /**
     * The {@code sigev_notify} and target tid to create a timer with: a SIGEV_THREAD_ID
     * timer aims at its thread's new tid; one whose thread is not among the restored threads
     * (it had exited: its signals went nowhere) becomes SIGEV_NONE, with a warning.
     */
    static int[] notifyFor(PosixTimer t, Map<Integer, Integer> newTids) {
        if (!t.threadDirected()) {
            return new int[] {t.sigevNotify(), 0};
        }
        Integer n = newTids.get(t.tid());
        if (n == null) {
            System.err.println("dmtcp restore: " + t + " signalled thread " + t.tid()
                    + ", which is not among the saved threads: restored with no signal (SIGEV_NONE)");
            return new int[] {PosixTimer.SIGEV_NONE, 0};
        }
        return new int[] {t.sigevNotify(), n};
    }

    static byte[] sigevent(PosixTimer t, int notify, int tid) {
        ByteBuffer b = ByteBuffer.allocate(SIGEVENT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, t.sigval()).putInt(8, t.signal()).putInt(12, notify).putInt(16, tid);
        return b.array();
    }

    /**
     * Creates the timers, disarmed, under their saved ids, injected in the calls' thread (any thread
     * of the process: timers belong to the process). Every thread a timer signals must exist
     * already; {@code newTids} maps each saved tid to the restored thread's.
     *
     * @param buf {@link #SCRATCH_SIZE} bytes of scratch memory in the process
     */
    static void create(Calls calls, long buf, List<PosixTimer> timers, Map<Integer, Integer> newTids) {
        if (timers.isEmpty()) {
            return;
        }
        List<PosixTimer> byId = new ArrayList<>(timers);
        byId.sort(Comparator.comparingInt(PosixTimer::id));
        boolean exact = restoreIdsByPrctl && calls.raw(Sys.SYS_prctl, Sys.PR_TIMER_CREATE_RESTORE_IDS,
                Sys.PR_TIMER_CREATE_RESTORE_IDS_ON, 0, 0, 0) == 0;
        long idAddr = buf + SIGEVENT_SIZE;
        int rounds = 0;
        try {
            for (PosixTimer t : byId) {
                int[] n = notifyFor(t, newTids);
                calls.mem.write(buf, sigevent(t, n[0], n[1]));
                String what = "restore of " + t + ": timer_create";
                if (exact) {
                    calls.mem.write(idAddr, le32(t.id()));
                    calls.call(what, Sys.SYS_timer_create, t.clock(), buf, idAddr);
                    int got = readInt(calls.mem, idAddr);
                    if (got != t.id()) {
                        throw new IllegalStateException(what + " with PR_TIMER_CREATE_RESTORE_IDS on gave id " + got);
                    }
                    continue;
                }
                for (;;) {
                    calls.call(what, Sys.SYS_timer_create, t.clock(), buf, idAddr);
                    int got = readInt(calls.mem, idAddr);
                    if (got == t.id()) {
                        break;
                    }
                    if (got > t.id()) {
                        throw new IllegalStateException(what + " gave id " + got + ", past the saved id, and this kernel"
                                + " cannot be asked for an id (no prctl PR_TIMER_CREATE_RESTORE_IDS)");
                    }
                    calls.call("restore of " + t + ": timer_delete(" + got + ")", Sys.SYS_timer_delete, got);
                    if (++rounds > MAX_LINEAR_ROUNDS) {
                        throw new IllegalStateException("restore of " + t + ": this kernel cannot be asked for a timer id (no prctl"
                                + " PR_TIMER_CREATE_RESTORE_IDS) and reaching it took more than " + MAX_LINEAR_ROUNDS
                                + " timer_create/timer_delete rounds");
                    }
                }
            }
            if (exact) {
                exact = false;
                calls.call("prctl(PR_TIMER_CREATE_RESTORE_IDS, OFF)", Sys.SYS_prctl, Sys.PR_TIMER_CREATE_RESTORE_IDS,
                        Sys.PR_TIMER_CREATE_RESTORE_IDS_OFF, 0, 0, 0);
            }
        } finally {
            if (exact) { // a timer_create failed: the restore fails with that; the process is killed anyway
                calls.raw(Sys.SYS_prctl, Sys.PR_TIMER_CREATE_RESTORE_IDS, Sys.PR_TIMER_CREATE_RESTORE_IDS_OFF, 0, 0, 0);
            }
        }
    }

    /**
     * Arms the timers that were armed: {@code timer_settime} relative, with the saved value
     * and interval; a periodic timer in {@code due} (its expiry was a queued signal) with 1 ns,
     * so that it queues that signal again itself at once.
     */
    static void arm(Calls calls, long buf, List<PosixTimer> timers, Set<Integer> due) {
        for (PosixTimer t : timers) {
            if (!t.armed()) {
                continue;
            }
            long value = due.contains(t.id()) ? 1 : t.valueNanos();
            ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(t.intervalNanos() / NANOS).putLong(t.intervalNanos() % NANOS).putLong(value / NANOS).putLong(value % NANOS);
            calls.write(buf, b);
            calls.call("restore of " + t + ": timer_settime", Sys.SYS_timer_settime, t.id(), 0, buf, 0);
        }
    }

    /**
     * The re-armed timer a saved pending signal (raw siginfo_t) is the expiry of, or null
     * (not a timer's expiry, or one of a timer now disarmed: a one-shot that fired, whose
     * signal is queued again as it was). A timer's signal is queued once at a time (further
     * expiries count as its overrun) and a periodic timer goes on when the signal is
     * delivered, so the expiry of a periodic timer is not queued again as a plain signal
     * (with the timer's own next expiry, that would be two at once): the timer is armed to
     * expire at once and queues it itself (see {@link #arm}). The queued expiry of a one-shot
     * timer armed again since is stale (the kernel drops it at delivery): dropped too.
     */
    static PosixTimer rearmedOwner(byte[] siginfo, List<PosixTimer> timers) {
        ByteBuffer b = ByteBuffer.wrap(siginfo).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(8) != SI_TIMER) {
            return null;
        }
        int signo = b.getInt(0);
        int id = b.getInt(16); // si_timerid
        for (PosixTimer t : timers) {
            if (t.id() == id) {
                return t.armed() && t.signals() && t.signal() == signo ? t : null;
            }
        }
        return null;
    }

    /** The itimers ITIMER_REAL, VIRTUAL, PROF: injected getitimer, {interval sec, usec, value sec, usec}; 32 bytes at {@code scratch}. */
    static long[][] itimers(Calls calls, long scratch) {
        long[][] itimers = new long[3][];
        for (int w = 0; w < 3; w++) {
            calls.call("getitimer", Sys.SYS_getitimer, w, scratch);
            ByteBuffer bb = calls.read(scratch, 32);
            itimers[w] = new long[] {bb.getLong(0), bb.getLong(8), bb.getLong(16), bb.getLong(24)};
        }
        return itimers;
    }

    /** alarm/setitimer timers, with the time they had left at checkpoint time (at release). {@code buf}: 32 bytes. */
    static void armItimers(long[][] itimers, Calls calls, long buf) {
        for (int w = 0; w < itimers.length; w++) {
            long[] t = itimers[w];
            if (t[2] != 0 || t[3] != 0) {
                ByteBuffer b = Calls.le(32);
                for (long v : t) {
                    b.putLong(v);
                }
                calls.write(buf, b);
                calls.call("setitimer", Sys.SYS_setitimer, w, buf, 0);
            }
        }
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static int readInt(dmtcp.mem.linux.api.ProcessMemory mem, long addr) {
        return ByteBuffer.wrap(mem.read(addr, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }
}
