package dmtcp.core.barrier.spi;

import dmtcp.core.barrier.api.Stage;
import java.util.Objects;

/**
 * A plugin's own named barrier inside a stage, like DMTCP's plugin barriers. Name it
 * {@code "<bundle>:<NAME>"}, e.g. {@code "dmtcp.fd.sockets:DRAIN_PEERS"}.
 *
 * @param name unique name, {@code bundle:NAME}
 * @param stage the stage in which it runs (after the stage hooks)
 * @param global true: wait for every participant that declared it (through the
 *     coordinator) before running the action; false: run the action locally
 * @param action what to do once the barrier is passed
 */
public record SubBarrier(String name, Stage stage, boolean global, Action action) {

    /** The work done once the barrier is reached. */
    @FunctionalInterface
    public interface Action {
        void run(StageContext ctx) throws Exception;
    }

    public SubBarrier {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(action, "action");
        if (name.indexOf(':') <= 0) {
            throw new IllegalArgumentException("sub-barrier name must be \"<bundle>:<NAME>\": " + name);
        }
    }

    public static SubBarrier global(String name, Stage stage, Action action) {
        return new SubBarrier(name, stage, true, action);
    }

    public static SubBarrier local(String name, Stage stage, Action action) {
        return new SubBarrier(name, stage, false, action);
    }
}
