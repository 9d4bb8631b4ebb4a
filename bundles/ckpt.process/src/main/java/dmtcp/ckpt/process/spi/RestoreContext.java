package dmtcp.ckpt.process.spi;

import dmtcp.mem.linux.api.RemoteProcess;
import java.util.List;
import java.util.function.Supplier;
import org.osgi.annotation.versioning.ProviderType;

/** What a handler sees of the process it re-creates a saved fd in. */
@ProviderType
public interface RestoreContext {
    /** The process being rebuilt, held stopped: injected calls, its memory, scratch memory. */
    RemoteProcess process();

    /** Every fd saved for the process, in fd order. */
    List<FdHandler.SavedFd> fds();

    /**
     * The restarter's own standard stream {@code n} (0-2) as the process being rebuilt holds
     * it during the {@link RestorePhase#BEFORE_THREADS} phase (an fd number above every saved
     * one; dup it to where it belongs), or -1 when the restarter has it closed or the phase is over.
     */
    int restarterStream(int n);

    /** What the restarter's standard stream {@code n} is (the target of its /proc/PID/fd/N), or null when closed. */
    String restarterTarget(int n);

    /**
     * Puts {@code fd}, a descriptor just created in the process, under the saved fd's number
     * with its close-on-exec flag (dup3 and close, or only F_SETFD when already there).
     */
    void install(long fd, FdHandler.SavedFd saved);

    /** State a handler keeps for the whole restore of the process, made by {@code make} at the first call. */
    <T> T shared(String key, Supplier<T> make);

    /** The program's name (comm), for messages. */
    String program();
}
