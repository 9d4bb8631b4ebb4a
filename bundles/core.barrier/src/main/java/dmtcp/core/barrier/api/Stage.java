package dmtcp.core.barrier.api;

import java.util.List;

/**
 * The global barriers of a checkpoint or restart round, in DMTCP's order. Every stage
 * is a sync point: the coordinator sends it to every participant of the round, each
 * runs its plugins' hooks for it, and no participant enters the next stage before all
 * have finished this one.
 */
public enum Stage {
    /**
     * Normal execution between rounds. Entered at the end of a round: hooks run in
     * reverse layer order and resume the program (threads detached). A sync point so
     * that no process runs while a peer it talks to is still frozen.
     */
    RUNNING,
    /**
     * Every thread of every process is stopped (ptrace-seized). A sync point because
     * nothing may be drained or saved while any process of the computation still runs
     * and could send or change shared state.
     */
    SUSPENDED,
    /**
     * Shared file descriptors (inherited, passed over Unix sockets) elect one owner
     * each through the coordinator's key/value store, so a shared fd is saved once. A
     * sync point: every candidate must have published before anyone reads the result.
     */
    FD_LEADER_ELECTION,
    /**
     * Data in flight in sockets and pipes has been read out of the kernel by the fd
     * leaders. A sync point: a peer's buffers are empty only once every sender is
     * stopped and every leader has drained.
     */
    DRAINED,
    /**
     * Every process image is written (under a temporary name). A sync point: the set of
     * images is a consistent checkpoint only when all of them are written; only then are
     * they renamed into place and the restart script written.
     */
    CHECKPOINTED,
    /**
     * The drained data is put back into the sockets and pipes it came from. A sync point:
     * a receiver must not resume before its sender's data is back in its buffer.
     */
    REFILLED,
    /**
     * A restarted computation rebuilds its processes, threads, memory and fds from the
     * images; sockets reconnect through published addresses. A sync point: reconnection
     * needs every process to have published its listeners first.
     */
    RESTARTING;

    /** The stages a checkpoint round passes, in order. */
    public static final List<Stage> CHECKPOINT =
            List.of(SUSPENDED, FD_LEADER_ELECTION, DRAINED, CHECKPOINTED, REFILLED, RUNNING);

    /** The stages a restart round passes, in order: rebuild, then as after a checkpoint. */
    public static final List<Stage> RESTART = List.of(RESTARTING, CHECKPOINTED, REFILLED, RUNNING);

    /** Hooks of resume and restart stages undo what the way down did: they run in reverse layer order. */
    public boolean reverseOrder() {
        return this == RUNNING || this == RESTARTING;
    }
}
