package dmtcp.core.barrier.spi;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The processes this participant speaks for, as the bundle that spawns and restores them
 * keeps them (ckpt.process). core.barrier consumes this service to say hello to the
 * coordinator, to report programs that start and end, to give hooks their processes
 * ({@link StageContext#processes()}, {@link StageContext#restored()}) and to kill the
 * computation, without knowing how a process is spawned, traced or restored.
 */
@ProviderType
public interface ProcessRegistry {

    /** The programs that run now (spawned, or restored and released), in the order they started. */
    List<StageContext.Process> processes();

    /**
     * The processes a restart round rebuilt and holds stopped: from the process plugin's
     * restart hook (the first, see {@link dmtcp.core.barrier.api.Stage#RESTARTING}) until they
     * are released at RUNNING, or killed when the round fails. Empty at any other time.
     */
    List<RestoredProcess> restored();

    /** The first program's name, as the coordinator lists this participant; {@code ?} while none has started. */
    String firstName();

    /** Tells {@code listener} of every program that starts running or ends, from now on. */
    void addListener(Listener listener);

    void removeListener(Listener listener);

    /**
     * This participant will take no part (the coordinator refused it, or it cannot prove it
     * is this user's): a launched program runs on without checkpoints; the programs a
     * restarter expected will not come, and its command exits saying {@code why}.
     */
    void giveUp(String why);

    /**
     * Kills every process of the computation on this side: the programs, all their
     * descendants, and the orphans they left to this JVM (never a helper it started itself).
     *
     * @return what was killed, {@code name[pid]} each
     */
    List<String> killAll();

    /** Told of programs that start and end. */
    interface Listener {
        void started(StageContext.Process process);

        /** @param status how it ended, e.g. {@code exit 0} or {@code signal 9} */
        void ended(StageContext.Process process, String status);
    }
}
