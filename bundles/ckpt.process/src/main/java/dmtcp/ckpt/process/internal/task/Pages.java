package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.MemorySink;
import dmtcp.mem.linux.api.Mman;
import dmtcp.mem.linux.api.PageRange;
import dmtcp.mem.linux.api.Pagemap;
import dmtcp.mem.linux.api.ProcessMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory at dump time (CRIU's mem.c): which pages of each mapping are saved, read from
 * /proc/PID/pagemap, and their bytes streamed to the sink, many ranges per
 * process_vm_readv, into one reusable direct buffer the sink reads in place.
 */
final class Pages {
    private Pages() {}

    /** The largest transfer buffer (the restore fills pages through it too). */
    static final int CHUNK = 32 << 20;
    /** The smallest: what a small program's dump or restore needs at most. */
    private static final int MIN_CHUNK = 1 << 20;
    private static ByteBuffer chunk;

    /**
     * The transfer buffer, direct (the tracee's pages go straight into it, and from it), the
     * tracer thread's only: at least {@code want} bytes up to {@link #CHUNK}. It grows to what
     * the processes dumped or restored so far needed, no further: a direct buffer is zeroed
     * when allocated, and a small program's restore must not pay for touching 32 MiB.
     */
    static ByteBuffer chunk(long want) {
        int size = (int) Math.min(CHUNK, Math.max(MIN_CHUNK, want));
        if (chunk == null || chunk.capacity() < size) {
            chunk = null; // the old one may go before the new one is allocated
            chunk = ByteBuffer.allocateDirect(size);
        }
        return chunk.clear();
    }

    /**
     * Which pages of each region carry data the mapping alone cannot give back: in anonymous
     * memory the present and swapped pages; in a private file mapping those no longer the
     * file's (written to, copied on write); in a writable shared file mapping the present
     * ones, which a restart uses only when the file is gone (the JVM's hsperfdata file, which
     * the next JVM deletes), never to write into a file that is there; in a read-only shared
     * file mapping none (the file is the data).
     */
    static List<MemoryRegion> saved(int live, List<MemoryRegion> regions) {
        int maxPages = Pagemap.MAX_ENTRIES;
        long[] entries = new long[maxPages];
        List<MemoryRegion> out = new ArrayList<>();
        try (Pagemap pm = Pagemap.open(live)) {
            for (MemoryRegion r : regions) {
                boolean sharedFile = r.shared() && r.isFile();
                if (r.isKernelProvided() || (sharedFile && (r.prot() & Mman.PROT_WRITE) == 0)) {
                    out.add(r);
                    continue;
                }
                List<PageRange> ranges = new ArrayList<>();
                // a shared mapping's pages are the file's page cache (PM_FILE): present is what counts
                boolean fileBacked = r.isFile() && !sharedFile;
                boolean all = !fileBacked && r.inode() != 0 && !r.shared(); // private map of a deleted file
                long pages = r.length() / Mman.PAGE_SIZE;
                long runStart = -1;
                for (long p0 = 0; p0 < pages; p0 += maxPages) {
                    int n = (int) Math.min(maxPages, pages - p0);
                    if (!all) {
                        pm.read(r.start() / Mman.PAGE_SIZE + p0, entries, n);
                    }
                    for (int i = 0; i < n; i++) {
                        boolean keep;
                        if (all) {
                            keep = true;
                        } else {
                            long e = entries[i];
                            boolean present = (e & Mman.PM_PRESENT) != 0;
                            boolean swapped = (e & Mman.PM_SWAP) != 0;
                            keep = fileBacked ? (present && (e & Mman.PM_FILE) == 0) || swapped : present || swapped;
                        }
                        long page = p0 + i;
                        if (keep && runStart < 0) {
                            runStart = page;
                        } else if (!keep && runStart >= 0) {
                            ranges.add(new PageRange(runStart * Mman.PAGE_SIZE, (page - runStart) * Mman.PAGE_SIZE));
                            runStart = -1;
                        }
                    }
                }
                if (runStart >= 0) {
                    ranges.add(new PageRange(runStart * Mman.PAGE_SIZE, (pages - runStart) * Mman.PAGE_SIZE));
                }
                out.add(r.withSaved(ranges));
            }
        }
        return out;
    }

    /** Reads every saved range, many per process_vm_readv, and hands them to the sink. */
    static void stream(ProcessMemory mem, List<MemoryRegion> regions, MemorySink sink) throws IOException {
        long total = 0;
        for (MemoryRegion r : regions) {
            total += r.savedBytes();
        }
        ByteBuffer bb = chunk(total);
        int cap = bb.capacity();
        long[] addrs = new long[ProcessMemory.MAX_RANGES];
        long[] lens = new long[ProcessMemory.MAX_RANGES];
        MemoryRegion[] owner = new MemoryRegion[ProcessMemory.MAX_RANGES];
        int n = 0;
        long used = 0;
        for (MemoryRegion r : regions) {
            for (PageRange pr : r.saved()) {
                long off = pr.offset();
                long left = pr.length();
                while (left > 0) {
                    if (n == addrs.length || used == cap) {
                        flush(mem, bb, addrs, lens, owner, n, sink);
                        n = 0;
                        used = 0;
                    }
                    long len = Math.min(left, cap - used);
                    addrs[n] = r.start() + off;
                    lens[n] = len;
                    owner[n] = r;
                    n++;
                    used += len;
                    off += len;
                    left -= len;
                }
            }
        }
        flush(mem, bb, addrs, lens, owner, n, sink);
    }

    private static void flush(ProcessMemory mem, ByteBuffer bb, long[] addrs, long[] lens, MemoryRegion[] owner, int n,
            MemorySink sink) throws IOException {
        if (n == 0) {
            return;
        }
        bb.clear();
        mem.readv(bb, addrs, lens, 0, n);
        long pos = 0;
        for (int i = 0; i < n; i++) {
            bb.limit((int) (pos + lens[i])).position((int) pos);
            sink.write(owner[i], addrs[i] - owner[i].start(), bb);
            bb.clear();
            pos += lens[i];
        }
    }
}
