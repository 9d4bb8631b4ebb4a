package dmtcp.ckpt.process.internal.task;

import static dmtcp.mem.linux.api.Sys.*;

import dmtcp.mem.linux.api.NativeException;
import dmtcp.mem.linux.api.ThreadControl;
import dmtcp.mem.linux.api.ThreadState;
import dmtcp.mem.linux.api.UserRegs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Threads (CRIU's pstree and the per-thread part of cr-restore): at dump, each thread's
 * registers, XSAVE area, signal mask, rseq, robust list, clear_child_tid and sigaltstack; at
 * restore, the leader's kernel state set, the other threads cloned from it and given theirs,
 * and at release the registers to resume with (an interrupted system call restarted).
 */
final class Threads {
    private Threads() {}

    private static final int SIGSTOP = 19;
    private static final int SS_DISABLE = 2;
    private static final int SS_AUTODISARM = 1 << 31;

    /** One thread's state; {@code scratch}: 64 bytes of the process the injected calls may write. */
    static ThreadState dump(int tid, Calls calls, long scratch) {
        long[] regs = ThreadControl.getRegs(tid);
        byte[] xstate = ThreadControl.getXstate(tid);
        long sigmask = ThreadControl.getSigmask(tid);
        long[] rseq = ThreadControl.getRseq(tid);
        // PR_GET_TID_ADDRESS needs CONFIG_CHECKPOINT_RESTORE; without it the tid address is lost
        long r = dmtcp.mem.linux.api.Injector.inject(tid, calls.site, SYS_prctl, PR_GET_TID_ADDRESS, scratch);
        long clearTid = r != 0 ? 0 : calls.read(scratch, 8).getLong();
        calls.callIn(tid, "sigaltstack", SYS_sigaltstack, 0, scratch);
        ByteBuffer ss = calls.read(scratch, 24);
        long[] robust = ThreadControl.robustList(tid);
        return new ThreadState(tid, regs, xstate, sigmask, rseq[0], (int) rseq[1], (int) rseq[2], robust[0], robust[1],
                clearTid, ss.getLong(0), ss.getInt(8), ss.getLong(16), ThreadControl.pendingSignals(tid, false));
    }

    /**
     * Per-thread kernel state only the thread itself can set: tid address (the leader
     * only: a cloned thread got it from CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID), robust
     * list, rseq, sigaltstack. {@code buf}: 24 bytes of scratch in the process.
     */
    static void restore(int tid, ThreadState ts, boolean leader, Calls calls, long buf) {
        if (leader && ts.clearChildTid() != 0) {
            long newTid = calls.callIn(tid, "set_tid_address", SYS_set_tid_address, ts.clearChildTid());
            // glibc caches the tid in struct pthread, which is where clear_child_tid points
            calls.write(ts.clearChildTid(), Calls.le(4).putInt((int) newTid));
        }
        if (ts.robustListHead() != 0) {
            calls.callIn(tid, "set_robust_list", SYS_set_robust_list, ts.robustListHead(), ts.robustListLength());
        }
        if (ts.rseqAddress() != 0) {
            calls.callIn(tid, "rseq", SYS_rseq, ts.rseqAddress(), ts.rseqLength(), 0, ts.rseqSignature() & 0xffffffffL);
        }
        if ((ts.altStackFlags() & SS_DISABLE) == 0) {
            // SS_ONSTACK is a report, not a setting; SS_AUTODISARM is kept
            calls.write(buf, Calls.le(24).putLong(ts.altStackSp()).putInt(ts.altStackFlags() & SS_AUTODISARM).putInt(0)
                    .putLong(ts.altStackSize()));
            calls.callIn(tid, "sigaltstack", SYS_sigaltstack, buf, 0);
        }
    }

    /**
     * clone() a thread from the leader (auto-attached by PTRACE_O_TRACECLONE) on the stack
     * {@code stackTop}, and give it its kernel state.
     */
    static int clone(ThreadState ts, Calls calls, long stackTop, long buf) {
        long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS;
        if (ts.clearChildTid() != 0) {
            flags |= CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
        }
        int tid = (int) calls.call("clone", SYS_clone, flags, stackTop, 0, ts.clearChildTid(), ts.regs()[UserRegs.FS_BASE]);
        for (;;) {
            int s = ThreadControl.waitTid(tid);
            if (!ThreadControl.isStopped(s)) {
                throw new NativeException("clone of thread " + ts.tid(), 3, "new thread " + tid + " ended, status 0x" + Integer.toHexString(s));
            }
            if (ThreadControl.event(s) == ThreadControl.PTRACE_EVENT_STOP || ThreadControl.stopSig(s) == SIGSTOP) {
                break;
            }
            ThreadControl.cont(tid, 0);
        }
        // CLONE_CHILD_SETTID already wrote the new tid into glibc's struct pthread
        restore(tid, ts, false, calls, buf);
        return tid;
    }

    /** Gives every restored thread its saved mask, FP state and registers (the last thing before the detach). */
    static void resume(List<ThreadState> saved, List<Integer> tids) {
        for (int i = 0; i < tids.size(); i++) {
            ThreadState ts = saved.get(i);
            int tid = tids.get(i);
            ThreadControl.setSigmask(tid, ts.sigmask());
            ThreadControl.setXstate(tid, ts.xstate());
            ThreadControl.setRegs(tid, resumeRegs(ts.regs()));
        }
    }

    /**
     * The registers to resume with. A thread stopped inside a syscall must restart it in
     * the new process (as CRIU does): -ERESTARTSYS/-ERESTARTNOINTR/-ERESTARTNOHAND re-run
     * the call; -ERESTART_RESTARTBLOCK (the restart block belongs to the old process)
     * returns -EINTR. orig_rax = -1 so the kernel does no restart handling of its own.
     */
    static long[] resumeRegs(long[] saved) {
        long[] r = saved.clone();
        if (r[UserRegs.ORIG_RAX] >= 0) {
            long rax = r[UserRegs.RAX];
            if (rax == -ERESTARTSYS || rax == -ERESTARTNOINTR || rax == -ERESTARTNOHAND) {
                r[UserRegs.RAX] = r[UserRegs.ORIG_RAX];
                r[UserRegs.RIP] -= 2;
            } else if (rax == -ERESTART_RESTARTBLOCK) {
                r[UserRegs.RAX] = -EINTR;
            }
        }
        r[UserRegs.ORIG_RAX] = -1;
        return r;
    }

    /**
     * Waits (at most 200 ms) until the threads that were blocked in a system call at
     * checkpoint time (read() on the terminal, select()...) are blocked in it again. A signal
     * that arrives before a thread re-entered its call runs the handler and the call then
     * blocks again (its restart was rewound into the program, see {@link #resumeRegs}): a
     * full-screen program would redraw only at the next key. Once the call blocks, the
     * signal interrupts it (EINTR), as a SIGWINCH does when the user resizes the window.
     */
    static void awaitRestartedCalls(int pid, List<ThreadState> saved, List<Integer> tids) {
        long deadline = System.nanoTime() + 200_000_000L;
        for (int i = 0; i < tids.size(); i++) {
            long[] regs = saved.get(i).regs();
            long rax = regs[UserRegs.RAX];
            boolean inCall = regs[UserRegs.ORIG_RAX] >= 0
                    && (rax == -ERESTARTSYS || rax == -ERESTARTNOINTR || rax == -ERESTARTNOHAND);
            Path syscall = Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tids.get(i)), "syscall");
            String want = Long.toString(regs[UserRegs.ORIG_RAX]) + " ";
            while (inCall && System.nanoTime() < deadline) {
                try {
                    if (Files.readString(syscall).startsWith(want)) {
                        break;
                    }
                } catch (IOException e) {
                    break; // the thread is gone, or may not be read: do not wait for it
                }
                Thread.onSpinWait();
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
        }
    }
}
