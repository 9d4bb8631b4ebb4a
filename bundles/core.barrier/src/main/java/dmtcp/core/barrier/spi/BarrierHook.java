package dmtcp.core.barrier.spi;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A plugin's hooks into the barrier protocol, registered as an OSGi service (the
 * whiteboard pattern): every participant (launcher or restarter) calls every registered
 * hook at each stage of each round. Register it with an Integer service property
 * {@value #LAYER}: lower layers run first on the way down (suspend, elect, drain,
 * checkpoint, refill) and last on the way back up (resume), as in DMTCP's plugin manager.
 * A restart builds up from the bottom: its stages (restart, refill) run in layer order,
 * and only its resume runs in reverse ({@link dmtcp.core.barrier.api.Stage#reverseOrder()}).
 *
 * <p>Layer 0 is the process plugin's (ckpt.process): it freezes the processes first and
 * lets them run last; in a restart round its restart hook rebuilds them first and holds
 * them stopped, so that every other restart and refill hook sees them
 * ({@link StageContext#restored()}) before they run, at RUNNING. Plugins take layers above
 * 0; one below would run before the processes are frozen, or rebuilt.
 *
 * <p>A hook that throws fails the round: the coordinator aborts it, every participant calls
 * {@link #abort} instead of resume, and the previous checkpoint stays the valid one.
 *
 * <p>Hooks run on the participant's stage thread, one at a time, and may block (a
 * {@link StageContext#awaitBarrier sub-barrier} or a {@link StageContext#query query}).
 */
@ConsumerType
public interface BarrierHook {

    /** Service property: the hook's layer, an Integer (default 0). */
    String LAYER = "dmtcp.layer";

    /** Service property: a short name for logs and {@code dmtcp:plugins} (default: the class name). */
    String NAME = "dmtcp.plugin";

    /** {@link dmtcp.core.barrier.api.Stage#SUSPENDED}: stop the processes this plugin is responsible for. */
    default void suspend(StageContext ctx) throws Exception {}

    /** {@link dmtcp.core.barrier.api.Stage#FD_LEADER_ELECTION}: publish claims on shared resources, read the winners. */
    default void electLeaders(StageContext ctx) throws Exception {}

    /** {@link dmtcp.core.barrier.api.Stage#DRAINED}: read in-flight data out of the kernel. */
    default void drain(StageContext ctx) throws Exception {}

    /** {@link dmtcp.core.barrier.api.Stage#CHECKPOINTED}: write state; report image files with {@link StageContext#addImage}. */
    default void checkpoint(StageContext ctx) throws Exception {}

    /** {@link dmtcp.core.barrier.api.Stage#REFILLED}: put drained data back. */
    default void refill(StageContext ctx) throws Exception {}

    /**
     * {@link dmtcp.core.barrier.api.Stage#RUNNING}: let the processes run again (at the
     * end of a restart round, for the first time since their checkpoint).
     */
    default void resume(StageContext ctx) throws Exception {}

    /**
     * {@link dmtcp.core.barrier.api.Stage#RESTARTING}: rebuild state from the images. The
     * process plugin's hook runs first and rebuilds the processes, held stopped: later hooks
     * find them in {@link StageContext#restored()}.
     */
    default void restart(StageContext ctx) throws Exception {}

    /**
     * The round was aborted (a hook failed, a participant left, a stage timed out) or the
     * coordinator was lost while it ran, whatever stage it had reached; called in reverse
     * layer order instead of {@link #resume}, with a context of stage RUNNING. It must be
     * safe to call when this plugin's earlier hooks did not run. By default it resumes,
     * which is right after a checkpoint round's stages; in a restart round the processes are
     * not let run: the process plugin kills the ones it had rebuilt (they never ran a step)
     * and the restarter exits saying why.
     *
     * @param reason why the round ended, e.g. {@code round 3 aborted: ...}
     */
    default void abort(StageContext ctx, String reason) throws Exception {
        resume(ctx);
    }

    /**
     * Named sub-barriers this plugin takes part in, checked at the start of every round.
     * Each runs its action after the plugin's stage hooks of its stage; a global one first
     * waits until every participant that declared it has reached it.
     */
    default List<SubBarrier> barriers() {
        return List.of();
    }
}
