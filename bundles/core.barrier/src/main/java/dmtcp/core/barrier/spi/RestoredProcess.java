package dmtcp.core.barrier.spi;

import java.nio.file.Path;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A process a restart round rebuilt from its image and holds stopped: every thread exists,
 * with its memory, registers and fds, but none has run a step since the checkpoint. Hooks
 * see it from RESTARTING (after the process plugin rebuilt it) through REFILLED
 * ({@link StageContext#restored()}); it runs from RUNNING on, where it becomes one of
 * {@link StageContext#processes()}. It keeps its unique id (and so its image name) across
 * restarts; its pid is new.
 */
@ProviderType
public interface RestoredProcess {

    /** Its new pid. */
    int pid();

    /** Its program name, as ps shows it. */
    String name();

    List<String> argv();

    /** DMTCP's unique process id, the one it had when checkpointed. */
    String uniqueId();

    /** The image it was rebuilt from. */
    Path image();

    /**
     * A richer view of the held process, when the bundle that rebuilt it offers one of
     * {@code type}; null otherwise. This is where the resource-handler SPI gives a handler
     * what only a held process allows (reading and writing its memory, injecting syscalls)
     * without this package naming the process engine's types.
     */
    default <A> A adapt(Class<A> type) {
        return null;
    }
}
