package dmtcp.mem.linux.api;

import dmtcp.mem.linux.api.FdInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The file descriptor table of a frozen process as /proc shows it, read from this JVM:
 * /proc/PID/fd/N (target), /proc/PID/fdinfo/N (pos, flags and the kind's own lines) and a
 * stat through the fd link. Nothing is injected; what each fd is and whether it can be saved
 * is for the resource handlers to say (through the ResourceHooks of dmtcp.ckpt.process).
 */
public final class Fds {
    private Fds() {}

    /** &lt;fcntl.h&gt; (octal as in the headers). */
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 03;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_TMPFILE = 020200000;
    /** The dirfd of openat that means the current directory. */
    public static final int AT_FDCWD = -100;

    /** Every open fd of the process whose live thread is {@code live}, in fd order. */
    public static List<FdInfo> list(int live) throws IOException {
        Path dir = Path.of("/proc", Integer.toString(live), "fd");
        List<Integer> nums = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.forEach(p -> nums.add(Integer.parseInt(p.getFileName().toString())));
        }
        nums.sort(null);
        List<FdInfo> out = new ArrayList<>();
        for (int fd : nums) {
            Path link = dir.resolve(Integer.toString(fd));
            String target;
            long pos = 0;
            int flags = 0;
            long ino = 0;
            List<String> lines;
            try {
                target = Files.readSymbolicLink(link).toString();
                lines = fdinfo(live, fd);
                for (String l : lines) {
                    if (l.startsWith("pos:")) {
                        pos = Long.parseLong(l.substring(4).trim());
                    } else if (l.startsWith("flags:")) {
                        flags = Integer.parseInt(l.substring(6).trim(), 8);
                    } else if (l.startsWith("ino:")) {
                        ino = Long.parseLong(l.substring(4).trim());
                    }
                }
            } catch (NoSuchFileException e) {
                continue; // the process is frozen: cannot happen, but never fail on it
            }
            int mode = 0;
            try {
                mode = (Integer) Files.getAttribute(link, "unix:mode");
                if (ino == 0) {
                    ino = ((Number) Files.getAttribute(link, "unix:ino")).longValue();
                }
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                // an fd whose file cannot be stat'ed through the link: its kind says enough
            }
            out.add(new FdInfo(live, fd, target, flags, pos, mode, ino, lines));
        }
        return out;
    }

    /**
     * The lines of /proc/PID/fdinfo/N in one read (about 30 us against 100-200 us through
     * Files.readAllLines on this machine); an epoll or inotify with many entries takes more reads.
     */
    private static List<String> fdinfo(int live, int fd) throws IOException {
        byte[] b = new byte[4096];
        int n = 0;
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/" + live + "/fdinfo/" + fd)) {
            for (int r; (r = in.read(b, n, b.length - n)) > 0;) {
                n += r;
                if (n == b.length) {
                    b = java.util.Arrays.copyOf(b, b.length * 2);
                }
            }
        } catch (java.io.FileNotFoundException e) {
            throw new NoSuchFileException("/proc/" + live + "/fdinfo/" + fd);
        }
        return List.of(new String(b, 0, n, java.nio.charset.StandardCharsets.US_ASCII).split("\n"));
    }
}
