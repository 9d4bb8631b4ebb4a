package dmtcp.fd.events;

import static dmtcp.fd.events.Sys.*;

import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.fd.events.InodeSearch.Key;
import dmtcp.image.format.schema.RecordReader;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.RemoteProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Component;

/**
 * Kind {@code inotify}: its watches ({@code watches}: {@code wd}, {@code mask} with IN_ONESHOT and
 * IN_EXCL_UNLINK as the kernel keeps them, {@code path}, and the {@code ino} and {@code dev} the
 * watched file had), from fdinfo's {@code inotify wd: ino: sdev: mask:} lines; IN_NONBLOCK is
 * the saved O_NONBLOCK.
 *
 * <p>fdinfo names a watched file by inode only; a path is found by searching the likely places
 * ({@link InodeSearch}) and kept for the next checkpoints of the process; a watch whose file is
 * found nowhere there refuses the checkpoint, naming the fd, the wd and the inode. Events queued
 * and not yet read cannot be queued again in a new instance: a checkpoint that finds some
 * (FIONREAD, injected) is refused by name; the program runs on and reads them, and the next
 * round usually finds the queue empty.
 *
 * <p>At restore the watches are added again in wd order, each with the wd the program holds:
 * the kernel hands out wds in increasing order (idr_alloc_cyclic), so a wd below the one wanted
 * is removed and the watch added again until the numbers meet; the IN_IGNORED events those
 * removals queue are read away before the program runs (with whatever the watched files did in
 * that instant: the watches count from the end of the restore), then the watches are checked
 * against fdinfo.
 */
@Component(service = FdHandler.class, property = "service.ranking:Integer=0")
public class InotifyHandler extends EventHandler {
    static final String KIND = "inotify";
    private static final Pattern LINE = Pattern.compile("inotify wd:([0-9a-f]+) ino:([0-9a-f]+) sdev:([0-9a-f]+) mask:([0-9a-f]+).*");

    /** One watch as fdinfo shows it (the device as stat gives it). */
    record Watch(int wd, Key file, int mask) {}

    /** Paths found at earlier checkpoints, checked again before use. */
    private final Map<Key, Path> known = new ConcurrentHashMap<>();

    public InotifyHandler() {
        super(KIND, "anon_inode:inotify", "an inotify instance");
    }

    static List<Watch> watches(FdInfo f) {
        List<Watch> l = new ArrayList<>();
        for (String s : f.lines("inotify wd:")) {
            Matcher m = LINE.matcher(s.trim());
            if (!m.matches()) {
                throw refuse(f, "an inotify instance whose watch this engine cannot read (\"" + s.trim() + "\")");
            }
            l.add(new Watch(Integer.parseInt(m.group(1), 16), new Key(userDev(Long.parseLong(m.group(3), 16)),
                    Long.parseLong(m.group(2), 16)), (int) Long.parseLong(m.group(4), 16)));
        }
        l.sort(Comparator.comparingInt(Watch::wd));
        return l;
    }

    /** Finds a path for every watched file of every inotify fd of the process (once per dump), or refuses. */
    @Override
    void check(FdInfo f, DumpContext ctx) {
        Map<Key, Path> paths = ctx.shared("fd.events.inotify-paths", HashMap::new);
        Set<Key> wanted = new LinkedHashSet<>();
        for (Watch w : watches(f)) {
            if (!paths.containsKey(w.file())) {
                Path p = known.get(w.file());
                if (p != null && w.file().equals(InodeSearch.keyOf(p))) {
                    paths.put(w.file(), p);
                } else {
                    wanted.add(w.file());
                }
            }
        }
        if (!wanted.isEmpty()) {
            List<String> open = ctx.fds().stream().map(FdInfo::target).toList();
            Map<Key, Path> found = InodeSearch.find(wanted, InodeSearch.roots(f.pid(), open));
            paths.putAll(found);
            known.putAll(found);
        }
        for (Watch w : watches(f)) {
            if (!paths.containsKey(w.file())) {
                throw refuse(f, "an inotify instance whose watch " + w.wd() + " is of " + w.file() + ", which was not found under the "
                        + "working directory, the folders of its open and mapped files, $HOME, /tmp, /var/tmp or /dev/shm (a path is "
                        + "needed to watch it again: the kernel's file handle opens only with CAP_DAC_READ_SEARCH)");
            }
        }
    }

    @Override
    void save(FdInfo f, DumpContext ctx, RecordWriter out) {
        RemoteProcess p = ctx.process();
        long buf = p.scratch(8);
        p.check("checkpoint of fd " + f.fd() + " (inotify): ioctl(FIONREAD)", SYS_IOCTL, f.fd(), FIONREAD, buf);
        int queued = ByteBuffer.wrap(p.read(buf, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (queued > 0) {
            throw refuse(f, "an inotify instance holding " + queued + " bytes of events the program has not read yet, which cannot be "
                    + "queued again after a restart (this round is refused; the next usually finds the queue empty)");
        }
        Map<Key, Path> paths = ctx.shared("fd.events.inotify-paths", HashMap::new);
        for (Watch w : watches(f)) {
            out.add("watches").put("wd", w.wd()).put("mask", w.mask() & 0xffffffffL).put("path", paths.get(w.file()).toString())
                    .put("ino", w.file().ino()).put("dev", w.file().dev());
        }
    }

    @Override
    long create(SavedFd f, RestoreContext ctx) throws IOException {
        RemoteProcess p = ctx.process();
        Map<Integer, RecordReader> byWd = new TreeMap<>();
        for (RecordReader w : f.data().list("watches")) {
            if (byWd.put(w.getInt("wd"), w) != null) {
                throw new IOException("restore of " + f + ": wd " + w.getInt("wd") + " is saved twice");
            }
        }
        String lost = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            long fd = p.check("restore of " + f + ": inotify_init1", SYS_INOTIFY_INIT1, nonblock(f));
            for (RecordReader w : byWd.values()) {
                addWatch(p, fd, w, byWd.keySet(), f);
            }
            drain(p, fd, f);
            lost = lost(p.pid(), fd, byWd);
            if (lost == null) {
                for (RecordReader w : byWd.values()) {
                    Key now = InodeSearch.keyOf(Path.of(w.getString("path")));
                    if (now == null || now.ino() != w.getLong("ino") || now.dev() != w.getLong("dev")) {
                        System.err.println("dmtcp restore: " + f + " of " + ctx.program() + ": " + w.getString("path") + " (wd "
                                + w.getInt("wd") + ") is another file than at checkpoint time (replaced since): the new one is watched");
                    }
                }
                return fd;
            }
            p.syscall(SYS_CLOSE, fd); // a one-shot watch fired during the restore: again
        }
        throw new IOException("restore of " + f + " of " + ctx.program() + ": " + lost);
    }

    /** Adds watch {@code w} under its own wd: lower wds the kernel hands out first are removed again. */
    private static void addWatch(RemoteProcess p, long fd, RecordReader w, Set<Integer> wds, SavedFd f) {
        int wd = w.getInt("wd");
        int mask = (int) w.getLong("mask") | IN_DONT_FOLLOW;
        String path = w.getString("path");
        String what = "restore of " + f + ": inotify_add_watch(\"" + path + "\", 0x" + Integer.toHexString(mask) + ")";
        for (;;) {
            long got = p.check(what, SYS_INOTIFY_ADD_WATCH, fd, p.putString(path), mask);
            if (got == wd) {
                return;
            }
            if (got > wd || wds.contains((int) got)) { // added in wd order: a lower wd of the set is a watch added before
                throw new IllegalStateException(what + " gave wd " + got + " where " + wd + " was wanted (" + path
                        + " is the file of another watch now?)");
            }
            p.check(what + ": inotify_rm_watch(" + got + ") to reach wd " + wd, SYS_INOTIFY_RM_WATCH, fd, got);
        }
    }

    /** Reads away what the restore queued (the IN_IGNORED of the removed wds). */
    private static void drain(RemoteProcess p, long fd, SavedFd f) {
        long n = p.scratch(8);
        int size = 8192;
        long buf = p.scratch(8 + size) + 8;
        for (int i = 0; i < 100_000; i++) {
            p.check("restore of " + f + ": ioctl(FIONREAD)", SYS_IOCTL, fd, FIONREAD, n);
            if (ByteBuffer.wrap(p.read(n, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt() <= 0) {
                return;
            }
            p.check("restore of " + f + ": read of the events the restore queued", SYS_READ, fd, buf, size);
        }
    }

    /** What differs between the watches wanted and those the kernel shows for {@code fd} of {@code pid}, or null. */
    private static String lost(int pid, long fd, Map<Integer, RecordReader> byWd) throws IOException {
        Map<Integer, Integer> have = new TreeMap<>();
        List<String> lines = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "fdinfo", Long.toString(fd)));
        FdInfo now = new FdInfo(pid, (int) fd, "anon_inode:inotify", 0, 0, 0, 0, lines);
        for (Watch w : watches(now)) {
            have.put(w.wd(), w.mask());
        }
        Map<Integer, Integer> want = new TreeMap<>();
        byWd.forEach((wd, w) -> want.put(wd, (int) w.getLong("mask")));
        return have.equals(want) ? null : "its watches came back as {wd=mask} " + hex(have) + ", not " + hex(want);
    }

    private static String hex(Map<Integer, Integer> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append("=0x").append(Integer.toHexString(v)));
        return b.append('}').toString();
    }
}
