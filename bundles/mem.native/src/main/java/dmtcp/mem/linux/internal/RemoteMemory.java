package dmtcp.mem.linux.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dmtcp.mem.linux.api.NativeException;

/**
 * Reading and writing another process's memory: {@code process_vm_readv} where the pages
 * are readable, {@code /proc/PID/mem} (which the kernel serves with FOLL_FORCE, so it also
 * reaches read-only and PROT_NONE pages) where they are not, and for every write.
 */
public final class RemoteMemory implements AutoCloseable {
    private final int pid;
    private int memFd = -1;
    private final Memory iov = new Memory(16L * Uio.UIO_MAXIOV);
    private final Memory local = new Memory(16);

    public RemoteMemory(int pid) {
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

    /**
     * Reads the remote ranges {@code (addrs[i], lens[i])} for i in [from, to) into
     * {@code buf} back to back. process_vm_readv first; what it could not read comes
     * from /proc/PID/mem.
     */
    public void readv(long buf, long[] addrs, long[] lens, int from, int to) {
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
    public void readMem(long buf, long addr, long len) {
        int fd = memFd();
        while (len > 0) {
            long r = Uio.pread(fd, buf, len, addr);
            if (r <= 0) {
                int errno = r < 0 ? Native.getLastError() : 5;
                throw new NativeException("pread(/proc/" + pid + "/mem, 0x" + Long.toHexString(addr) + ", " + len + ")", errno, Libc.strerror(errno));
            }
            buf += r;
            addr += r;
            len -= r;
        }
    }

    /** pwrite to /proc/PID/mem, all {@code len} bytes or an error. */
    public void writeMem(long addr, long buf, long len) {
        int fd = memFd();
        while (len > 0) {
            long r = Uio.pwrite(fd, buf, len, addr);
            if (r <= 0) {
                int errno = r < 0 ? Native.getLastError() : 5;
                throw new NativeException("pwrite(/proc/" + pid + "/mem, 0x" + Long.toHexString(addr) + ", " + len + ")", errno, Libc.strerror(errno));
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
