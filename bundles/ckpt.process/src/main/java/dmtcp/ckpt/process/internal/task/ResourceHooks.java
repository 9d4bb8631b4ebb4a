package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.RemoteProcess;
import dmtcp.mem.linux.api.UnsupportedFdException;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What the engine calls for the resources it does not save itself (file descriptors today):
 * the seam between the dump and restore of the core task state (this package) and the resource
 * handlers (the dispatcher of dmtcp.ckpt.process, see its spi package). The dump calls {@link
 * #claim} before anything is injected, then {@link #dump} while the process is frozen; the
 * restore calls {@link #beforeThreads} once memory and mm layout are back, {@link
 * #afterThreads} once every thread exists, and {@link #release} just before the process runs.
 * All on the tracer thread.
 */
public interface ResourceHooks {
    /**
     * The open fds of the frozen process, before anything of the dump is done: throw (an
     * {@link UnsupportedFdException}) to refuse the checkpoint; the process then runs on.
     */
    default void claim(List<FdInfo> fds) throws IOException {
        if (!fds.isEmpty()) {
            FdInfo f = fds.get(0);
            throw new UnsupportedFdException(f.fd(), "an fd no resource handler saves", f.target());
        }
    }

    /** Saves what was claimed; the process is frozen and calls may be injected. */
    default void dump(RemoteProcess process) throws IOException {}

    /** At restore, memory and mm layout rebuilt, no thread but the leader yet: re-create the fds. */
    default void beforeThreads(RemoteProcess process) throws IOException {}

    /** At restore, every thread re-created (old tid to new tid), signals re-queued, timers created but not armed. */
    default void afterThreads(RemoteProcess process, Map<Integer, Integer> tids) throws IOException {}

    /** Just before the held process runs (timers are armed right after). */
    default void release(RemoteProcess process) throws IOException {}

    /** Hooks that save no resource: a process with an open fd is refused. */
    ResourceHooks NONE = new ResourceHooks() {};
}
