package dmtcp.fd.events;

import static dmtcp.fd.events.Sys.*;

import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.image.format.schema.RecordReader;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.RemoteProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Component;

/**
 * Kind {@code timerfd}. Record: {@code clock} (clockid_t), {@code flags} (the settime flags:
 * TFD_TIMER_ABSTIME 1, TFD_TIMER_CANCEL_ON_SET 2), {@code valueNanos} (time to the next expiry,
 * 0 = disarmed), {@code intervalNanos}, {@code deadlineNanos} (an armed TFD_TIMER_ABSTIME timer's
 * next expiry on its clock) and {@code ticks} (the expirations not yet read).
 *
 * <p>At checkpoint the timer is asked with an injected timerfd_gettime, which also accounts the
 * expirations of a periodic timer the program has not read (the kernel counts them only when
 * asked); the count comes from fdinfo's {@code ticks:}, read between two such calls until no
 * expiry fell between them. At restart the timer is created not armed, and armed just before
 * the program runs ({@link #release}), so that the time it was held does not count, as the
 * engine does for POSIX timers: a relative timer with the time it had left, an absolute one at
 * its deadline (its clock went on meanwhile: a deadline passed while the program was not
 * running expires at once, counting the periods missed). The pending count is then put back
 * with TFD_IOC_SET_TICKS, which replaces the count the kernel has: it is set at a moment no
 * expiry can race (see {@link #addTicks}).
 */
@Component(service = FdHandler.class, property = "service.ranking:Integer=0")
public class TimerfdHandler extends EventHandler {
    static final String KIND = "timerfd";
    private static final long NS = 1_000_000_000L;
    /** How far from an expiry the count is set: more than the three calls of {@link #addTicks} take. */
    private static final long MARGIN_NANOS = 2_000_000;

    public TimerfdHandler() {
        super(KIND, "anon_inode:[timerfd]", "a timerfd");
    }

    @Override
    void check(FdInfo f, DumpContext ctx) {
        field(f, "clockid:");
        field(f, "ticks:");
        field(f, "settime flags:");
    }

    @Override
    void save(FdInfo f, DumpContext ctx, RecordWriter out) throws IOException {
        RemoteProcess p = ctx.process();
        int clock = Integer.parseInt(field(f, "clockid:"));
        int flags = Integer.parseInt(field(f, "settime flags:"), 8);
        Path info = fdinfo(f.pid(), f.fd());
        long buf = p.scratch(64);
        long[] g1 = getTime(p, f.fd(), buf, "checkpoint of fd " + f.fd() + " (timerfd)");
        long[] g2 = g1;
        long ticks = 0;
        for (int i = 0; i < 20; i++) {
            ticks = ticks(info);
            g2 = getTime(p, f.fd(), buf, "checkpoint of fd " + f.fd() + " (timerfd)");
            if (noExpiryBetween(g1, g2)) {
                break;
            }
            g1 = g2; // it expired while the count was read: again
        }
        out.put("clock", clock).put("flags", flags).put("valueNanos", g2[1]).put("intervalNanos", g2[0]);
        if ((flags & TFD_TIMER_ABSTIME) != 0 && g2[1] != 0) {
            p.check("checkpoint of fd " + f.fd() + " (timerfd): clock_gettime(" + clock + ")", SYS_CLOCK_GETTIME, clock, buf + 32);
            ByteBuffer b = le(p.read(buf + 32, 16));
            out.put("deadlineNanos", b.getLong(0) * NS + b.getLong(8) + g2[1]);
        }
        out.put("ticks", ticks);
    }

    /** Whether two readings {interval, value} of one timer, in this order, have no expiry between them. */
    static boolean noExpiryBetween(long[] before, long[] after) {
        if (before[1] == 0) {
            return true; // disarmed, or a one-shot that fired: nothing more expires
        }
        // a one-shot that fired shows 0; a periodic one that fired is forwarded to a later expiry
        return before[0] == 0 ? after[1] != 0 : after[1] <= before[1];
    }

    @Override
    long create(SavedFd f, RestoreContext ctx) throws IOException {
        RemoteProcess p = ctx.process();
        RecordReader d = f.data();
        int clock = d.getInt("clock");
        long fd = p.check("restore of " + f + ": timerfd_create(" + clock + ")", SYS_TIMERFD_CREATE, clock, nonblock(f));
        if (d.getLong("ticks", 0) != 0) {
            // the count goes back with TFD_IOC_SET_TICKS just before the program runs: see now that this kernel has it
            long buf = p.scratch(32);
            p.write(buf, longs(1));
            long r = p.syscall(SYS_IOCTL, fd, TFD_IOC_SET_TICKS, buf);
            if (r < 0) {
                p.syscall(SYS_CLOSE, fd);
                throw new IOException("restore of " + f + " of " + ctx.program() + ": its " + d.getLong("ticks")
                        + " pending expirations cannot be put back: ioctl(TFD_IOC_SET_TICKS) failed with errno " + -r
                        + (r == -ENOTTY ? " (a kernel without CONFIG_CHECKPOINT_RESTORE)" : ""));
            }
            setTime(p, fd, 0, 0, 0, buf, "restore of " + f); // back to no count, not armed
        }
        return fd;
    }

    /** Arms the timer and puts its pending count back, now that the program is about to run. */
    @Override
    public void release(SavedFd f, RestoreContext ctx) throws IOException {
        if (isDup(f)) {
            return;
        }
        RemoteProcess p = ctx.process();
        RecordReader d = f.data();
        int flags = d.getInt("flags");
        long value = d.getLong("valueNanos"), interval = d.getLong("intervalNanos"), ticks = d.getLong("ticks", 0);
        long first = (flags & TFD_TIMER_ABSTIME) != 0 ? d.getLong("deadlineNanos", 0) : value;
        long buf = p.scratch(64);
        String what = "release of " + f;
        if (value == 0) {
            if (ticks != 0) {
                setTicks(p, f.fd(), ticks, buf, what); // not armed: nothing can race
            }
            return;
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            setTime(p, f.fd(), flags, interval, first, buf, what);
            if (ticks == 0 || addTicks(p, f.fd(), ticks, interval, buf, what)) {
                return; // with no count to put back, the kernel's own count is right from the start
            }
            setTime(p, f.fd(), 0, 0, 0, buf, what); // an expiry fell between: disarm, and arm again
        }
        System.err.println("dmtcp restore: fd " + f.fd() + " (timerfd) of " + ctx.program() + " expires every " + interval
                + " ns, faster than its count can be set: its pending count may be off by one");
    }

    /**
     * Sets the count of an armed timer to {@code saved} plus what it counted since it was armed,
     * at a moment no expiry is near: the count read from fdinfo and set must not miss one that
     * falls between. False when one fell between after all (the caller arms it again).
     */
    private static boolean addTicks(RemoteProcess p, int fd, long saved, long interval, long buf, String what) throws IOException {
        long margin = interval == 0 ? MARGIN_NANOS : Math.min(MARGIN_NANOS, interval / 2);
        Path info = fdinfo(p.pid(), fd);
        for (int i = 0; i < 100; i++) {
            long[] g1 = getTime(p, fd, buf, what);
            if (g1[1] != 0 && g1[1] < margin) {
                sleepNanos(g1[1] + 100_000); // an expiry is near: after it
                continue;
            }
            setTicks(p, fd, saved + ticks(info), buf, what);
            return noExpiryBetween(g1, getTime(p, fd, buf, what));
        }
        return false;
    }

    private static void sleepNanos(long ns) {
        try {
            Thread.sleep(ns / 1_000_000, (int) (ns % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** timerfd_gettime: {interval, value} in nanoseconds. */
    static long[] getTime(RemoteProcess p, long fd, long buf, String what) {
        p.check(what + ": timerfd_gettime", SYS_TIMERFD_GETTIME, fd, buf);
        ByteBuffer b = le(p.read(buf, 32));
        return new long[] {b.getLong(0) * NS + b.getLong(8), b.getLong(16) * NS + b.getLong(24)};
    }

    static void setTime(RemoteProcess p, long fd, int flags, long interval, long value, long buf, String what) {
        p.write(buf, longs(interval / NS, interval % NS, value / NS, value % NS));
        p.check(what + ": timerfd_settime(flags " + flags + ", interval " + interval + " ns, value " + value + " ns)",
                SYS_TIMERFD_SETTIME, fd, flags, buf, 0);
    }

    private static void setTicks(RemoteProcess p, long fd, long ticks, long buf, String what) {
        p.write(buf, longs(ticks));
        p.check(what + ": ioctl(TFD_IOC_SET_TICKS, " + ticks + ")", SYS_IOCTL, fd, TFD_IOC_SET_TICKS, buf);
    }

    static Path fdinfo(int pid, int fd) {
        return Path.of("/proc", Integer.toString(pid), "fdinfo", Integer.toString(fd));
    }

    /** The {@code ticks:} of a timerfd's fdinfo now. */
    static long ticks(Path fdinfo) throws IOException {
        for (String l : Files.readAllLines(fdinfo)) {
            if (l.startsWith("ticks:")) {
                return Long.parseUnsignedLong(l.substring(6).trim());
            }
        }
        throw new IOException(fdinfo + " shows no ticks:");
    }
}
