package dmtcp.core.barrier.spi;

import dmtcp.core.barrier.api.Stage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** What a hook sees of the round it runs in. */
@ProviderType
public interface StageContext {

    /**
     * A process this participant speaks for.
     *
     * @param uniqueId DMTCP's unique process id: stays the same across restarts (images are named after it)
     */
    record Process(int pid, String name, List<String> argv, String uniqueId) {}

    Stage stage();

    /** The coordinator's round number. */
    long round();

    /** This participant's id at the coordinator. */
    int participantId();

    /**
     * The processes this participant launched or restarted and which run. In a restart
     * round they run only from RUNNING on: until then see {@link #restored()}.
     */
    List<Process> processes();

    /**
     * The processes this restart round rebuilt and holds stopped, in the order of their
     * images: at RESTARTING once the process plugin's hook has rebuilt them (it runs first),
     * and at CHECKPOINTED and REFILLED; empty in a checkpoint round and from RUNNING on
     * (where they are released and become {@link #processes()}). A plugin's restart and
     * refill hooks act on them before they run a step.
     */
    List<RestoredProcess> restored();

    /** Where checkpoint images go (DMTCP_CHECKPOINT_DIR, default the working directory). */
    Path checkpointDir();

    /** Publishes a key/value pair through the coordinator; visible to every participant until the round ends. */
    void publish(String key, String value);

    /** Looks a key up at the coordinator; empty when no participant published it (yet). */
    Optional<String> query(String key);

    /**
     * Waits for a global sub-barrier this participant declared; used by the engine, and
     * by hooks that need an ad hoc barrier on a declared name.
     *
     * @throws java.util.concurrent.TimeoutException when the coordinator does not release it in time
     */
    void awaitBarrier(String name, Duration timeout) throws Exception;

    /**
     * Reports an image this participant wrote for this round. Write it under a temporary
     * name: the participant renames it to {@code target} only once the coordinator has
     * confirmed that every participant wrote its images (the start of REFILLED), and
     * deletes it if the round is aborted, so a failed round never replaces a good image.
     * The image it replaces is removed after the rename, off the round, under the name
     * {@code .<target name>.<pid>-<n>.tmp} meanwhile.
     */
    void addImage(Path temporary, Path target);

    /**
     * Reports how far this participant is in a long stage (image bytes written of those it
     * will write, for all its processes together). The coordinator shows it to the user
     * waiting (dmtcp_command -bc, -s, the console). Call it as often as you like: it is sent
     * at most every 100 ms, and the last call of a stage is what counts.
     */
    default void progress(long done, long total) {}
}
