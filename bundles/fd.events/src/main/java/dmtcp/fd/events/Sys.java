package dmtcp.fd.events;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The x86-64 syscall numbers and kernel constants the event handlers inject (named as in the kernel headers). */
final class Sys {
    private Sys() {}

    static final long SYS_READ = 0, SYS_WRITE = 1, SYS_CLOSE = 3, SYS_IOCTL = 16, SYS_CLOCK_GETTIME = 228, SYS_EPOLL_WAIT = 232,
            SYS_EPOLL_CTL = 233, SYS_INOTIFY_ADD_WATCH = 254, SYS_INOTIFY_RM_WATCH = 255, SYS_TIMERFD_CREATE = 283,
            SYS_TIMERFD_SETTIME = 286, SYS_TIMERFD_GETTIME = 287, SYS_SIGNALFD4 = 289, SYS_EVENTFD2 = 290, SYS_EPOLL_CREATE1 = 291,
            SYS_DUP3 = 292, SYS_INOTIFY_INIT1 = 294, SYS_KCMP = 312;

    /** &lt;fcntl.h&gt; (octal as in the headers). */
    static final int O_NONBLOCK = 04000, O_ASYNC = 020000, O_CLOEXEC = 02000000;

    /** &lt;sys/eventfd.h&gt;: EFD_NONBLOCK and EFD_CLOEXEC are O_NONBLOCK and O_CLOEXEC. */
    static final int EFD_SEMAPHORE = 1;

    /** &lt;sys/timerfd.h&gt;: TFD_NONBLOCK is O_NONBLOCK. */
    static final int TFD_TIMER_ABSTIME = 1, TFD_TIMER_CANCEL_ON_SET = 2;
    /** &lt;time.h&gt;. */
    static final int CLOCK_MONOTONIC = 1;
    /** _IOW('T', 0, __u64): sets the expiry count (CONFIG_CHECKPOINT_RESTORE). */
    static final long TFD_IOC_SET_TICKS = 0x40085400L;

    /** &lt;sys/epoll.h&gt;. */
    static final int EPOLL_CTL_ADD = 1, EPOLLIN = 0x001, EPOLLPRI = 0x002, EPOLLOUT = 0x004, EPOLLERR = 0x008, EPOLLHUP = 0x010,
            EPOLLRDNORM = 0x040, EPOLLRDBAND = 0x080, EPOLLWRNORM = 0x100, EPOLLWRBAND = 0x200, EPOLLMSG = 0x400, EPOLLRDHUP = 0x2000,
            EPOLLEXCLUSIVE = 1 << 28, EPOLLWAKEUP = 1 << 29, EPOLLONESHOT = 1 << 30, EPOLLET = 1 << 31;
    /** The bits of a registration that are not events (fs/eventpoll.c EP_PRIVATE_BITS): what a fired EPOLLONESHOT keeps. */
    static final int EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
    /** struct epoll_event is packed on x86-64: u32 events, u64 data. */
    static final int EPOLL_EVENT_SIZE = 12;

    /** &lt;sys/inotify.h&gt;. */
    static final int IN_DONT_FOLLOW = 0x02000000;

    /** &lt;asm-generic/ioctls.h&gt;: bytes ready to read. */
    static final long FIONREAD = 0x541B;

    /** &lt;linux/kcmp.h&gt;. */
    static final int KCMP_FILE = 0, KCMP_EPOLL_TFD = 7;

    static final int ENOENT = 2, EBADF = 9, EPERM = 1, ENOSYS = 38, ENOTTY = 25;

    /** Little-endian bytes of {@code longs}, as the kernel's structs of 64-bit fields want them. */
    static byte[] longs(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A device number as the kernel prints it in fdinfo ({@code sdev:}, MAJOR &lt;&lt; 20 | MINOR) to
     * the st_dev a stat returns (glibc's encoding, new_encode_dev in include/linux/kdev_t.h).
     */
    static long userDev(long kernelDev) {
        long major = kernelDev >>> 20, minor = kernelDev & 0xfffff;
        return (minor & 0xff) | (major << 8) | ((minor & ~0xffL) << 12);
    }
}
