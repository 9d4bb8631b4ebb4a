package dmtcp.mem.linux.api;

import java.util.List;

/**
 * One line of {@code /proc/PID/maps}, every field parsed, plus the page ranges whose
 * bytes were saved (the rest is restored from the mapped file or is zero).
 *
 * @param start first address
 * @param end address after the last byte
 * @param prot PROT_READ 1 | PROT_WRITE 2 | PROT_EXEC 4
 * @param shared MAP_SHARED ('s') rather than MAP_PRIVATE ('p')
 * @param offset file offset of {@code start}
 * @param devMajor device of the mapped file
 * @param devMinor device of the mapped file
 * @param inode inode of the mapped file, 0 when anonymous
 * @param path the file, a pseudo name such as {@code [heap]}, or "" when anonymous
 * @param saved the ranges whose bytes went to the sink, in address order
 */
public record MemoryRegion(long start, long end, int prot, boolean shared, long offset, int devMajor, int devMinor,
        long inode, String path, List<PageRange> saved) {

    public MemoryRegion {
        saved = List.copyOf(saved);
    }

    public long length() {
        return end - start;
    }

    /** Backed by a file (not anonymous memory, not a kernel pseudo mapping). */
    public boolean isFile() {
        return inode != 0 && path.startsWith("/") && !path.endsWith(" (deleted)");
    }

    /** [vdso], [vvar], [vvar_vclock], [vsyscall]: provided by the kernel, never saved. */
    public boolean isKernelProvided() {
        return path.equals("[vdso]") || path.startsWith("[vvar") || path.equals("[vsyscall]");
    }

    public long savedBytes() {
        long n = 0;
        for (PageRange r : saved) {
            n += r.length();
        }
        return n;
    }

    public MemoryRegion withSaved(List<PageRange> ranges) {
        return new MemoryRegion(start, end, prot, shared, offset, devMajor, devMinor, inode, path, ranges);
    }

    @Override
    public String toString() {
        return String.format("%x-%x %c%c%c%c %08x %02x:%02x %d %s (%d saved bytes)", start, end,
                (prot & 1) != 0 ? 'r' : '-', (prot & 2) != 0 ? 'w' : '-', (prot & 4) != 0 ? 'x' : '-',
                shared ? 's' : 'p', offset, devMajor, devMinor, inode, path, savedBytes());
    }
}
