package dmtcp.fd.files;

import static dmtcp.fd.files.Sys.*;

import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.image.format.schema.RecordReader;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.RemoteProcess;
import dmtcp.mem.linux.api.Terminal;
import dmtcp.mem.linux.api.Termios;
import dmtcp.mem.linux.api.UnsupportedFdException;
import dmtcp.mem.linux.api.WinSize;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * The fds that are files. Kinds (the record's fields beside the dispatcher's fd, flags, cloexec):
 * <ul>
 * <li>{@code file} a regular file, reopened by path at its offset ({@code path, offset, mode});
 * <li>{@code dir} a directory, reopened by path at its getdents position ({@code path, offset, mode});
 * <li>{@code device} /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom, reopened by path;
 * <li>{@code deleted} a regular file unlinked while open: its bytes ({@code content}, at most
 *     {@value #MAX_DELETED_BYTES} bytes) come back in an unlinked file (O_TMPFILE) in its old
 *     directory, else /tmp;
 * <li>{@code terminal} a tty or pty, any fd number: at restore a dup of the restarter's fd 0
 *     (read-only), 1 (write-only) or 2 (read-write), fds 0-2 the restarter's same fd; its line
 *     settings ({@code termios}) and window size ({@code winsize}) go to that terminal just before
 *     the program runs, and the program then gets a SIGWINCH.
 * </ul>
 * A standard stream (fd 0-2) that is the very file the restarter's same fd holds (a shell
 * redirect to the same log) shares the restarter's, offset and all, rather than write over what
 * was written since. The records' field names are those of the images written before the
 * resource SPI, which are read as version 0.
 */
@Component(property = "service.ranking:Integer=0")
public class FilesHandler implements FdHandler {
    /**
     * Cap on the bytes of the deleted-but-open files of one process kept in its image: they
     * travel base64 inside the PROC record, which is at most 64 MiB (ImageFormat.MAX_RECORD).
     */
    public static final long MAX_DELETED_BYTES = 32L << 20;

    static final String FILE = "file", DIR = "dir", DEVICE = "device", DELETED = "deleted", TERMINAL = "terminal";
    private static final Set<String> DEVICES = Set.of("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom");
    private static final int SIGWINCH = 28;

    @Override
    public Set<String> kinds() {
        return Set.of(FILE, DIR, DEVICE, DELETED, TERMINAL);
    }

    /**
     * Whether this is a file fd; a deleted one whose bytes, with those of the process's other
     * deleted files, exceed {@link #MAX_DELETED_BYTES} is refused here, before anything of the
     * dump is done.
     */
    @Override
    public boolean claims(FdInfo f, DumpContext ctx) throws IOException {
        String kind = kindOf(f);
        if (DELETED.equals(kind)) {
            long size;
            try {
                size = java.nio.file.Files.size(f.link());
            } catch (IOException e) {
                throw new IOException("fd " + f.fd() + ": the size of the deleted file " + f.target() + ": " + e, e);
            }
            long[] total = ctx.shared("fd.files.deletedBytes", () -> new long[1]);
            total[0] += size;
            if (total[0] > MAX_DELETED_BYTES) {
                throw new UnsupportedFdException(f.fd(), "a deleted file of " + size + " bytes, above the " + (MAX_DELETED_BYTES >> 20)
                        + " MiB that are saved of a process's deleted files", f.target());
            }
        }
        return kind != null;
    }

    /** The kind of a file fd, or null when it is none of these (a FIFO, a socket, another device, a memfd...). */
    static String kindOf(FdInfo f) {
        String target = f.target();
        if (!target.startsWith("/") || target.startsWith("/memfd:")) {
            return null;
        }
        int type = f.mode() & S_IFMT;
        if (Terminal.isTerminal(target)) {
            return TERMINAL;
        }
        if (target.endsWith(" (deleted)")) {
            return type == S_IFREG ? DELETED : null;
        }
        if (type == S_IFREG) {
            return FILE;
        }
        if (type == S_IFDIR) {
            return DIR;
        }
        if (type == S_IFCHR && DEVICES.contains(target)) {
            return DEVICE;
        }
        return null;
    }

    @Override
    public String dump(FdInfo f, DumpContext ctx, RecordWriter out) throws IOException {
        String kind = kindOf(f);
        String path = kind.equals(DELETED) ? f.target().substring(0, f.target().length() - " (deleted)".length()) : f.target();
        out.put("path", path).put("mode", f.mode());
        switch (kind) {
            case TERMINAL -> {
                Terminal.Settings t = Terminal.read(f.link());
                if (t.termios() != null) {
                    Termios x = t.termios();
                    out.object("termios").put("iflag", x.iflag()).put("oflag", x.oflag()).put("cflag", x.cflag()).put("lflag", x.lflag())
                            .put("line", x.line()).put("cc", x.cc());
                }
                if (t.winsize() != null) {
                    WinSize w = t.winsize();
                    out.object("winsize").put("rows", w.rows()).put("cols", w.cols()).put("xpixel", w.xpixel()).put("ypixel", w.ypixel());
                }
                out.put("offset", 0);
            }
            case DELETED -> out.put("offset", f.pos()).put("content", content(f));
            default -> out.put("offset", f.pos());
        }
        return kind;
    }

    @Override
    public void restore(SavedFd f, RestoreContext ctx) throws IOException {
        if (f.version() > 1) {
            throw new IOException(f + " was saved by a newer fd.files (record version " + f.version() + ")");
        }
        RemoteProcess p = ctx.process();
        RecordReader d = f.data();
        String path = d.getString("path");
        String what = "restore of fd " + f.fd() + " (" + f.kind() + " " + path + ")";
        // a standard stream that is the very file the restarter's same fd holds: share the restarter's
        boolean sameAsRestarter = f.fd() <= 2 && f.kind().equals(FILE) && path.equals(ctx.restarterTarget(f.fd()));
        if (f.kind().equals(TERMINAL) || sameAsRestarter) {
            int from = StandardStreams.restarterFdFor(f);
            int have = ctx.restarterStream(from);
            if (have < 0) {
                System.err.println("dmtcp restore: fd " + f.fd() + " (" + path + ") should become the restarter's fd " + from
                        + ", which is closed: left closed");
                return;
            }
            p.check(what + ": dup3", SYS_DUP3, have, f.fd(), f.cloexec() ? O_CLOEXEC : 0);
            if (f.kind().equals(TERMINAL) && d.object("termios") != null) {
                ctx.shared("fd.files.terminals", LinkedHashMap<Integer, SavedFd>::new).putIfAbsent(from, f);
            }
            return;
        }
        long t;
        if (f.kind().equals(DELETED)) {
            t = recreateDeleted(f, d, p, what);
        } else {
            int flags = f.flags() & ~(O_CREAT | O_TRUNC | O_EXCL | O_CLOEXEC);
            if (!f.kind().equals(DIR)) {
                flags &= ~O_TMPFILE;
            }
            t = p.syscall(SYS_OPENAT, AT_FDCWD, p.putString(path), flags, 0);
            int have = f.fd() <= 2 ? ctx.restarterStream(f.fd()) : -1;
            if (t < 0 && have >= 0) {
                // a standard stream is never a reason to fail a restart: the restarter's then
                System.err.println("dmtcp restore: fd " + f.fd() + " (" + path + ") cannot be reopened (errno " + -t
                        + "): it becomes the restarter's fd " + f.fd());
                p.check(what + ": dup3", SYS_DUP3, have, f.fd(), f.cloexec() ? O_CLOEXEC : 0);
                return;
            }
            if (t < 0) {
                p.check(what + ": openat", SYS_OPENAT, AT_FDCWD,
                        p.putString(path), flags, 0);
            }
        }
        ctx.install(t, f);
        long offset = d.getLong("offset", 0);
        if (f.kind().equals(DIR) && offset == Long.MAX_VALUE) {
            // ext4's end-of-directory cookie: a fresh file lseek'd there and read keeps a stale
            // htree cursor, and a later rewind to 0 then reads nothing (seen on 6.x). Reading the
            // directory to its end gets there as the program did.
            long buf = p.scratch(RemoteProcess.SCRATCH_MAX);
            while (p.check(what + ": getdents64", SYS_GETDENTS64, f.fd(), buf, RemoteProcess.SCRATCH_MAX) > 0) {
                // entries the program had already read
            }
        } else if (!f.kind().equals(DEVICE)) {
            p.check(what + ": lseek", SYS_LSEEK, f.fd(), offset, SEEK_SET);
        }
    }

    /**
     * Gives the restarter's terminals that the program's terminal fds became the settings saved
     * with them (the lowest such fd of each), now that nothing of the restore can fail any more
     * and just before the program runs: a restart that is abandoned leaves the user's terminal as
     * it was. A terminal given its settings is followed by a SIGWINCH to the program.
     */
    @Override
    public void release(SavedFd f, RestoreContext ctx) {
        Map<Integer, SavedFd> terms = ctx.shared("fd.files.terminals", LinkedHashMap<Integer, SavedFd>::new);
        for (Map.Entry<Integer, SavedFd> e : terms.entrySet()) {
            if (e.getValue() != f) {
                continue;
            }
            RecordReader d = f.data();
            RecordReader t = d.object("termios");
            RecordReader w = d.object("winsize");
            Termios termios = new Termios(t.getInt("iflag"), t.getInt("oflag"), t.getInt("cflag"), t.getInt("lflag"), t.getInt("line"),
                    t.getBytes("cc") == null ? new byte[0] : t.getBytes("cc"));
            WinSize winsize = w == null ? null : new WinSize(w.getInt("rows"), w.getInt("cols"), w.getInt("xpixel"), w.getInt("ypixel"));
            // through the restored program's own fd: the restarter's fd is the same terminal, but
            // the agent, which restores into its client, holds none (its fds are /dev/null)
            int pid = ctx.process().pid();
            String why = Terminal.applyTo(java.nio.file.Path.of("/proc", Integer.toString(pid), "fd", Integer.toString(f.fd())), pid,
                    termios, winsize);
            if (why == null) {
                ctx.process().signalAfterRelease(SIGWINCH);
            } else if (!"is no terminal".equals(why)) {
                System.err.println("dmtcp restore: fd " + f.fd() + " became the restarter's fd " + e.getKey() + ", which " + why
                        + ": its terminal modes are left as they are");
            }
        }
    }

    /**
     * A deleted-but-open file comes back as an unlinked file with the saved bytes: an O_TMPFILE
     * in its old directory (else /tmp), filled from this JVM through /proc/PID/fd/N, reopened
     * through /proc/self/fd/N with the saved flags (an O_TMPFILE must be writable; the program
     * may have had it read-only), then given its mode.
     */
    private static long recreateDeleted(SavedFd f, RecordReader d, RemoteProcess p, String what) throws IOException {
        Path parent = Path.of(d.getString("path")).getParent();
        long tmpFlags = O_TMPFILE | O_RDWR | O_CLOEXEC;
        long t1 = parent == null ? -1 : p.syscall(SYS_OPENAT, AT_FDCWD, p.putString(parent.toString()), tmpFlags, 0600);
        if (t1 < 0) {
            t1 = p.check(what + ": openat(\"/tmp\", O_TMPFILE|O_RDWR)", SYS_OPENAT, AT_FDCWD, p.putString("/tmp"), tmpFlags, 0600);
        }
        byte[] content = d.getBytes("content") == null ? new byte[0] : d.getBytes("content");
        Path link = Path.of("/proc", Integer.toString(p.pid()), "fd", Long.toString(t1));
        try (FileChannel ch = FileChannel.open(link, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        int flags = f.flags() & ~(O_CREAT | O_TRUNC | O_EXCL | O_CLOEXEC | O_TMPFILE);
        long t2 = p.check(what + ": reopen O_TMPFILE with flags 0" + Integer.toOctalString(flags), SYS_OPENAT, AT_FDCWD,
                p.putString("/proc/self/fd/" + t1), flags, 0);
        p.check(what + ": close", SYS_CLOSE, t1);
        p.check(what + ": fchmod", SYS_FCHMOD, t2, d.getInt("mode") & 07777);
        return t2;
    }

    /** The bytes of a deleted regular file, read through the owner's fd link. */
    private static byte[] content(FdInfo f) throws IOException {
        try (FileChannel ch = FileChannel.open(f.link(), StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_DELETED_BYTES) {
                throw new UnsupportedFdException(f.fd(), "a deleted file of " + size + " bytes, above the " + (MAX_DELETED_BYTES >> 20)
                        + " MiB that are saved", f.target());
            }
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining()) {
                if (ch.read(b, b.position()) < 0) {
                    break; // shrunk meanwhile (another process may write it): keep what is there
                }
            }
            return b.position() == b.capacity() ? b.array() : java.util.Arrays.copyOf(b.array(), b.position());
        } catch (IOException e) {
            throw new IOException("fd " + f.fd() + ": reading the content of the deleted file " + f.target() + ": " + e, e);
        }
    }
}
