package dmtcp.mem.linux.api;

/**
 * Bytes of a {@link MemoryRegion} whose contents an image holds.
 *
 * @param offset from the region's start, page aligned
 * @param length page multiple
 */
public record PageRange(long offset, long length) {}
