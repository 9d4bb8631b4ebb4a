package dmtcp.mem.linux.api;

import dmtcp.mem.linux.internal.Libc;
import dmtcp.mem.linux.internal.Uio;
import java.nio.ByteBuffer;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dmtcp.mem.linux.api.NativeException;

/**
 * Reading and writing another process's memory: {@code process_vm_readv} where the pages
 * are readable, {@code /proc/PID/mem} (which the kernel serves with FOLL_FORCE, so it also
 * reaches read-only and PROT_NONE pages) where they are not, and for every write. Bulk
 * transfers go straight between the tracee and a direct {@link ByteBuffer} (no copy through
 * the Java heap): a dump streams its pages with {@link #readv}, a restore fills them with
 * {@link #write(long, ByteBuffer)}. Not thread-safe; one instance per tracee and use.
 */
public final class ProcessMemory implements AutoCloseable {
    private final int pid;
    private int memFd = -1;
    private final Memory iov = new Memory(16L * Uio.UIO_MAXIOV);
    private final Memory local = new Memory(16);

    public ProcessMemory(int pid) {
        this.pid = pid;
    }

    public int pid() {
        return pid;
    }

    private int memFd() {
        if (memFd < 0) {
            String path = "/proc/" + pid + "/mem";
            memFd = Uio.open(path, Uio.O_RDWR | Uio.O_CLOEXEC, 0);
            if (memFd < 0) {
                int errno = Native.getLastError();
                throw new NativeException("open(\"" + path + "\", O_RDWR)", errno, Libc.strerror(errno));
            }
        }
        return memFd;
    }

    /** The most ranges one {@code process_vm_readv} takes (UIO_MAXIOV); {@link #readv} takes more in several calls. */
    public static final int MAX_RANGES = Uio.UIO_MAXIOV;

    /**
     * Reads the remote ranges {@code (addrs[i], lens[i])} for i in [from, to) into the direct
     * buffer {@code dst} back to back, from its position (which is left as it was; the caller
     * slices the bytes by the lengths). process_vm_readv first; what it could not read comes
     * from /proc/PID/mem.
     */
    public void readv(ByteBuffer dst, long[] addrs, long[] lens, int from, int to) {
        long total = 0;
        for (int i = from; i < to; i++) {
            total += lens[i];
        }
        readv(address(dst, total), addrs, lens, from, to);
    }

    /** Writes the bytes of the direct buffer {@code src} from its position to its limit at {@code addr} (through /proc/PID/mem). */
    public void write(long addr, ByteBuffer src) {
        writeMem(addr, address(src, src.remaining()), src.remaining());
    }

    /** The native address of a direct buffer's position, checked to hold {@code len} bytes from there. */
    private static long address(ByteBuffer b, long len) {
        if (!b.isDirect()) {
            throw new IllegalArgumentException("a bulk transfer needs a direct buffer (ByteBuffer.allocateDirect)");
        }
        if (len > b.remaining()) {
            throw new IllegalArgumentException(len + " bytes asked of a buffer with " + b.remaining() + " left");
        }
        return Pointer.nativeValue(Native.getDirectBufferPointer(b)) + b.position();
    }

    private void readv(long buf, long[] addrs, long[] lens, int from, int to) {
        int i = from;
        long dst = buf;
        while (i < to) {
            int n = Math.min(to - i, Uio.UIO_MAXIOV);
            long total = 0;
            for (int k = 0; k < n; k++) {
                iov.setLong(16L * k, addrs[i + k]);
                iov.setLong(16L * k + 8, lens[i + k]);
                total += lens[i + k];
            }
            local.setLong(0, dst);
            local.setLong(8, total);
            long got = Uio.process_vm_readv(pid, Pointer.nativeValue(local), 1, Pointer.nativeValue(iov), n, 0);
            if (got < 0) {
                got = 0;
            }
            // skip the ranges read whole; finish the rest through /proc/PID/mem
            long done = 0;
            int k = 0;
            while (k < n && done + lens[i + k] <= got) {
                done += lens[i + k];
                k++;
            }
            if (k < n) {
                long part = got - done;
                readMem(dst + got, addrs[i + k] + part, lens[i + k] - part);
                done += lens[i + k];
                k++;
            }
            dst += done;
            i += k;
        }
    }

    /** pread from /proc/PID/mem, all {@code len} bytes or an error. */
    private void readMem(long buf, long addr, long len) {
        whole("pread", Uio::pread, buf, addr, len);
    }

    /** pwrite to /proc/PID/mem, all {@code len} bytes or an error. */
    private void writeMem(long addr, long buf, long len) {
        whole("pwrite", Uio::pwrite, buf, addr, len);
    }

    /** {@code pread} or {@code pwrite} at /proc/PID/mem. */
    private interface MemIo {
        long call(int fd, long buf, long count, long offset);
    }

    /** {@code io} repeated until all {@code len} bytes at {@code addr} are done; an error or end of file is a NativeException. */
    private void whole(String name, MemIo io, long buf, long addr, long len) {
        int fd = memFd();
        while (len > 0) {
            long r = io.call(fd, buf, len, addr);
            if (r <= 0) {
                int errno = r < 0 ? Native.getLastError() : 5;
                throw new NativeException(name + "(/proc/" + pid + "/mem, 0x" + Long.toHexString(addr) + ", " + len + ")", errno, Libc.strerror(errno));
            }
            buf += r;
            addr += r;
            len -= r;
        }
    }

    public byte[] read(long addr, int len) {
        Memory m = new Memory(Math.max(1, len));
        readv(Pointer.nativeValue(m), new long[] {addr}, new long[] {len}, 0, 1);
        return m.getByteArray(0, len);
    }

    public void write(long addr, byte[] data) {
        Memory m = new Memory(Math.max(1, data.length));
        m.write(0, data, 0, data.length);
        writeMem(addr, Pointer.nativeValue(m), data.length);
    }

    @Override
    public void close() {
        if (memFd >= 0) {
            Uio.close(memFd);
            memFd = -1;
        }
    }
}
