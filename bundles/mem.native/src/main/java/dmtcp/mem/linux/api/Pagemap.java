package dmtcp.mem.linux.api;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dmtcp.mem.linux.internal.Libc;
import dmtcp.mem.linux.internal.Uio;

/**
 * {@code /proc/PID/pagemap} read from this JVM: one 64-bit entry per virtual page, whose flag
 * bits ({@link Mman#PM_PRESENT}, {@link Mman#PM_SWAP}, {@link Mman#PM_FILE}) are readable
 * unprivileged. Entries come in bulk (one pread per call) into a Java array: a per-page JNA
 * read would cost tens of milliseconds for the reserved-but-untouched arenas of a few threads.
 */
public final class Pagemap implements AutoCloseable {
    /** The most entries one {@link #read} takes. */
    public static final int MAX_ENTRIES = 1 << 16;

    private final String path;
    private final int fd;
    private final Memory buf = new Memory(8L * MAX_ENTRIES);

    private Pagemap(String path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /** Opens the pagemap of {@code pid} (a live thread of the process). */
    public static Pagemap open(int pid) {
        String path = "/proc/" + pid + "/pagemap";
        int fd = Uio.open(path, Uio.O_RDONLY | Uio.O_CLOEXEC, 0);
        if (fd < 0) {
            int errno = Native.getLastError();
            throw new NativeException("open(\"" + path + "\")", errno, Libc.strerror(errno));
        }
        return new Pagemap(path, fd);
    }

    /** Reads the entries of pages {@code firstPage .. firstPage + n - 1} (page numbers: address / PAGE_SIZE) into {@code entries[0..n)}. */
    public void read(long firstPage, long[] entries, int n) {
        if (n > MAX_ENTRIES || n > entries.length) {
            throw new IllegalArgumentException(n + " pagemap entries asked, at most " + Math.min(MAX_ENTRIES, entries.length));
        }
        long want = 8L * n;
        long off = firstPage * 8;
        long got = Uio.pread(fd, Pointer.nativeValue(buf), want, off);
        if (got != want) {
            int errno = got < 0 ? Native.getLastError() : 5;
            throw new NativeException("pread(" + path + ", " + want + ", " + off + ")", errno, Libc.strerror(errno));
        }
        buf.read(0, entries, 0, n);
    }

    @Override
    public void close() {
        Uio.close(fd);
    }
}
