package dmtcp.mem.linux.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * &lt;sys/ioctl.h&gt; with the terminal requests of &lt;asm-generic/ioctls.h&gt; (x86_64) and
 * the kernel's {@code struct termios} / {@code struct winsize} layouts. Returns the raw C
 * result; read errno with {@link Native#getLastError()}.
 */
public final class Ioctl {
    static {
        Native.register(Ioctl.class, "libc.so.6");
    }

    private Ioctl() {}

    public static final long TCGETS = 0x5401;
    public static final long TCSETS = 0x5402;
    public static final long TIOCGPGRP = 0x540F;
    public static final long TIOCGWINSZ = 0x5413;
    public static final long TIOCSWINSZ = 0x5414;
    /** The bytes a pipe (or socket, tty) holds, into an int. */
    public static final long FIONREAD = 0x541B;

    /** sizeof(struct termios) of the kernel: four tcflag_t, c_line, c_cc[NCCS = 19]. */
    public static final int TERMIOS_SIZE = 36;
    public static final int NCCS = 19;
    /** sizeof(struct winsize): four unsigned shorts. */
    public static final int WINSIZE_SIZE = 8;

    public static native int ioctl(int fd, long request, Pointer arg);
}
