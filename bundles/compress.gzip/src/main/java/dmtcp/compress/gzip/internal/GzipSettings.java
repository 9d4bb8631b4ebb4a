package dmtcp.compress.gzip.internal;

/**
 * How the codec cuts and compresses a stream.
 *
 * @param level deflate level 0-9 of compressible segments; 0 stores everything
 * @param blockSize bytes of input per gzip member; members are compressed in parallel
 * @param threads compressing threads of the codec's shared pool
 * @param blocksInFlightPerThread blocks one stream may have queued or compressing per
 *     thread before its writer waits (back-pressure; bounds memory)
 * @param storeRatio a segment whose sample deflates to at least this fraction of its size
 *     is stored, not deflated
 */
public record GzipSettings(int level, int blockSize, int threads, int blocksInFlightPerThread, double storeRatio) {

    /** Deflate's stored blocks hold at most this many bytes. */
    static final int MAX_STORED = 65535;

    /** The largest block: a member's sizes are written as 32-bit fields. */
    static final int MAX_BLOCK = 256 << 20;

    public GzipSettings {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("gzip level must be 0-9, not " + level);
        }
        if (blockSize < 4096 || blockSize > MAX_BLOCK) {
            throw new IllegalArgumentException("gzip block size must be 4 KiB-256 MiB, not " + blockSize);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("gzip threads must be >= 1, not " + threads);
        }
        if (blocksInFlightPerThread < 1) {
            throw new IllegalArgumentException("gzip blocks in flight per thread must be >= 1, not "
                    + blocksInFlightPerThread);
        }
        if (!(storeRatio > 0)) {
            throw new IllegalArgumentException("gzip store ratio must be > 0, not " + storeRatio);
        }
    }

    /** Level 1 (like {@code gzip -1}), 1 MiB blocks, all cores, 2 blocks per core, store at 90 %. */
    public static GzipSettings defaults() {
        return new GzipSettings(1, 1 << 20, Runtime.getRuntime().availableProcessors(), 2, 0.9);
    }

    public GzipSettings withLevel(int newLevel) {
        return new GzipSettings(newLevel, blockSize, threads, blocksInFlightPerThread, storeRatio);
    }

    public GzipSettings withBlockSize(int newBlockSize) {
        return new GzipSettings(level, newBlockSize, threads, blocksInFlightPerThread, storeRatio);
    }

    public GzipSettings withThreads(int newThreads) {
        return new GzipSettings(level, blockSize, newThreads, blocksInFlightPerThread, storeRatio);
    }

    /** Blocks one stream may have in flight before {@code write} waits. */
    int maxInFlight() {
        return threads * blocksInFlightPerThread;
    }
}
