package dmtcp.fd.events;

import static dmtcp.fd.events.Sys.*;

import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.ckpt.process.spi.RestorePhase;
import dmtcp.image.format.schema.RecordReader;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.Errno;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.NativeException;
import dmtcp.mem.linux.api.RemoteProcess;
import dmtcp.mem.linux.api.UnsupportedFdException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Component;

/**
 * Kind {@code epoll}: every registration ({@code entries}: {@code fd}, {@code events} with
 * EPOLLET, EPOLLONESHOT and the other flags as the kernel keeps them, {@code data}) from
 * fdinfo's {@code tfd: events: data:} lines. A registration is of a file under an fd number;
 * one whose fd the process no longer holds with that file (closed after epoll_ctl while the file
 * stayed open elsewhere, or the number reused) could not be registered again and refuses the
 * checkpoint, naming both fds (inode and device at claim time; kcmp(KCMP_EPOLL_TFD) at dump,
 * since all anonymous inodes of a kind share one inode number).
 *
 * <p>Restored after the threads, when every fd they watch exists: every epoll is created
 * first, then registrations are made, so an epoll watching another works. A fired EPOLLONESHOT
 * registration (no events left) is made ready and fired once more (see {@link #fireDisarmed}),
 * so that it comes back disarmed rather than armed for EPOLLERR and EPOLLHUP, which epoll_ctl
 * adds to every registration.
 */
@Component(service = FdHandler.class, property = "service.ranking:Integer=0")
public class EpollHandler extends EventHandler {
    static final String KIND = "epoll";
    private static final Pattern LINE = Pattern.compile(
            "tfd:\\s*(\\d+)\\s+events:\\s*([0-9a-f]+)\\s+data:\\s*([0-9a-f]+)\\s+pos:\\s*(-?\\d+)\\s+ino:\\s*([0-9a-f]+)\\s+sdev:\\s*([0-9a-f]+).*");
    /** Every event a probe asks for (EPOLLERR and EPOLLHUP are always reported). */
    private static final int ALL_EVENTS = EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM | EPOLLWRBAND
            | EPOLLMSG | EPOLLRDHUP;

    /** One registration as fdinfo shows it. */
    record Entry(int fd, int events, long data, long ino, long sdev) {
        boolean disarmed() {
            return (events & EPOLLONESHOT) != 0 && (events & ~EP_PRIVATE_BITS) == 0;
        }
    }

    public EpollHandler() {
        super(KIND, "anon_inode:[eventpoll]", "an epoll instance");
    }

    static List<Entry> entries(FdInfo f) {
        List<Entry> l = new ArrayList<>();
        for (String s : f.lines("tfd:")) {
            Matcher m = LINE.matcher(s.trim());
            if (!m.matches()) {
                throw refuse(f, "an epoll instance whose registration this engine cannot read (\"" + s.trim() + "\")");
            }
            l.add(new Entry(Integer.parseInt(m.group(1)), (int) Long.parseLong(m.group(2), 16), Long.parseUnsignedLong(m.group(3), 16),
                    Long.parseLong(m.group(5), 16), Long.parseLong(m.group(6), 16)));
        }
        return l;
    }

    /** Each registration's fd must hold the registered file still: same inode and device. */
    @Override
    void check(FdInfo f, DumpContext ctx) throws IOException {
        Map<Integer, FdInfo> open = new HashMap<>();
        for (FdInfo o : ctx.fds()) {
            open.put(o.fd(), o);
        }
        Set<Integer> seen = new HashSet<>();
        for (Entry e : entries(f)) {
            FdInfo t = open.get(e.fd());
            if (t == null) {
                throw refuse(f, "an epoll instance with fd " + e.fd() + " registered, which is closed now (its file stayed open "
                        + "elsewhere: a dup, or another process): that registration cannot be made again");
            }
            if (!seen.add(e.fd()) || t.inode() != e.ino() || dev(t) != userDev(e.sdev())) {
                throw staleTarget(f, e.fd());
            }
        }
    }

    private static UnsupportedFdException staleTarget(FdInfo f, int tfd) {
        return refuse(f, "an epoll instance with fd " + tfd + " registered for a file fd " + tfd + " no longer holds (closed after "
                + "epoll_ctl and the number reused, the file still open elsewhere): that registration cannot be made again");
    }

    private static long dev(FdInfo t) {
        try {
            return ((Number) java.nio.file.Files.getAttribute(t.link(), "unix:dev")).longValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    @Override
    void save(FdInfo f, DumpContext ctx, RecordWriter out) {
        RemoteProcess p = ctx.process();
        long slot = p.scratch(16);
        for (Entry e : entries(f)) {
            // the very file: kcmp the target of the registration with what fd e.fd() holds now
            ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(f.fd()).putInt(e.fd()).putInt(0);
            p.write(slot, b.array());
            long r = p.syscall(SYS_KCMP, p.pid(), p.pid(), KCMP_EPOLL_TFD, e.fd(), slot);
            if (r > 0 || r == -EBADF || r == -ENOENT) {
                throw staleTarget(f, e.fd());
            }
            // r < 0 otherwise: no kcmp in this kernel (ENOSYS) or not allowed: inode and device were checked
            out.add("entries").put("fd", e.fd()).put("events", e.events() & 0xffffffffL).put("data", e.data());
        }
    }

    @Override
    public RestorePhase phase(SavedFd f) {
        return RestorePhase.AFTER_THREADS;
    }

    /** The first epoll fd restored restores them all: every epoll created, then the fired one-shots, then the rest. */
    @Override
    public void restore(SavedFd f, RestoreContext ctx) throws IOException {
        checkVersion(f, ctx);
        if (ctx.shared("fd.events.epolls-restored", AtomicBoolean::new).getAndSet(true)) {
            return;
        }
        List<SavedFd> epolls = ctx.fds().stream().filter(s -> s.kind().equals(KIND)).toList();
        RemoteProcess p = ctx.process();
        for (SavedFd e : epolls) {
            checkVersion(e, ctx);
            if (!dupOfLower(e, ctx)) {
                ctx.install(p.check("restore of " + e + ": epoll_create1", SYS_EPOLL_CREATE1, 0), e);
            }
        }
        for (SavedFd e : epolls) {
            if (!isDup(e)) {
                fireDisarmed(e, ctx);
            }
        }
        for (SavedFd e : epolls) {
            for (RecordReader r : isDup(e) ? List.<RecordReader>of() : e.data().list("entries")) {
                int events = (int) r.getLong("events");
                if ((events & EPOLLONESHOT) == 0 || (events & ~EP_PRIVATE_BITS) != 0) {
                    register(p, e, r.getInt("fd"), events, r.getLong("data"), ctx);
                }
            }
        }
    }

    /**
     * The registrations of {@code e} whose EPOLLONESHOT fired (no events left): epoll_ctl cannot
     * make one (it adds EPOLLERR and EPOLLHUP to every registration), so each is made with the
     * events its fd is ready for now (probed in a scratch epoll) and all of them fired by an
     * epoll_wait on {@code e}, which holds nothing else yet: a one-shot that fires keeps only
     * its flags. An fd ready for nothing now is registered with its flags alone: exact unless
     * its fd later reports EPOLLERR or EPOLLHUP (a pipe or socket whose other end closes), which
     * this registration then reports once.
     */
    private static void fireDisarmed(SavedFd e, RestoreContext ctx) {
        RemoteProcess p = ctx.process();
        int ready = 0;
        for (RecordReader r : e.data().list("entries")) {
            int events = (int) r.getLong("events");
            if ((events & EPOLLONESHOT) != 0 && (events & ~EP_PRIVATE_BITS) == 0) {
                int now = probe(p, r.getInt("fd"));
                if (register(p, e, r.getInt("fd"), events | (now & ALL_EVENTS), r.getLong("data"), ctx) && now != 0) {
                    ready++;
                }
            }
        }
        if (ready > 0) {
            long buf = p.scratch(ready * EPOLL_EVENT_SIZE);
            p.check("restore of " + e + ": epoll_wait to fire its fired one-shot registrations", SYS_EPOLL_WAIT, e.fd(), buf, ready, 0);
        }
    }

    /** The events fd {@code fd} is ready for now, asked of a scratch epoll; 0 when none (or it cannot be polled). */
    private static int probe(RemoteProcess p, int fd) {
        long ep = p.check("epoll_create1 (probe)", SYS_EPOLL_CREATE1, O_CLOEXEC);
        try {
            long buf = p.scratch(2 * EPOLL_EVENT_SIZE);
            p.write(buf, event(ALL_EVENTS, 0));
            if (p.syscall(SYS_EPOLL_CTL, ep, EPOLL_CTL_ADD, fd, buf) < 0) {
                return 0;
            }
            long n = p.syscall(SYS_EPOLL_WAIT, ep, buf, 1, 0);
            return n == 1 ? ByteBuffer.wrap(p.read(buf, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt() : 0;
        } finally {
            p.syscall(SYS_CLOSE, ep);
        }
    }

    private static byte[] event(int events, long data) {
        return ByteBuffer.allocate(EPOLL_EVENT_SIZE).order(ByteOrder.LITTLE_ENDIAN).putInt(events).putLong(data).array();
    }

    /**
     * epoll_ctl(ADD) of one saved registration; false (with a warning) when its fd is not there
     * or cannot be watched any more (a standard stream the restarter has closed, or a regular
     * file where the program had a terminal), any other failure throws.
     */
    private static boolean register(RemoteProcess p, SavedFd e, int fd, int events, long data, RestoreContext ctx) {
        long buf = p.scratch(EPOLL_EVENT_SIZE);
        p.write(buf, event(events, data));
        long r = p.syscall(SYS_EPOLL_CTL, e.fd(), EPOLL_CTL_ADD, fd, buf);
        if (r == -EBADF || r == -EPERM) {
            System.err.println("dmtcp restore: " + e + " of " + ctx.program() + " watched fd " + fd + ", which "
                    + (r == -EBADF ? "is not open" : "epoll cannot watch") + " in the restored process: left unregistered");
            return false;
        }
        if (r < 0) {
            throw new NativeException("restore of " + e + ": epoll_ctl(EPOLL_CTL_ADD, fd " + fd + ", events 0x" + Integer.toHexString(events)
                    + ")", (int) -r, Errno.describe((int) -r));
        }
        return true;
    }

    @Override
    long create(SavedFd f, RestoreContext ctx) {
        throw new UnsupportedOperationException("epolls are created by restore");
    }
}
