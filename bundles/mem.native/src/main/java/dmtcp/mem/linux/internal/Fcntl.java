package dmtcp.mem.linux.internal;

import com.sun.jna.Native;

/**
 * &lt;fcntl.h&gt;: {@code fcntl} with an int argument, and {@code tee} (GNU). Returns the raw C
 * result; read errno with {@link Native#getLastError()}.
 */
public final class Fcntl {
    static {
        Native.register(Fcntl.class, "libc.so.6");
    }

    private Fcntl() {}

    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int F_SETPIPE_SZ = 1031;
    public static final int F_GETPIPE_SZ = 1032;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECT = 040000;
    public static final int SPLICE_F_NONBLOCK = 2;

    public static native int fcntl(int fd, int cmd, int arg);

    public static native long tee(int fdIn, int fdOut, long len, int flags);
}
