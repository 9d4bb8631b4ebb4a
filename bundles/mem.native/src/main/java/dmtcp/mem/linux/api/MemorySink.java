package dmtcp.mem.linux.api;

import java.nio.ByteBuffer;

/**
 * Receives a process's memory while it is dumped, in address order, one saved page range
 * (or a piece of one) at a time. Called on the tracer thread while the process is frozen:
 * be quick, and copy what you keep: the buffer is reused after the call returns.
 */
@FunctionalInterface
public interface MemorySink {
    /**
     * @param region the mapping the bytes belong to
     * @param offset of the first byte from {@code region.start()}
     * @param data the bytes, position to limit
     */
    void write(MemoryRegion region, long offset, ByteBuffer data) throws java.io.IOException;

    /**
     * Called once, before the first {@link #write}, with the whole description of the
     * process (its regions already list the page ranges about to be written), so that an
     * image can hold the description ahead of the bytes and be restored in one pass.
     */
    default void describe(ProcessState state) throws java.io.IOException {}
}
