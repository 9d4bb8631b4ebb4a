package dmtcp.core.boot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The images one dmtcp_restart was given, checked before anything starts, in this order:
 * {@link #refusal}, {@link #keepNewest}, {@link #lock}, then {@link #restoreAhead}. Each
 * image's head is read once, by the first call that needs it.
 */
@ProviderType
public interface Restart {

    /** The images to restart: those given, less those {@link #keepNewest} skipped. */
    List<Path> images();

    /**
     * Why these images may not be restarted (one cannot be read or is no DMTCP image; its
     * process still runs on this host), or empty.
     */
    Optional<String> refusal();

    /**
     * Of several images of one process (the same unique id) keeps only the newest, by the
     * checkpoint's creation time, then its round: restoring both would run two copies.
     *
     * @return one line per image skipped
     */
    List<String> keepNewest() throws IOException;

    /**
     * Takes the restart lock of every image's process in {@code dir} (the user's private
     * folder), held while the restored processes live: a second restart of a process is
     * refused, under whatever coordinator, while this one runs.
     *
     * @return why not (no lock is kept then), or empty
     */
    Optional<String> lock(Path dir);

    /** The unique ids of the images' processes (the coordinator refuses them while they run). */
    List<String> uniqueIds() throws IOException;

    /**
     * Makes this JVM the child subreaper its restored processes will need, expects one
     * program per image, and starts rebuilding them on a background thread, each held
     * stopped until the restart round lets it run; returns at once. The images are decoded
     * with the stream codecs {@code providers} finds; an image none of them decodes is
     * restored (or refused) by the restart round instead.
     */
    void restoreAhead(Providers providers);

    /**
     * As {@link #restoreAhead}, for one image, in a process of this user rather than a child
     * of this JVM (the agent's client: doc/architecture.md, The agent): {@code pid} is seized
     * (ptrace) while it waits, then {@code exec} is given the executable it must exec (on the
     * restore's thread); its exec is the restore's stub, and it becomes the restored process,
     * whose parent is its own.
     */
    void restoreAheadInto(Providers providers, int pid, java.util.function.Consumer<String> exec);
}
