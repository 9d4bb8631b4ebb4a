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
     * reverse layer order and resume the program (threads detached); after a restart the
     * process plugin (layer 0, the last) releases the processes it rebuilt, which run for
     * the first time since their checkpoint. A sync point so that no process runs while a
     * peer it talks to is still frozen, or not yet rebuilt.
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
     * images; sockets reconnect through published addresses. Hooks run in layer order, so
     * the process plugin (layer 0) runs first: it rebuilds every process of this
     * participant's images (or takes the ones rebuilt ahead) and holds each stopped; every
     * later hook sees them ({@code StageContext.restored()}), and they stay held through
     * CHECKPOINTED and REFILLED until RUNNING, or are killed if the round fails. A sync
     * point: reconnection needs every process to have published its listeners first, and
     * no process may run before every participant rebuilt its own.
     */
    RESTARTING;

    /** The stages a checkpoint round passes, in order. */
    public static final List<Stage> CHECKPOINT =
            List.of(SUSPENDED, FD_LEADER_ELECTION, DRAINED, CHECKPOINTED, REFILLED, RUNNING);

    /**
     * The stages a restart round passes, in order: rebuild (held), then as after a
     * checkpoint; the processes run from RUNNING on. CHECKPOINTED only marks that every
     * participant rebuilt its processes: no checkpoint hook runs in a restart round.
     */
    public static final List<Stage> RESTART = List.of(RESTARTING, CHECKPOINTED, REFILLED, RUNNING);

    /**
     * Whether this stage's hooks run in reverse layer order. Only RUNNING's do: it undoes
     * what the way down did, the lowest layer (the process plugin) last. RESTARTING builds
     * up from the bottom, like the way down: the process plugin first, so every other
     * restart hook finds the processes rebuilt (and still held).
     */
    public boolean reverseOrder() {
        return this == RUNNING;
    }
}
