package dmtcp.mem.linux.api;

import java.util.List;

/**
 * What one thread's kernel state a restore needs.
 *
 * @param tid the thread id at dump time
 * @param regs x86_64 {@code user_regs_struct} (27 words, r15 first; includes fs_base/gs_base)
 * @param xstate the XSAVE area (PTRACE_GETREGSET NT_X86_XSTATE)
 * @param sigmask blocked signals, bit n-1 for signal n
 * @param rseqAddress registered {@code struct rseq}, 0 when none
 * @param rseqLength its registered length
 * @param rseqSignature its abort signature
 * @param robustListHead set_robust_list head, 0 when none
 * @param robustListLength its length
 * @param clearChildTid set_tid_address / CLONE_CHILD_CLEARTID address (glibc: &amp;pthread.tid)
 * @param altStackSp sigaltstack ss_sp
 * @param altStackFlags sigaltstack ss_flags (SS_DISABLE 2 when none)
 * @param altStackSize sigaltstack ss_size
 * @param pendingSignals the thread's queued signals, raw 128-byte siginfo_t (si_signo first)
 */
public record ThreadState(int tid, long[] regs, byte[] xstate, long sigmask, long rseqAddress, int rseqLength,
        int rseqSignature, long robustListHead, long robustListLength, long clearChildTid, long altStackSp,
        int altStackFlags, long altStackSize, List<byte[]> pendingSignals) {

    public ThreadState {
        pendingSignals = List.copyOf(pendingSignals);
    }

    public long rip() {
        return regs[16];
    }

    public long rsp() {
        return regs[19];
    }
}
