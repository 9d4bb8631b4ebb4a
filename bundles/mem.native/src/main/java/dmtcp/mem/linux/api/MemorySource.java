package dmtcp.mem.linux.api;

import java.nio.ByteBuffer;

/**
 * Gives back, at restore, the bytes a {@link MemorySink} received: asked for every
 * {@link PageRange} of every region, in the order they were dumped, possibly in pieces.
 */
@FunctionalInterface
public interface MemorySource {
    /**
     * Fills {@code dst} from its position to its limit with the bytes saved at
     * {@code region.start() + offset}.
     */
    void read(MemoryRegion region, long offset, ByteBuffer dst) throws java.io.IOException;

    /**
     * Called once, after the last saved page was read and before the restore does anything
     * outside the process it builds (opening its files, re-creating deleted ones, any write
     * that would outlive it): a source that can check what follows the pages (an image: its
     * inventory and trailer) does so now, and throws if it is not intact. Until then the
     * restore has only filled the memory of a process that has not run.
     */
    default void end() throws java.io.IOException {}
}
