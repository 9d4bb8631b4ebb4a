package dmtcp.ckpt.process.internal.task;

import static dmtcp.mem.linux.api.Sys.*;

import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.SigAction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Signals (CRIU's sigframe and sigact parts): the dispositions of signals 1..64 (but SIGKILL
 * and SIGSTOP) at dump and restore, and the queued signals, process-wide and per thread,
 * queued again at restore with their siginfo. The masks are the threads' ({@link Threads}).
 */
final class Signals {
    private Signals() {}

    private static final int SIGCHLD = 17;

    /**
     * The dispositions. Caught signals (SigCgt) need an injected rt_sigaction for handler,
     * flags, restorer and mask; ignored ones (SigIgn) and defaults are known from /proc.
     * SIGCHLD is always asked: SA_NOCLDWAIT/SA_NOCLDSTOP matter even with SIG_DFL.
     * {@code scratch}: 32 bytes of the process.
     */
    static List<SigAction> dump(int live, Calls calls, long scratch) throws IOException {
        long caught = 0, ignored = 0;
        for (String l : Files.readAllLines(Path.of("/proc", Integer.toString(live), "status"))) {
            if (l.startsWith("SigCgt:")) {
                caught = Long.parseUnsignedLong(l.substring(7).trim(), 16);
            } else if (l.startsWith("SigIgn:")) {
                ignored = Long.parseUnsignedLong(l.substring(7).trim(), 16);
            }
        }
        List<SigAction> actions = new ArrayList<>();
        for (int sig = 1; sig <= NSIG; sig++) {
            if (sig == 9 || sig == 19) {
                continue;
            }
            long bit = 1L << (sig - 1);
            if ((caught & bit) == 0 && sig != SIGCHLD) {
                actions.add(new SigAction(sig, (ignored & bit) != 0 ? 1 : 0, 0, 0, 0));
                continue;
            }
            calls.call("rt_sigaction", SYS_rt_sigaction, sig, 0, scratch, 8);
            ByteBuffer bb = calls.read(scratch, KSIGACTION_SIZE);
            actions.add(new SigAction(sig, bb.getLong(0), bb.getLong(8), bb.getLong(16), bb.getLong(24)));
        }
        return actions;
    }

    /**
     * Sets the saved dispositions. exec left every handler of the stub default or ignored:
     * the non-default ones are set and those the stub ignores reset. {@code buf}: 32 bytes.
     */
    static void restore(List<SigAction> actions, int pid, Calls calls, long buf) {
        long stubIgnored = 0;
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                if (l.startsWith("SigIgn:")) {
                    stubIgnored = Long.parseUnsignedLong(l.substring(7).trim(), 16);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (SigAction a : actions) {
            if (a.isDefault() && a.signal() != SIGCHLD && (stubIgnored & (1L << (a.signal() - 1))) == 0) {
                continue;
            }
            calls.write(buf, Calls.le(KSIGACTION_SIZE).putLong(a.handler()).putLong(a.flags()).putLong(a.restorer()).putLong(a.mask()));
            calls.call("rt_sigaction(" + a.signal() + ")", SYS_rt_sigaction, a.signal(), buf, 0, 8);
        }
    }

    /**
     * Queues the saved pending signals again, siginfo and all. Injected in the leader: the
     * kernel lets a process queue any siginfo only to itself, judged by the caller's own
     * tid, which for the leader is the pid. The expiry of a timer that is armed again is
     * left to the timer (see {@link Timers#rearmedOwner}). {@code buf}: 128 bytes.
     *
     * @return the periodic timers whose expiry was queued: they are armed to expire at once
     */
    static Set<Integer> requeue(ProcessState st, int pid, List<Integer> tids, Calls calls, long buf) {
        Set<Integer> due = new HashSet<>();
        for (int i = 0; i <= tids.size(); i++) {
            boolean process = i == tids.size();
            for (byte[] info : process ? st.pendingSignals() : st.threads().get(i).pendingSignals()) {
                PosixTimer t = Timers.rearmedOwner(info, st.timers());
                if (t != null) {
                    if (t.intervalNanos() != 0) {
                        due.add(t.id());
                    }
                    continue;
                }
                calls.mem.write(buf, info);
                int sig = ByteBuffer.wrap(info).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
                if (process) {
                    calls.call("rt_sigqueueinfo(" + sig + ")", SYS_rt_sigqueueinfo, pid, sig, buf);
                } else {
                    calls.call("rt_tgsigqueueinfo(" + sig + ")", SYS_rt_tgsigqueueinfo, pid, tids.get(i), sig, buf);
                }
            }
        }
        return due;
    }
}
