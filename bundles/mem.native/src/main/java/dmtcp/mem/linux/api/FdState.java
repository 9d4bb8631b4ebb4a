package dmtcp.mem.linux.api;

/**
 * One open file descriptor of a dumped process.
 *
 * <p>Kinds:
 * <ul>
 * <li>{@link #FILE} a regular file, reopened by path at restore;
 * <li>{@link #DIR} a directory (offset = the getdents position), reopened by path;
 * <li>{@link #DEVICE} /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom, reopened by path;
 * <li>{@link #DELETED} a regular file unlinked while open: its bytes are in {@code content}
 *     and it is re-created as an unlinked file (O_TMPFILE) in its old directory, else /tmp;
 * <li>{@link #TERMINAL} a tty/pty (any fd number): at restore a dup of the restarter's own
 *     fd 0 (opened read-only), 1 (write-only) or 2 (read-write); fds 0-2 take the restarter's same fd;
 *     its {@link Termios} (and window size, if the new terminal has none) go to that terminal;
 * <li>{@link #STDIO} fd 0, 1 or 2 holding something not reopenable (a pipe from the launching
 *     shell, a socket...): at restore the restarter's same fd, as DMTCP does for the standard streams.
 * </ul>
 *
 * @param fd the descriptor number (restored under the same number)
 * @param kind one of the constants above
 * @param path target of /proc/PID/fd/N (for DELETED without the " (deleted)" suffix)
 * @param flags the open flags from /proc/PID/fdinfo/N (octal {@code flags:}), O_CLOEXEC included
 * @param offset the file position ({@code pos:})
 * @param mode st_mode of the open file (type and permission bits)
 * @param cloexec the close-on-exec flag
 * @param content the bytes of a DELETED file, else null (read-only: do not modify)
 * @param termios a TERMINAL's line settings at checkpoint time, else null (also when they could
 *     not be read, and in images written before they were saved)
 * @param winsize a TERMINAL's window size at checkpoint time, else null (the same)
 */
public record FdState(int fd, String kind, String path, int flags, long offset, int mode, boolean cloexec, byte[] content,
        Termios termios, WinSize winsize) {

    /** Any fd but a terminal (no termios, no window size). */
    public FdState(int fd, String kind, String path, int flags, long offset, int mode, boolean cloexec, byte[] content) {
        this(fd, kind, path, flags, offset, mode, cloexec, content, null, null);
    }

    public static final String FILE = "file";
    public static final String DIR = "dir";
    public static final String DEVICE = "device";
    public static final String DELETED = "deleted";
    public static final String TERMINAL = "terminal";
    public static final String STDIO = "stdio";

    /** Whether restore reopens it by path (FILE, DIR, DEVICE). */
    public boolean byPath() {
        return FILE.equals(kind) || DIR.equals(kind) || DEVICE.equals(kind);
    }

    @Override
    public String toString() {
        return "fd " + fd + " " + kind + " " + path + " flags 0" + Integer.toOctalString(flags) + " pos " + offset
                + (cloexec ? " cloexec" : "") + (content != null ? " (" + content.length + " bytes saved)" : "")
                + (termios != null ? " " + termios : "") + (winsize != null ? " " + winsize : "");
    }
}
