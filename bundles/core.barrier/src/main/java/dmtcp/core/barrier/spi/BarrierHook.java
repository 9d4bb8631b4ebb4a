package dmtcp.core.barrier.spi;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A plugin's hooks into the barrier protocol, registered as an OSGi service (the
 * whiteboard pattern): every participant (launcher or restarter) calls every registered
 * hook at each stage of each round. Register it with an Integer service property
 * {@value #LAYER}: lower layers run first on the way down (suspend, elect, drain,
 * checkpoint, refill) and last on the way back up (resume, restart), as in DMTCP's
 * plugin manager. A hook that throws fails the round: the coordinator aborts it, every
 * participant resumes, and the previous checkpoint stays the valid one.
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
     * {@link dmtcp.core.barrier.api.Stage#RUNNING}: let the processes run again. Also
     * called when a round is aborted, whatever stage it reached: it must be safe to call
     * when this plugin's earlier hooks did not run.
     */
    default void resume(StageContext ctx) throws Exception {}

    /** {@link dmtcp.core.barrier.api.Stage#RESTARTING}: rebuild state from the images. */
    default void restart(StageContext ctx) throws Exception {}

    /**
     * Named sub-barriers this plugin takes part in, checked at the start of every round.
     * Each runs its action after the plugin's stage hooks of its stage; a global one first
     * waits until every participant that declared it has reached it.
     */
    default List<SubBarrier> barriers() {
        return List.of();
    }
}
