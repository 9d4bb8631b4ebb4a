package dmtcp.mem.linux.api;

/**
 * The mm_struct fields {@code prctl(PR_SET_MM, PR_SET_MM_MAP)} restores (from
 * /proc/PID/stat and an injected {@code brk(0)}).
 */
public record MmLayout(long startCode, long endCode, long startData, long endData, long startBrk, long brk,
        long startStack, long argStart, long argEnd, long envStart, long envEnd) {}
