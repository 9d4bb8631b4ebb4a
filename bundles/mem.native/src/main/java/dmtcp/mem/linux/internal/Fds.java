package dmtcp.mem.linux.internal;

import dmtcp.mem.linux.api.FdState;
import dmtcp.mem.linux.api.UnsupportedFdException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The file descriptor table of a frozen process, read from this JVM: /proc/PID/fd/N
 * (target), /proc/PID/fdinfo/N (pos, flags), a stat through the fd link, and a terminal's
 * settings through a fresh open of it ({@link Terminals#read}). Nothing is injected. Whatever cannot be restored is refused with an {@link UnsupportedFdException}
 * before anything else of the dump happens.
 */
public final class Fds {
    private Fds() {}

    /** Cap on the bytes of one deleted-but-open file kept in the state. */
    public static final long MAX_DELETED_BYTES = 64L << 20;

    /** &lt;fcntl.h&gt; (octal as in the headers). */
    public static final int O_ACCMODE = 03;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_TMPFILE = 020200000;

    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    static final int S_IFDIR = 0040000;
    static final int S_IFCHR = 0020000;

    private static final Set<String> DEVICES = Set.of("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom");

    /** Every open fd of {@code pid} (read through a live thread {@code live}), in fd order. */
    public static List<FdState> dump(int live) throws IOException {
        Path dir = Path.of("/proc", Integer.toString(live), "fd");
        List<Integer> nums = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.forEach(p -> nums.add(Integer.parseInt(p.getFileName().toString())));
        }
        nums.sort(null);
        List<FdState> out = new ArrayList<>();
        for (int fd : nums) {
            Path link = dir.resolve(Integer.toString(fd));
            String target;
            long pos = 0;
            int flags = 0;
            try {
                target = Files.readSymbolicLink(link).toString();
                for (String l : fdinfo(live, fd)) {
                    if (l.startsWith("pos:")) {
                        pos = Long.parseLong(l.substring(4).trim());
                    } else if (l.startsWith("flags:")) {
                        flags = Integer.parseInt(l.substring(6).trim(), 8);
                    }
                }
            } catch (NoSuchFileException e) {
                continue; // the process is frozen: cannot happen, but never fail on it
            }
            int mode = 0;
            if (target.startsWith("/")) {
                try {
                    mode = (Integer) Files.getAttribute(link, "unix:mode");
                } catch (IOException | UnsupportedOperationException e) {
                    mode = 0;
                }
            }
            out.add(classify(fd, target, flags, pos, mode, link));
        }
        return out;
    }

    /**
     * The first lines of /proc/PID/fdinfo/N (pos and flags come first), in one read: about
     * 30 us against 100-200 us through Files.readAllLines on this machine.
     */
    private static String[] fdinfo(int live, int fd) throws IOException {
        byte[] b = new byte[1024];
        int n;
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/" + live + "/fdinfo/" + fd)) {
            n = Math.max(0, in.read(b));
        } catch (java.io.FileNotFoundException e) {
            throw new NoSuchFileException("/proc/" + live + "/fdinfo/" + fd);
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.US_ASCII).split("\n");
    }

    /**
     * What kind of fd this is, or an {@link UnsupportedFdException}. {@code link} is where a
     * deleted file's bytes and a terminal's settings are read from (null: do not read, for tests).
     */
    static FdState classify(int fd, String target, int flags, long pos, int mode, Path link) throws IOException {
        boolean cloexec = (flags & O_CLOEXEC) != 0;
        boolean std = fd >= 0 && fd <= 2;
        int type = mode & S_IFMT;
        if (target.startsWith("/memfd:")) {
            throw new UnsupportedFdException(fd, "a memfd", target);
        }
        if (target.startsWith("/")) {
            if (isTerminal(target)) {
                Terminals.Settings t = link == null ? new Terminals.Settings(null, null) : Terminals.read(link);
                return new FdState(fd, FdState.TERMINAL, target, flags, 0, mode, cloexec, null, t.termios(), t.winsize());
            }
            if (target.endsWith(" (deleted)")) {
                String path = target.substring(0, target.length() - " (deleted)".length());
                if (type != S_IFREG) {
                    if (std) {
                        return new FdState(fd, FdState.STDIO, target, flags, 0, mode, cloexec, null);
                    }
                    throw new UnsupportedFdException(fd, "a deleted " + typeName(type), target);
                }
                return new FdState(fd, FdState.DELETED, path, flags, pos, mode, cloexec, link == null ? null : content(fd, target, link));
            }
            if (type == S_IFREG) {
                return new FdState(fd, FdState.FILE, target, flags, pos, mode, cloexec, null);
            }
            if (type == S_IFDIR) {
                return new FdState(fd, FdState.DIR, target, flags, pos, mode, cloexec, null);
            }
            if (type == S_IFCHR && DEVICES.contains(target)) {
                return new FdState(fd, FdState.DEVICE, target, flags, pos, mode, cloexec, null);
            }
            if (std) {
                return new FdState(fd, FdState.STDIO, target, flags, 0, mode, cloexec, null);
            }
            throw new UnsupportedFdException(fd, typeName(type), target);
        }
        if (std) {
            return new FdState(fd, FdState.STDIO, target, flags, 0, mode, cloexec, null);
        }
        throw new UnsupportedFdException(fd, anonName(target), target);
    }

    static boolean isTerminal(String path) {
        return path.matches("/dev/pts/[0-9]+") || path.equals("/dev/tty") || path.equals("/dev/console")
                || path.matches("/dev/tty[0-9]+") || path.matches("/dev/ttyS[0-9]+");
    }

    private static String typeName(int type) {
        switch (type) {
            case 0010000: return "a FIFO (named pipe)";
            case 0140000: return "a socket";
            case 0060000: return "a block device";
            case S_IFCHR: return "a character device";
            case S_IFDIR: return "a directory";
            case S_IFREG: return "a regular file";
            default: return "a file of type 0" + Integer.toOctalString(type);
        }
    }

    /** socket:[N], pipe:[N], anon_inode:[eventfd] ... as words for the refusal message. */
    static String anonName(String target) {
        if (target.startsWith("socket:")) {
            return "a socket";
        }
        if (target.startsWith("pipe:")) {
            return "a pipe";
        }
        if (target.startsWith("anon_inode:")) {
            String k = target.substring("anon_inode:".length()).replace("[", "").replace("]", "");
            switch (k) {
                case "eventfd": return "an eventfd";
                case "eventpoll": return "an epoll instance";
                case "signalfd": return "a signalfd";
                case "timerfd": return "a timerfd";
                case "inotify": return "an inotify instance";
                case "pidfd": return "a pidfd";
                case "userfaultfd": return "a userfaultfd";
                case "io_uring": return "an io_uring";
                default: return "an anonymous inode (" + k + ")";
            }
        }
        return "an unsupported kind of file";
    }

    /** The bytes of a deleted regular file, read through the owner's fd link. */
    private static byte[] content(int fd, String target, Path link) throws IOException {
        try (FileChannel ch = FileChannel.open(link, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_DELETED_BYTES) {
                throw new UnsupportedFdException(fd, "a deleted file of " + size + " bytes, above the " + (MAX_DELETED_BYTES >> 20)
                        + " MiB that are saved", target);
            }
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining()) {
                if (ch.read(b, b.position()) < 0) {
                    break; // shrunk meanwhile (another process may write it): keep what is there
                }
            }
            return b.position() == b.capacity() ? b.array() : java.util.Arrays.copyOf(b.array(), b.position());
        } catch (IOException e) {
            throw new IOException("fd " + fd + ": reading the content of the deleted file " + target + ": " + e, e);
        }
    }
}
