package dmtcp.mem.linux.api;

import dmtcp.mem.linux.internal.PipeCopies;
import java.nio.file.Path;
import java.util.List;

/**
 * A pipe or FIFO of another process, from this JVM, through a fresh open of one of its fd
 * links {@code /proc/PID/fd/N} (either end: the link opens the pipe itself). Opening it takes
 * the same right as reading that process's memory (this JVM traces it). Nothing blocks.
 * Failures are {@link NativeException}s naming the call.
 */
public final class Pipes {
    private Pipes() {}

    /** Its capacity in bytes (F_GETPIPE_SZ). */
    public static int capacity(Path link) {
        return PipeCopies.capacity(link);
    }

    /**
     * The bytes waiting in it, <em>left there</em>: its buffers are duplicated by {@code tee(2)}
     * into a private pipe of the same capacity and only that copy is read. The list is the
     * reads of the copy: in packet mode (O_DIRECT writers) one element per packet, else
     * chunks to be joined. Empty when the pipe is. Nobody may read or write the pipe meanwhile
     * (the processes that hold it are frozen).
     */
    public static List<byte[]> peek(Path link) {
        return PipeCopies.peek(link);
    }

    /**
     * Appends {@code chunks} to it, each with one write; with {@code packets}, through an
     * O_DIRECT open, so that each chunk (at most a page) becomes one packet. They must fit:
     * a full pipe is an error (EAGAIN), not a wait.
     */
    public static void fill(Path link, List<byte[]> chunks, boolean packets) {
        PipeCopies.fill(link, chunks, packets);
    }
}
