package dmtcp.mem.linux.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import dmtcp.mem.linux.api.NativeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes in another process's pipe or FIFO, read and written from this JVM through a
 * fresh open of its /proc/PID/fd/N link (which opens the pipe itself, whichever end N is).
 * Reading leaves them where they are: {@code tee(2)} duplicates the pipe's buffers into a
 * private pipe of the same capacity (the same number of buffer slots: a packet-mode pipe of
 * many small packets fits too), and only that copy is read. Nothing here blocks: every fd is
 * O_NONBLOCK, and a pipe that holds more than the copy can take is an error, not a wait.
 */
public final class PipeCopies {
    private PipeCopies() {}

    private static final int O_RDONLY = 0, O_WRONLY = 1;

    private static NativeException error(String call) {
        int errno = Native.getLastError();
        return new NativeException(call, errno, Libc.strerror(errno));
    }

    private static int open(Path link, int flags) {
        int fd = Uio.open(link.toString(), flags | Fcntl.O_NONBLOCK | Uio.O_CLOEXEC, 0);
        if (fd < 0) {
            throw error("open(\"" + link + "\", " + (flags == O_RDONLY ? "O_RDONLY" : "O_WRONLY") + "|O_NONBLOCK)");
        }
        return fd;
    }

    public static int capacity(Path link) {
        int fd = open(link, O_RDONLY);
        try {
            return capacityOf(fd, link);
        } finally {
            Uio.close(fd);
        }
    }

    private static int capacityOf(int fd, Path link) {
        int c = Fcntl.fcntl(fd, Fcntl.F_GETPIPE_SZ, 0);
        if (c < 0) {
            throw error("fcntl(\"" + link + "\", F_GETPIPE_SZ)");
        }
        return c;
    }

    /** The bytes waiting in the pipe, as reads of a copy return them (in packet mode, one packet each). */
    public static List<byte[]> peek(Path link) {
        int src = open(link, O_RDONLY);
        int[] copy = {-1, -1};
        try {
            Memory n = new Memory(4);
            if (Ioctl.ioctl(src, Ioctl.FIONREAD, n) != 0) {
                throw error("ioctl(\"" + link + "\", FIONREAD)");
            }
            int waiting = n.getInt(0);
            if (waiting == 0) {
                return List.of();
            }
            int capacity = capacityOf(src, link);
            if (Libc.pipe2(copy, Fcntl.O_NONBLOCK | Uio.O_CLOEXEC) != 0) {
                throw error("pipe2(O_NONBLOCK|O_CLOEXEC)");
            }
            if (Fcntl.fcntl(copy[1], Fcntl.F_GETPIPE_SZ, 0) < capacity && Fcntl.fcntl(copy[1], Fcntl.F_SETPIPE_SZ, capacity) < 0) {
                throw error("fcntl(F_SETPIPE_SZ, " + capacity + ") of the copy of " + link);
            }
            long teed = Fcntl.tee(src, copy[1], waiting, Fcntl.SPLICE_F_NONBLOCK);
            if (teed < 0) {
                throw error("tee(\"" + link + "\", copy, " + waiting + ", SPLICE_F_NONBLOCK)");
            }
            if (teed != waiting) {
                throw new NativeException("tee(\"" + link + "\", copy, " + waiting + ", SPLICE_F_NONBLOCK)", 0,
                        "copied " + teed + " of the " + waiting + " bytes the pipe holds");
            }
            Memory buf = new Memory(Math.max(capacity, waiting));
            List<byte[]> out = new ArrayList<>();
            long got = 0;
            while (got < waiting) {
                long r = Libc.read(copy[0], buf, buf.size());
                if (r <= 0) {
                    throw r < 0 ? error("read(copy of \"" + link + "\")")
                            : new NativeException("read(copy of \"" + link + "\")", 0, "end of the copy after " + got + " of " + waiting + " bytes");
                }
                out.add(buf.getByteArray(0, (int) r));
                got += r;
            }
            return out;
        } finally {
            Uio.close(src);
            if (copy[0] >= 0) {
                Uio.close(copy[0]);
                Uio.close(copy[1]);
            }
        }
    }

    /** Writes each chunk with one write(2) (with O_DIRECT when {@code packets}: one packet each). */
    public static void fill(Path link, List<byte[]> chunks, boolean packets) {
        if (chunks.isEmpty()) {
            return;
        }
        int fd = open(link, O_WRONLY);
        try {
            if (packets && Fcntl.fcntl(fd, Fcntl.F_SETFL, Fcntl.O_NONBLOCK | Fcntl.O_DIRECT) < 0) {
                throw error("fcntl(\"" + link + "\", F_SETFL, O_NONBLOCK|O_DIRECT)");
            }
            int max = 0;
            for (byte[] c : chunks) {
                max = Math.max(max, c.length);
            }
            Memory buf = new Memory(Math.max(1, max));
            long total = 0;
            for (byte[] c : chunks) {
                buf.write(0, c, 0, c.length);
                for (int off = 0; off < c.length;) {
                    long w = Libc.write(fd, buf.share(off), c.length - off);
                    if (w < 0) {
                        throw error("write(\"" + link + "\", " + (c.length - off) + " bytes) after " + (total + off) + " bytes");
                    }
                    if (packets && w != c.length) {
                        throw new NativeException("write(\"" + link + "\", a packet of " + c.length + " bytes)", 0, "wrote " + w);
                    }
                    off += (int) w;
                }
                total += c.length;
            }
        } finally {
            Uio.close(fd);
        }
    }
}
