package dmtcp.mem.linux.internal;

import com.sun.jna.Native;

/**
 * &lt;sys/uio.h&gt;: cross-process memory access. {@code struct iovec} is two longs (base, len);
 * iovec arrays are passed as native addresses. Returns bytes transferred or -1 with errno.
 */
public final class Uio {
    static {
        Native.register(Uio.class, "libc.so.6");
    }

    private Uio() {}

    /** sizeof(struct iovec). */
    public static final int IOVEC_SIZE = 16;
    /** UIO_MAXIOV: the most iovecs one call takes. */
    public static final int UIO_MAXIOV = 1024;

    public static native long process_vm_readv(int pid, long localIov, long liovcnt, long remoteIov, long riovcnt, long flags);
    public static native long process_vm_writev(int pid, long localIov, long liovcnt, long remoteIov, long riovcnt, long flags);
    public static native long pread(int fd, long buf, long count, long offset);
    public static native long pwrite(int fd, long buf, long count, long offset);
    public static native int open(String path, int flags, int mode);
    public static native int close(int fd);

    /** &lt;fcntl.h&gt; */
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CLOEXEC = 0x80000;
    public static final int AT_FDCWD = -100;
}
