package dmtcp.ckpt.process.internal.task;

import static dmtcp.mem.linux.api.Sys.*;

import dmtcp.mem.linux.api.Fds;
import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.MemorySource;
import dmtcp.mem.linux.api.Mman;
import dmtcp.mem.linux.api.NativeException;
import dmtcp.mem.linux.api.PageRange;
import dmtcp.mem.linux.api.ProcessState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory at restore (the memory half of CRIU's cr-restore and its restorer blob): the stub's
 * own mappings unmapped, the vDSO moved to where the program had it, every saved region mapped
 * back at its address (a deleted or anonymous shared file as a memfd) and filled from the
 * source; and, before anything starts, the description checked ({@link #validate}).
 */
final class Mappings {
    private Mappings() {}

    private static final long LOWEST = 0x10000;
    private static final long TASK_SIZE = 0x7ffffffff000L;
    /** Bytes of a memfd name the kernel keeps (MFD_NAME_MAX_LEN, mm/memfd.c): the path's end is kept. */
    private static final int MFD_NAME_MAX = 249;
    /** &lt;sys/stat.h&gt; file types. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFCHR = 0020000;

    /**
     * Refuses a process description a restore must not follow, before anything is started:
     * regions out of address order, overlapping or not page aligned, saved ranges outside
     * their region, out of order or not whole pages. A crafted image could otherwise aim one
     * region's saved pages at its neighbour (such as a file mapped shared) or map over what
     * it already wrote.
     *
     * @throws IllegalArgumentException naming the region
     */
    static void validate(ProcessState st) {
        if (st.threads().isEmpty()) {
            throw new IllegalArgumentException("the process description lists no thread");
        }
        long prevEnd = 0;
        for (MemoryRegion r : st.regions()) {
            if (r.start() % Mman.PAGE_SIZE != 0 || r.end() % Mman.PAGE_SIZE != 0 || Long.compareUnsigned(r.end(), r.start()) <= 0
                    || Long.compareUnsigned(r.start(), prevEnd) < 0) {
                throw new IllegalArgumentException("the region " + r + " is not page aligned, empty, or overlaps the one before it");
            }
            long at = 0;
            for (PageRange pr : r.saved()) {
                if (r.isKernelProvided() || pr.offset() % Mman.PAGE_SIZE != 0 || pr.length() <= 0 || pr.length() % Mman.PAGE_SIZE != 0
                        || pr.offset() < at || pr.offset() > r.length() - pr.length()) {
                    throw new IllegalArgumentException("the region " + r + " lists saved pages " + pr + " outside it or out of order");
                }
                at = pr.offset() + pr.length();
            }
            prevEnd = r.end();
        }
    }

    static MemoryRegion find(List<MemoryRegion> l, String path) {
        for (MemoryRegion r : l) {
            if (r.path().equals(path)) {
                return r;
            }
        }
        return null;
    }

    /** The lowest page-aligned hole of {@code size} (plus a guard page each side) between {@code busy} ranges. */
    static long gap(List<long[]> busy, long size) {
        List<long[]> l = new ArrayList<>(busy);
        l.sort(Comparator.comparingLong(x -> x[0]));
        long cand = 0x100000;
        for (long[] b : l) {
            if (b[1] <= cand) {
                continue;
            }
            if (b[0] >= cand + size + 2 * Mman.PAGE_SIZE) {
                return cand + Mman.PAGE_SIZE;
            }
            cand = Math.max(cand, b[1]);
        }
        if (cand + size + 2 * Mman.PAGE_SIZE <= TASK_SIZE) {
            return cand + Mman.PAGE_SIZE;
        }
        throw new IllegalStateException("no free address range of " + size + " bytes");
    }

    /** munmap every hole between what must stay: {@code keep} (the trampoline) and the kernel's [vdso]/[vvar*]/[vsyscall]. */
    static void unmapStub(List<MemoryRegion> stubMaps, long[] trampoline, Calls calls) {
        List<long[]> keep = new ArrayList<>();
        keep.add(trampoline);
        for (MemoryRegion r : stubMaps) {
            if (r.isKernelProvided()) {
                keep.add(new long[] {r.start(), r.end()});
            }
        }
        keep.sort(Comparator.comparingLong(x -> x[0]));
        long from = LOWEST;
        for (long[] k : keep) {
            if (k[0] >= TASK_SIZE) {
                break;
            }
            if (k[0] > from) {
                calls.call("munmap", SYS_munmap, from, k[0] - from);
            }
            from = Math.max(from, k[1]);
        }
        if (from < TASK_SIZE) {
            calls.call("munmap", SYS_munmap, from, TASK_SIZE - from);
        }
    }

    /** mremap [vvar], [vvar_vclock] and [vdso] to their saved addresses, keeping their relative layout. */
    static void moveVdso(List<MemoryRegion> stubMaps, List<MemoryRegion> saved, List<long[]> busy, Calls calls) {
        List<MemoryRegion[]> pairs = new ArrayList<>();
        for (MemoryRegion s : stubMaps) {
            if (!s.isKernelProvided() || s.path().equals("[vsyscall]")) {
                continue;
            }
            MemoryRegion d = find(saved, s.path());
            if (d == null) {
                calls.call("munmap", SYS_munmap, s.start(), s.length());
                continue;
            }
            if (d.length() != s.length() || d.start() - s.start() != pairs.stream().findFirst().map(p -> p[1].start() - p[0].start()).orElse(d.start() - s.start())) {
                throw new IllegalStateException("the vDSO differs from the one at checkpoint time (was the image taken on another kernel?): "
                        + s + " vs saved " + d);
            }
            pairs.add(new MemoryRegion[] {s, d});
        }
        if (pairs.isEmpty() || pairs.get(0)[0].start() == pairs.get(0)[1].start()) {
            return;
        }
        long lo = Long.MAX_VALUE, hi = 0;
        for (MemoryRegion[] p : pairs) {
            lo = Math.min(lo, p[0].start());
            hi = Math.max(hi, p[0].end());
        }
        long tmp = gap(busy, hi - lo);
        for (MemoryRegion[] p : pairs) {
            calls.call("mremap", SYS_mremap, p[0].start(), p[0].length(), p[0].length(), Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED,
                    tmp + (p[0].start() - lo));
        }
        for (MemoryRegion[] p : pairs) {
            calls.call("mremap", SYS_mremap, tmp + (p[0].start() - lo), p[0].length(), p[0].length(),
                    Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, p[1].start());
        }
    }

    /**
     * Maps every saved region at its address with its protection and fills it with its
     * saved pages: all of it inside the process being built, which has not run. A file
     * mapping must be the same file as at checkpoint time ({@link #checkSameFile}). A shared
     * mapping of a file that is there gets its pages from the file: the image's copy of a
     * writable one is read past, never written into the file (the file holds the newer
     * data, and an image is data, not a licence to write the user's files). A writable
     * shared mapping whose file is gone (a JVM's hsperfdata file, which the next JVM deletes)
     * is rebuilt from that copy in a memfd, one per file and sized to its mappings, so that
     * several mappings of the file (or pieces of one split by mprotect) still share their
     * pages at their offsets, and /proc/PID/maps names the file (/memfd:PATH (deleted)).
     */
    static void map(ProcessState st, MemorySource src, Calls calls) throws IOException {
        Map<String, Long> fds = new HashMap<>();
        Map<String, Long> memfds = new HashMap<>();
        ByteBuffer bb = Pages.chunk(st.savedBytes());
        try {
            for (MemoryRegion r : st.regions()) {
                if (r.isKernelProvided()) {
                    continue;
                }
                int flags = (r.shared() ? Mman.MAP_SHARED : Mman.MAP_PRIVATE) | Mman.MAP_FIXED;
                long fd = -1;
                // pages that are the file's own: read past, not written into the mapping
                boolean theFiles = false;
                if (r.isFile()) {
                    boolean there = checkSameFile(r);
                    boolean rw = r.shared() && (r.prot() & Mman.PROT_WRITE) != 0;
                    if (!there && rw && !r.saved().isEmpty()) {
                        Long m = memfds.get(r.path());
                        if (m == null) {
                            m = memfdFor(st, r.path(), calls);
                            memfds.put(r.path(), m);
                        }
                        fd = m;
                    } else if (!there && (r.shared() || r.savedBytes() != r.length())) {
                        throw new IllegalStateException("the file " + r.path() + ", mapped " + (r.shared() ? "shared" : "private")
                                + " at 0x" + Long.toHexString(r.start()) + ", is gone, and the image does not hold "
                                + (r.shared() ? "a copy of it (only writable shared mappings are saved)" : "all its pages"));
                    } else {
                        String key = (rw ? "rw:" : "ro:") + r.path();
                        Long f = fds.get(key);
                        if (f == null) {
                            f = calls.raw(SYS_openat, Fds.AT_FDCWD, calls.putString(r.path()),
                                    (rw ? Fds.O_RDWR : Fds.O_RDONLY) | Fds.O_NOCTTY, 0);
                            fds.put(key, f);
                        }
                        fd = f;
                        if (fd < 0 && (r.shared() || r.savedBytes() != r.length())) {
                            calls.check("open the file mapped at 0x" + Long.toHexString(r.start()) + ": openat", fd,
                                    Fds.AT_FDCWD, calls.putString(r.path()), rw ? Fds.O_RDWR : Fds.O_RDONLY, 0);
                        }
                        theFiles = fd >= 0 && r.shared();
                    }
                }
                long off = 0;
                if (fd < 0) {
                    flags |= Mman.MAP_ANONYMOUS;
                    if (r.path().equals("[stack]")) {
                        flags |= Mman.MAP_GROWSDOWN;
                    }
                } else {
                    off = r.offset();
                }
                String what = "mmap of " + r;
                long a = calls.raw(SYS_mmap, r.start(), r.length(), r.prot(), flags, fd, off);
                if (a == -12 && (flags & Mman.MAP_SHARED) == 0) {
                    // ENOMEM: the kernel will not commit this much private memory, so the program had
                    // it MAP_NORESERVE (maps does not say so): map it the same way
                    a = calls.call(what, SYS_mmap, r.start(), r.length(), r.prot(), flags | Mman.MAP_NORESERVE, fd, off);
                } else {
                    calls.check(what, a, r.start(), r.length(), r.prot(), flags, fd, off);
                }
                if (a != r.start()) {
                    throw new IllegalStateException("mmap of " + r + " landed at 0x" + Long.toHexString(a));
                }
                for (PageRange pr : r.saved()) {
                    long done = 0;
                    while (done < pr.length()) {
                        int n = (int) Math.min(bb.capacity(), pr.length() - done);
                        bb.clear().limit(n);
                        src.read(r, pr.offset() + done, bb);
                        if (bb.hasRemaining()) {
                            throw new IOException("memory source gave " + bb.position() + " of " + n + " bytes for " + r);
                        }
                        if (!theFiles) {
                            calls.mem.write(r.start() + pr.offset() + done, bb.flip());
                        }
                        done += n;
                    }
                }
            }
        } finally {
            for (Map<String, Long> m : List.of(fds, memfds)) {
                for (long fd : m.values()) {
                    if (fd >= 0) {
                        calls.raw(SYS_close, fd);
                    }
                }
            }
        }
    }

    /**
     * A memfd standing for a shared file that is gone, as large as the furthest of its
     * mappings reaches. Says so on stderr: the pages the program had not touched at
     * checkpoint time were not saved and read as zeros.
     */
    private static long memfdFor(ProcessState st, String path, Calls calls) {
        long size = 0;
        long saved = 0;
        for (MemoryRegion r : st.regions()) {
            if (r.shared() && r.path().equals(path)) {
                size = Math.max(size, r.offset() + r.length());
                saved += r.savedBytes();
            }
        }
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        String shown = name.length <= MFD_NAME_MAX ? path : new String(name, name.length - MFD_NAME_MAX, MFD_NAME_MAX,
                StandardCharsets.UTF_8);
        long fd = calls.call("memfd_create", SYS_memfd_create, calls.putString(shown), MFD_CLOEXEC);
        calls.call("ftruncate(memfd for " + path + ")", SYS_ftruncate, fd, size);
        System.err.println("dmtcp restore: " + path + ", mapped shared, is gone: its mappings are rebuilt from the "
                + (saved >> 10) + " KiB the image holds (what the program had not touched reads as zeros)");
        return fd;
    }

    /**
     * A file mapped at checkpoint time must still be the same file (same inode): mapping a
     * rebuilt library or executable under the saved pages would corrupt the process. It
     * must be a regular file or a device (as /dev/zero): opening a FIFO or socket named in
     * an image would block the restore or have effects outside it.
     *
     * @return true when it is there, false when it is gone
     */
    static boolean checkSameFile(MemoryRegion r) {
        Map<String, Object> a;
        try {
            a = java.nio.file.Files.readAttributes(java.nio.file.Path.of(r.path()), "unix:ino,mode");
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            return true; // cannot tell; the injected openat reports what is wrong
        }
        int type = (Integer) a.get("mode") & S_IFMT;
        if (type != S_IFREG && type != S_IFCHR && type != S_IFBLK) {
            throw new IllegalStateException("the file " + r.path() + " mapped at 0x" + Long.toHexString(r.start())
                    + " is not a regular file now (mode 0" + Integer.toOctalString((Integer) a.get("mode")) + "): not opened");
        }
        long ino = (Long) a.get("ino");
        if (ino != r.inode()) {
            throw new NativeException("restore mapping of " + r.path(), 116,
                    "the file was replaced since the checkpoint (inode " + r.inode() + " then, " + ino + " now)");
        }
        return true;
    }
}
