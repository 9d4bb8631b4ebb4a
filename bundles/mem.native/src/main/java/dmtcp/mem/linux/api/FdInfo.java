package dmtcp.mem.linux.api;

import java.nio.file.Path;
import java.util.List;

/**
 * One open file descriptor of a frozen process as /proc shows it, whatever its kind: what a
 * resource handler looks at to decide whether it saves the fd. Read from this JVM (nothing is
 * injected): the target of /proc/PID/fd/N, the lines of /proc/PID/fdinfo/N, and a stat through
 * the fd link.
 *
 * @param pid the process (a live thread of it, through which /proc is read)
 * @param fd the descriptor number
 * @param target the link's target: a path ({@code /tmp/x}, {@code /tmp/x (deleted)}) or an
 *     anonymous name ({@code pipe:[123]}, {@code socket:[9]}, {@code anon_inode:[eventfd]})
 * @param flags the open flags ({@code flags:} of fdinfo, octal), O_CLOEXEC included
 * @param pos the file position ({@code pos:})
 * @param mode st_mode of the open file (type and permission bits; 0 when it cannot be read)
 * @param inode st_ino of the open file ({@code ino:} of fdinfo; 0 when not shown)
 * @param fdinfo every line of /proc/PID/fdinfo/N (eventfd-count, tfd, sigmask, inotify wd, ...)
 */
public record FdInfo(int pid, int fd, String target, int flags, long pos, int mode, long inode, List<String> fdinfo) {
    /** O_CLOEXEC of &lt;fcntl.h&gt;. */
    public static final int O_CLOEXEC = 02000000;

    public FdInfo {
        fdinfo = List.copyOf(fdinfo);
    }

    public boolean cloexec() {
        return (flags & O_CLOEXEC) != 0;
    }

    /** {@code /proc/PID/fd/N}: opening it opens the same file (a pipe, a terminal...) in this JVM. */
    public Path link() {
        return Path.of("/proc", Integer.toString(pid), "fd", Integer.toString(fd));
    }

    /** The value of the first fdinfo line starting with {@code key} (e.g. "eventfd-count:"), trimmed; null if absent. */
    public String field(String key) {
        for (String l : fdinfo) {
            if (l.startsWith(key)) {
                return l.substring(key.length()).trim();
            }
        }
        return null;
    }

    /** The fdinfo lines starting with {@code key} (e.g. "tfd:" of an epoll, "inotify wd:"). */
    public List<String> lines(String key) {
        return fdinfo.stream().filter(l -> l.startsWith(key)).toList();
    }

    @Override
    public String toString() {
        return "fd " + fd + " " + target + " flags 0" + Integer.toOctalString(flags) + " pos " + pos;
    }
}
