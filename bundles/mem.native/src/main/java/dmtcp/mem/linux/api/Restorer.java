package dmtcp.mem.linux.api;

/**
 * Restores a {@link ProcessState} as a new child of this JVM: spawns {@code /bin/sh -c
 * 'kill -STOP $$; exec "$0"' <exe>}, seizes it, lets it exec the saved executable (so
 * /proc/PID/exe, comm and ps are right without privilege) and stops it before ld.so runs;
 * then, by injected syscalls, replaces its address space with the saved one, moves the
 * vDSO to its saved address, restores mm bounds (PR_SET_MM_MAP), sigactions, itimers,
 * rlimits, umask and cwd, reopens the saved fds under their numbers (terminals and
 * unreopenable standard streams become this JVM's own fds 0-2; see {@link FdState}), re-creates the threads with clone(), gives each its registers,
 * FP state, signal mask, rseq, robust list and sigaltstack, re-creates the POSIX timers
 * under their ids ({@link PosixTimer}; a SIGEV_THREAD_ID timer aimed at its thread's new
 * tid) and arms them with the time they had left, and detaches. Every signal but SIGTRAP
 * is blocked while it works, so re-queued signals and timer expiries keep their siginfo
 * until the program runs. The restored
 * process gets a new pid and new tids; this JVM is its parent, so it can be checkpointed
 * again. Where the executable is gone, the stub execs {@code /bin/true} instead (then
 * only /proc/PID/exe differs). A mapped file replaced since the checkpoint is an error.
 * A failure kills the half-built process and throws.
 */
public final class Restorer {
    private Restorer() {}

    public static Child restore(ProcessState state, MemorySource source) {
        return restore(state, source, null);
    }

    /**
     * As {@link #restore(ProcessState, MemorySource)}, the restored process keeping the
     * unique id it had when checkpointed (null: a new one).
     */
    public static Child restore(ProcessState state, MemorySource source, String uniqueId) {
        return Tracer.get().call(() -> {
            Child stub = Processes.spawnAs(dmtcp.mem.linux.internal.Restorer.stubCommand(state), state.argv());
            try {
                Child restored = new dmtcp.mem.linux.internal.Restorer(state, source, stub).restore();
                if (uniqueId != null) {
                    restored.uniqueId(uniqueId);
                }
                Processes.announce(restored);
                return restored;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
