package dmtcp.ckpt.process.spi;

import dmtcp.image.format.schema.RecordReader;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.FdInfo;
import java.io.IOException;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Saves and re-creates the file descriptors of some kinds (CRIU's fdtype_ops): registered as
 * an OSGi service, found by the process engine's dispatcher. At each checkpoint the dispatcher
 * offers every fd of every process to the handlers in the order of their {@code
 * service.ranking} (highest first) and the first that {@linkplain #claims claims} it saves it;
 * an fd that none claims refuses the checkpoint, naming the fd and its kind, before anything of
 * the dump is done (the program runs on). At restart each saved fd goes to the handler that
 * lists its kind in {@link #kinds()}; a kind no installed handler knows stops the restart
 * before the process ever ran.
 *
 * <p>Every method runs on the tracer thread while the process is frozen (dump) or held
 * stopped (restore): be quick, and do not block on anything the program could hold.
 */
@ConsumerType
public interface FdHandler {
    /** The kinds of records this handler writes and restores (e.g. "pipe", "eventfd"): unique among the installed handlers. */
    Set<String> kinds();

    /**
     * Whether this handler saves {@code fd}. Called for every fd before anything is injected;
     * looks at /proc only ({@link FdInfo}, the rest of the table in {@code ctx.fds()}). Throw a
     * {@link dmtcp.mem.linux.api.UnsupportedFdException} to refuse the checkpoint with a reason of
     * your own (e.g. "a pipe whose other end another process holds").
     */
    boolean claims(FdInfo fd, DumpContext ctx) throws IOException;

    /**
     * Saves a claimed fd into {@code out} (its number, flags and close-on-exec are saved by the
     * dispatcher) and returns the kind of the record (one of {@link #kinds()}). The process is
     * frozen; calls may be injected through {@code ctx.process()} but must leave the program as
     * it was.
     */
    String dump(FdInfo fd, DumpContext ctx, RecordWriter out) throws IOException;

    /** The version of the records this handler writes now; {@link #restore} gets the version a record was written with. */
    default int version() {
        return 1;
    }

    /** When {@link #restore} runs for this saved fd (default: before the threads exist). */
    default RestorePhase phase(SavedFd fd) {
        return RestorePhase.BEFORE_THREADS;
    }

    /**
     * Re-creates a saved fd under its number ({@link RestoreContext#install}) in the process
     * being rebuilt; called in {@link #phase}, in fd order within a phase. A record of a version
     * this handler cannot read must be refused with an IOException naming the version.
     */
    void restore(SavedFd fd, RestoreContext ctx) throws IOException;

    /**
     * Just before the rebuilt process runs, after every fd of it was restored (e.g. arm a
     * timer, give a terminal its saved settings). Nothing may fail here that could have failed earlier.
     */
    default void release(SavedFd fd, RestoreContext ctx) throws IOException {}

    /** A saved fd: what the dispatcher kept of every fd, and the handler's own record. */
    record SavedFd(int fd, String kind, int version, int flags, boolean cloexec, RecordReader data) {
        @Override
        public String toString() {
            return "fd " + fd + " (" + kind + ")";
        }
    }
}
