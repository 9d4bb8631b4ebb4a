package dmtcp.fd.pipes;

import static dmtcp.fd.pipes.Sys.*;

import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.image.format.schema.RecordReader;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.Pipes;
import dmtcp.mem.linux.api.RemoteProcess;
import dmtcp.mem.linux.api.UnsupportedFdException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * Pipes and FIFOs whose both ends the process holds (a self-pipe, a FIFO a program opens to
 * talk to itself). Kinds and the record's fields (beside the dispatcher's fd, flags, cloexec):
 * <ul>
 * <li>{@code pipe} an anonymous pipe ({@code pipe:[N]}): {@code pipe} (N, which fds of one
 *     pipe share), {@code end} ({@code read} or {@code write}), {@code ofd} (the lowest fd on
 *     the same open file description: fds that are dups of each other come back as dups);
 *     on the lowest fd of the pipe only: {@code capacity} (F_GETPIPE_SZ), {@code content}
 *     (the bytes in flight) and, in packet mode, {@code packets} (a list of {@code size}).
 * <li>{@code fifo} a named pipe: the same (with {@code pipe} its inode and {@code end} also
 *     {@code both} for an O_RDWR fd), plus {@code path} and {@code deleted} on every fd, and
 *     {@code mode} (its permission bits) on the lowest.
 * </ul>
 * The bytes in flight are read at checkpoint without being taken out ({@link Pipes#peek}): on
 * resume nothing was moved, and at restart they are written into the new pipe before the
 * program runs. A pipe or FIFO end whose other end the process does not hold is refused
 * above fd 2 (it leads to another process) and left to the standard-stream handler on fds
 * 0-2 (a shell pipeline). See doc/pipes.md.
 */
@Component(property = "service.ranking:Integer=0")
public class PipesHandler implements FdHandler {
    static final String PIPE = "pipe", FIFO = "fifo";
    static final String READ = "read", WRITE = "write", BOTH = "both";
    /** The flags F_SETFL gives back to a restored end (the others are fixed at open or do not apply to pipes). */
    static final int SETFL_MASK = O_NONBLOCK | O_DIRECT;

    @Override
    public Set<String> kinds() {
        return Set.of(PIPE, FIFO);
    }

    /** Which pipe an fd is on (equal keys: the same pipe), or null when it is no pipe or FIFO. */
    static String pipeKey(FdInfo f) {
        String t = f.target();
        if (t.startsWith("pipe:[")) {
            return t;
        }
        if (t.startsWith("/") && (f.mode() & S_IFMT) == S_IFIFO) {
            return "fifo:" + f.inode() + ":" + t;
        }
        return null;
    }

    /** The fds of each pipe and FIFO of the table, in fd order, made once per process. */
    private static Map<String, List<FdInfo>> pipesOf(DumpContext ctx) {
        return ctx.shared("fd.pipes.members", () -> {
            Map<String, List<FdInfo>> m = new LinkedHashMap<>();
            for (FdInfo f : ctx.fds()) {
                String k = pipeKey(f);
                if (k != null) {
                    m.computeIfAbsent(k, x -> new ArrayList<>()).add(f);
                }
            }
            return m;
        });
    }

    static boolean reads(int flags) {
        return (flags & O_ACCMODE) != O_WRONLY;
    }

    static boolean writes(int flags) {
        return (flags & O_ACCMODE) != O_RDONLY;
    }

    @Override
    public boolean claims(FdInfo f, DumpContext ctx) {
        String key = pipeKey(f);
        if (key == null) {
            return false;
        }
        boolean fifo = key.startsWith("fifo:");
        String what = fifo ? "a FIFO (named pipe)" : "a pipe";
        boolean reader = false, writer = false;
        for (FdInfo m : pipesOf(ctx).get(key)) {
            reader |= reads(m.flags());
            writer |= writes(m.flags());
        }
        if (reader && writer) {
            if ((f.flags() & O_ASYNC) != 0) {
                throw new UnsupportedFdException(f.fd(), what + " in O_ASYNC mode (the owner of its SIGIO is not saved)", f.target());
            }
            return true;
        }
        if (f.fd() <= 2) {
            return false; // a standard stream to or from another process: the restarter's, as DMTCP does
        }
        String end = reader ? "read" : "write", other = reader ? "write" : "read";
        throw new UnsupportedFdException(f.fd(), "the " + end + " end of " + what + " whose " + other + " end is not in this process: "
                + (fifo ? "FIFOs" : "pipes") + " between processes come with process trees", f.target());
    }

    /** What the dump found of one pipe: which fds share an open file description, its capacity and content. */
    record Survey(List<FdInfo> members, Map<Integer, Integer> ofd, int capacity, List<byte[]> content, boolean packets) {
        FdInfo owner() {
            return members.get(0);
        }
    }

    @Override
    public String dump(FdInfo f, DumpContext ctx, RecordWriter out) throws IOException {
        String key = pipeKey(f);
        Map<String, Survey> surveys = ctx.shared("fd.pipes.surveys", HashMap::new);
        Survey s = surveys.get(key);
        if (s == null) {
            s = survey(pipesOf(ctx).get(key), ctx);
            surveys.put(key, s);
        }
        boolean fifo = key.startsWith("fifo:");
        out.put("pipe", fifo ? f.inode() : Long.parseLong(f.target().substring(6, f.target().length() - 1)));
        out.put("end", reads(f.flags()) && writes(f.flags()) ? BOTH : reads(f.flags()) ? READ : WRITE);
        out.put("ofd", s.ofd().get(f.fd()));
        if (fifo) {
            boolean deleted = f.target().endsWith(" (deleted)");
            out.put("path", deleted ? f.target().substring(0, f.target().length() - " (deleted)".length()) : f.target());
            out.put("deleted", deleted);
        }
        if (s.owner().fd() == f.fd()) {
            out.put("capacity", s.capacity());
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            s.content().forEach(all::writeBytes);
            out.put("content", all.toByteArray());
            if (s.packets()) {
                for (byte[] p : s.content()) {
                    out.add("packets").put("size", p.length);
                }
            }
            if (fifo) {
                out.put("mode", f.mode() & 07777);
            }
        }
        return fifo ? FIFO : PIPE;
    }

    /**
     * The open file descriptions of a pipe's fds (kcmp KCMP_FILE, injected into the process
     * itself; where the kernel has no kcmp, fds of the same end and flags are taken for one),
     * and its capacity and content, read from this JVM without taking anything out.
     */
    private static Survey survey(List<FdInfo> members, DumpContext ctx) {
        RemoteProcess p = ctx.process();
        Map<Integer, Integer> ofd = new HashMap<>();
        List<FdInfo> firsts = new ArrayList<>();
        boolean packets = false;
        for (FdInfo m : members) {
            int same = -1;
            for (FdInfo e : firsts) {
                if ((e.flags() & ~O_CLOEXEC) != (m.flags() & ~O_CLOEXEC)) {
                    continue; // flags are per open file description: not the same one
                }
                long r = p.syscall(SYS_KCMP, ctx.pid(), ctx.pid(), KCMP_FILE, e.fd(), m.fd());
                if (r == 0 || r < 0) { // r < 0: no kcmp here (ENOSYS, EPERM): same end and flags is taken for the same one
                    same = e.fd();
                    break;
                }
            }
            if (same < 0) {
                firsts.add(m);
                same = m.fd();
            }
            ofd.put(m.fd(), same);
            packets |= writes(m.flags()) && (m.flags() & O_DIRECT) != 0;
        }
        Path link = members.get(0).link();
        return new Survey(List.copyOf(members), ofd, Pipes.capacity(link), Pipes.peek(link), packets);
    }

    @Override
    public void restore(SavedFd s, RestoreContext ctx) throws IOException {
        if (s.version() != 1) {
            throw new IOException(s + " was saved by another fd.pipes (record version " + s.version() + "; this one reads 1)");
        }
        String key = restoreKey(s);
        Map<String, Rebuilt> rebuilt = ctx.shared("fd.pipes.rebuilt", HashMap::new);
        Rebuilt r = rebuilt.get(key);
        if (r == null) {
            r = rebuild(s, ctx);
            rebuilt.put(key, r);
        }
        RemoteProcess p = ctx.process();
        Long from = r.ofds().get(s.data().getInt("ofd"));
        if (from == null) {
            throw new IOException(s + " of " + ctx.program() + ": its record names open file description " + s.data().getInt("ofd")
                    + ", which no fd of its pipe has: the image is corrupt");
        }
        p.check("restore of " + s + ": dup3", SYS_DUP3, from, s.fd(), s.cloexec() ? O_CLOEXEC : 0);
        if (--r.remaining()[0] == 0) {
            for (long t : r.temps()) {
                p.check("restore of " + s + ": close", SYS_CLOSE, t);
            }
        }
    }

    /**
     * A pipe re-created in the process being rebuilt: each saved open file description as an
     * fd above every saved fd number (so that no other restore lands on it), the helper fds to
     * close once every fd of the pipe was put in place, and how many are still to come.
     */
    record Rebuilt(Map<Integer, Long> ofds, List<Long> temps, int[] remaining) {}

    /** Which saved fds are on one pipe: the same kind and id (and for a FIFO, whose id is an inode, the same path). */
    private static String restoreKey(SavedFd s) {
        RecordReader d = s.data();
        return s.kind() + ":" + d.getLong("pipe") + (s.kind().equals(FIFO) ? ":" + d.getBoolean("deleted", false) + ":" + d.getString("path") : "");
    }

    private static Rebuilt rebuild(SavedFd first, RestoreContext ctx) throws IOException {
        long id = first.data().getLong("pipe");
        String key = restoreKey(first);
        List<SavedFd> members = new ArrayList<>();
        int top = 3;
        for (SavedFd o : ctx.fds()) {
            top = Math.max(top, o.fd() + 1);
            if ((o.kind().equals(PIPE) || o.kind().equals(FIFO)) && restoreKey(o).equals(key)) {
                members.add(o);
            }
        }
        SavedFd owner = members.stream().filter(m -> m.data().has("capacity")).findFirst()
                .orElseThrow(() -> new IOException(first + " of " + ctx.program() + ": no fd of its pipe holds its capacity and content: the image is corrupt"));
        RemoteProcess p = ctx.process();
        String what = "restore of " + owner + " (" + (first.kind().equals(PIPE) ? "pipe:[" + id + "]" : first.data().getString("path")) + ")";
        List<Long> temps = new ArrayList<>();
        long readEnd, writeEnd;
        Runnable afterOpen = () -> {};
        if (first.kind().equals(PIPE)) {
            long sc = p.scratch(8);
            p.check(what + ": pipe2", SYS_PIPE2, sc, O_CLOEXEC);
            ByteBuffer b = ByteBuffer.wrap(p.read(sc, 8)).order(ByteOrder.LITTLE_ENDIAN);
            readEnd = up(p, b.getInt(0), top, what);
            writeEnd = up(p, b.getInt(4), top, what);
            temps.add(readEnd);
            temps.add(writeEnd);
        } else {
            Fifo f = openFifo(owner, p, top, what);
            temps.add(f.fd());
            readEnd = writeEnd = f.fd();
            if (f.unlink() != null) {
                afterOpen = () -> p.check(what + ": unlinkat", SYS_UNLINKAT, AT_FDCWD, p.putString(f.unlink()), 0);
            }
        }
        int capacity = owner.data().getInt("capacity");
        if (p.check(what + ": F_GETPIPE_SZ", SYS_FCNTL, writeEnd, F_GETPIPE_SZ) != capacity) {
            long r = p.syscall(SYS_FCNTL, writeEnd, F_SETPIPE_SZ, capacity);
            if (r < 0) {
                throw new IOException(what + ": the pipe had a capacity of " + capacity + " bytes, which cannot be set here (fcntl F_SETPIPE_SZ: errno "
                        + -r + "; an unprivileged user is held to /proc/sys/fs/pipe-max-size and pipe-user-pages-soft)");
            }
        }
        List<byte[]> content = content(owner.data());
        Pipes.fill(Path.of("/proc", Integer.toString(p.pid()), "fd", Long.toString(writeEnd)), content,
                owner.data().list("packets").size() > 0);
        // the open file descriptions: the pipe's own two ends first, then reopened through them
        Map<Integer, Long> ofds = new LinkedHashMap<>();
        boolean readTaken = false, writeTaken = false;
        for (SavedFd m : members) {
            int ofd = m.data().getInt("ofd");
            if (ofds.containsKey(ofd) || ofd != m.fd()) {
                continue;
            }
            String end = m.data().getString("end");
            long fd;
            if (first.kind().equals(PIPE) && end.equals(READ) && !readTaken) {
                fd = readEnd;
                readTaken = true;
            } else if (first.kind().equals(PIPE) && end.equals(WRITE) && !writeTaken) {
                fd = writeEnd;
                writeTaken = true;
            } else {
                int acc = end.equals(READ) ? O_RDONLY : end.equals(WRITE) ? O_WRONLY : O_RDWR;
                long via = end.equals(READ) ? readEnd : writeEnd;
                fd = up(p, p.check(what + ": reopen of fd " + m.fd() + "'s end", SYS_OPENAT, AT_FDCWD, p.putString("/proc/self/fd/" + via),
                        acc | O_NONBLOCK | O_CLOEXEC), top, what);
                temps.add(fd);
            }
            p.check(what + ": fcntl(fd " + m.fd() + ", F_SETFL)", SYS_FCNTL, fd, F_SETFL, m.flags() & SETFL_MASK);
            ofds.put(ofd, fd);
        }
        afterOpen.run();
        return new Rebuilt(ofds, temps, new int[] {members.size()});
    }

    /** A FIFO's helper fd, and the path to unlink once its ends are open (a FIFO deleted at checkpoint), else null. */
    record Fifo(long fd, String unlink) {}

    /**
     * The FIFO's helper fd (O_RDWR|O_NONBLOCK: it holds the FIFO open whatever the ends are),
     * reopened by path; re-created with the saved mode when the path is gone (mknodat); a FIFO
     * deleted at checkpoint comes back at its old path if free, else in /tmp, and is unlinked
     * once its ends are open. The FIFO must be empty: bytes in it mean another process holds it.
     */
    private static Fifo openFifo(SavedFd owner, RemoteProcess p, int top, String what) throws IOException {
        RecordReader d = owner.data();
        String path = d.getString("path");
        int mode = d.getInt("mode") & 07777;
        boolean deleted = d.getBoolean("deleted", false);
        boolean make;
        if (deleted) {
            make = true;
            if (Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS)) {
                path = "/tmp/.dmtcp-fifo-" + p.pid() + "-" + d.getLong("pipe");
            }
        } else {
            Path at = Path.of(path);
            try {
                int type = (Integer) Files.getAttribute(at, "unix:mode", LinkOption.NOFOLLOW_LINKS) & S_IFMT;
                if (type != S_IFIFO) {
                    throw new IOException(what + ": " + path + " is no FIFO any more (file type 0" + Integer.toOctalString(type) + ")");
                }
                make = false;
            } catch (NoSuchFileException e) {
                make = true;
            }
        }
        if (make) {
            long r = p.syscall(SYS_MKNODAT, AT_FDCWD, p.putString(path), S_IFIFO | (deleted ? 0600 : mode), 0);
            if (r < 0 && !(r == -EEXIST && !deleted)) {
                p.check(what + ": mknodat(S_IFIFO|0" + Integer.toOctalString(mode) + ")", SYS_MKNODAT, AT_FDCWD, p.putString(path),
                        S_IFIFO | (deleted ? 0600 : mode), 0);
            }
        }
        long h = up(p, p.check(what + ": openat(O_RDWR|O_NONBLOCK)", SYS_OPENAT, AT_FDCWD, p.putString(path), O_RDWR | O_NONBLOCK | O_CLOEXEC),
                top, what);
        if (make && !deleted) {
            p.check(what + ": fchmod(0" + Integer.toOctalString(mode) + ")", SYS_FCHMOD, h, mode); // mknodat obeyed the umask
        }
        long sc = p.scratch(4);
        p.check(what + ": ioctl(FIONREAD)", SYS_IOCTL, h, FIONREAD, sc);
        int waiting = ByteBuffer.wrap(p.read(sc, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (waiting != 0) {
            throw new IOException(what + ": the FIFO " + path + " already holds " + waiting
                    + " bytes: another process has it open, and the saved bytes would mix with its");
        }
        return new Fifo(h, deleted ? path : null);
    }

    /** The saved bytes as they are written back: one chunk per packet in packet mode, else one. */
    static List<byte[]> content(RecordReader d) throws IOException {
        byte[] all = d.getBytes("content") == null ? new byte[0] : d.getBytes("content");
        List<RecordReader> packets = d.list("packets");
        if (packets.isEmpty()) {
            return all.length == 0 ? List.of() : List.of(all);
        }
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        for (RecordReader r : packets) {
            int n = r.getInt("size");
            if (n < 0 || at + n > all.length) {
                throw new IOException("the packet sizes of a saved pipe add up to more than its " + all.length + " bytes: the image is corrupt");
            }
            out.add(java.util.Arrays.copyOfRange(all, at, at + n));
            at += n;
        }
        if (at != all.length) {
            throw new IOException("the packet sizes of a saved pipe add up to " + at + " of its " + all.length + " bytes: the image is corrupt");
        }
        return out;
    }

    /** {@code fd} moved above every saved fd number (F_DUPFD_CLOEXEC, close). */
    private static long up(RemoteProcess p, long fd, int top, String what) {
        if (fd >= top) {
            return fd;
        }
        long n = p.check(what + ": fcntl(F_DUPFD_CLOEXEC)", SYS_FCNTL, fd, F_DUPFD_CLOEXEC, top);
        p.check(what + ": close", SYS_CLOSE, fd);
        return n;
    }
}
