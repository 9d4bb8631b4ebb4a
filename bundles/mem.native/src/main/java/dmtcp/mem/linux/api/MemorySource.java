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
}
