package dmtcp.mem.linux.api;

import java.util.List;

/**
 * Everything a restore needs about one process's core task state except its memory bytes,
 * which went to a {@link MemorySink} while dumping. Its file descriptors are the resource
 * handlers' (see {@link ResourceHooks}), saved beside it.
 *
 * @param pid pid at dump time
 * @param exe target of /proc/PID/exe
 * @param comm /proc/PID/comm
 * @param argv /proc/PID/cmdline split at NULs
 * @param cwd target of /proc/PID/cwd
 * @param umask from /proc/PID/status
 * @param mm code/data/brk/stack/arg/env bounds
 * @param auxv raw /proc/PID/auxv
 * @param regions every mapping, in address order
 * @param threads every thread, the leader first
 * @param sigactions signals 1..64 except SIGKILL and SIGSTOP
 * @param rlimits {soft, hard} per resource 0..15 (RLIM_INFINITY is -1)
 * @param itimers ITIMER_REAL, VIRTUAL, PROF as {interval sec, interval usec, value sec, value usec}
 * @param pendingSignals the process-wide queued signals, raw 128-byte siginfo_t
 * @param stopped the process was in a group stop (SIGSTOP, SIGTSTP...): restored stopped
 * @param timers the POSIX timers (timer_create) in id order (null, e.g. from an older image, reads as none)
 * @param files the executable and every file mapped executable, as they were (null, e.g. from an
 *     older image, reads as none: nothing beyond the inode is checked at restart)
 */
public record ProcessState(int pid, String exe, String comm, List<String> argv, String cwd, int umask, MmLayout mm, byte[] auxv,
        List<MemoryRegion> regions, List<ThreadState> threads, List<SigAction> sigactions, long[][] rlimits,
        long[][] itimers, List<byte[]> pendingSignals, boolean stopped, List<PosixTimer> timers,
        List<MappedFile> files) {

    public ProcessState {
        argv = List.copyOf(argv);
        regions = List.copyOf(regions);
        threads = List.copyOf(threads);
        sigactions = List.copyOf(sigactions);
        pendingSignals = List.copyOf(pendingSignals);
        timers = timers == null ? List.of() : List.copyOf(timers);
        files = files == null ? List.of() : List.copyOf(files);
    }

    public long savedBytes() {
        long n = 0;
        for (MemoryRegion r : regions) {
            n += r.savedBytes();
        }
        return n;
    }
}
