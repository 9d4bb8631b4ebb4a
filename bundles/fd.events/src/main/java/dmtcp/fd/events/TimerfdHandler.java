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
 * 0 = disarmed), {@code intervalNanos}, {@code ticks} (the expirations not yet read),
 * {@code readAtNanos} (a relative timer: CLOCK_MONOTONIC when the time left was read) and
 * {@code deadlineNanos} (an armed TFD_TIMER_ABSTIME timer: its next expiry on its clock).
 *
 * <p>What the kernel does that this relies on (fs/timerfd.c): a timer that expires counts one
 * tick and stops; the periods that pass before the program reads it (or asks timerfd_gettime)
 * are counted then, and it is started again. So at checkpoint an injected timerfd_gettime gives
 * the time left and makes the count right at that instant; after it the timer can expire at
 * most once more (fdinfo then shows {@code it_value: (0, 0)}), which the count read from fdinfo's
 * {@code ticks:} is corrected for. At restart the timer is created not armed, and armed just
 * before the program runs ({@link #release}), so that the time it was held does not count (as
 * the engine does for POSIX timers): a relative timer with the time it had left. The timerfds of a
 * process are read one after the other, the process frozen: they are brought to one instant,
 * the last reading (a timer read earlier counts the expirations it had until then, and has that
 * much less time left), and armed from one instant, the first arming (a timer armed later has
 * that much less time left), so that the program finds their counts as they were together and
 * timers it started together expire together after the restart too; clock readings that bracket
 * a call by more than {@value #BRACKET_NANOS} ns are taken again. An absolute timer is armed at
 * its deadline (its clock went on
 * meanwhile: a deadline passed while the program was not running expires at once, the kernel
 * counting the periods missed). The pending count is put back with TFD_IOC_SET_TICKS, which
 * replaces the kernel's count: an expiry that falls just before it is added again, knowing, as
 * above, that there can be only one.
 */
@Component(service = FdHandler.class, property = "service.ranking:Integer=0")
public class TimerfdHandler extends EventHandler {
    static final String KIND = "timerfd";
    private static final long NS = 1_000_000_000L;
    /** The widest pair of clock readings around a timerfd call that places the call in time well enough. */
    static final long BRACKET_NANOS = 200_000;

    public TimerfdHandler() {
        super(KIND, "anon_inode:[timerfd]", "a timerfd");
    }

    @Override
    void check(FdInfo f, DumpContext ctx) {
        field(f, "clockid:");
        field(f, "ticks:");
        field(f, "settime flags:");
        field(f, "it_value:");
    }

    @Override
    void save(FdInfo f, DumpContext ctx, RecordWriter out) throws IOException {
        RemoteProcess p = ctx.process();
        int clock = Integer.parseInt(field(f, "clockid:"));
        int flags = Integer.parseInt(field(f, "settime flags:"), 8);
        boolean abs = (flags & TFD_TIMER_ABSTIME) != 0;
        String what = "checkpoint of fd " + f.fd() + " (timerfd)";
        Path info = fdinfo(f.pid(), f.fd());
        long buf = p.scratch(96);
        long[] g;
        long at;
        int tries = 0;
        do {
            // an absolute deadline is on the timer's clock; the phases of relative timers on one clock for all
            long c0 = clock(p, abs ? clock : CLOCK_MONOTONIC, buf + 32, what);
            g = getTime(p, f.fd(), buf, what);
            long c1 = clock(p, abs ? clock : CLOCK_MONOTONIC, buf + 32, what);
            at = c0 + (c1 - c0) / 2;
            if (c1 - c0 <= BRACKET_NANOS) {
                break;
            }
        } while (++tries < 20);
        Reading r = settled(info, g[1] != 0);
        // the count at the timerfd_gettime: an expiry since is in the value, not yet in the count
        long ticks = r.fired() ? r.ticks() - 1 : r.ticks();
        out.put("clock", clock).put("flags", flags).put("valueNanos", g[1]).put("intervalNanos", g[0]).put("ticks", ticks);
        if (g[1] != 0) {
            out.put(abs ? "deadlineNanos" : "readAtNanos", abs ? at + g[1] : at);
        }
    }

    @Override
    long create(SavedFd f, RestoreContext ctx) throws IOException {
        RemoteProcess p = ctx.process();
        RecordReader d = f.data();
        int clock = d.getInt("clock");
        long fd = p.check("restore of " + f + ": timerfd_create(" + clock + ")", SYS_TIMERFD_CREATE, clock, nonblock(f));
        if (d.getLong("ticks", 0) != 0 || d.getLong("valueNanos") != 0) {
            // the count goes back with TFD_IOC_SET_TICKS just before the program runs: see now that this kernel has it
            long buf = p.scratch(32);
            p.write(buf, longs(1));
            long r = p.syscall(SYS_IOCTL, fd, TFD_IOC_SET_TICKS, buf);
            if (r < 0) {
                p.syscall(SYS_CLOSE, fd);
                throw new IOException("restore of " + f + " of " + ctx.program() + ": its pending expirations cannot be put back: "
                        + "ioctl(TFD_IOC_SET_TICKS) failed with errno " + -r + (r == -ENOTTY ? " (a kernel without CONFIG_CHECKPOINT_RESTORE)" : ""));
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
        long interval = d.getLong("intervalNanos"), ticks = d.getLong("ticks", 0);
        boolean abs = (flags & TFD_TIMER_ABSTIME) != 0;
        long buf = p.scratch(96);
        String what = "release of " + f;
        if (d.getLong("valueNanos") == 0) {
            if (ticks != 0) {
                setTicks(p, f.fd(), ticks, buf, what); // not armed: nothing can race
            }
            return;
        }
        long missed = 0;
        for (int tries = 0;; tries++) {
            long value;
            if (abs) {
                value = d.getLong("deadlineNanos");
                setTime(p, f.fd(), flags, interval, value, buf, what);
            } else {
                long c0 = clock(p, CLOCK_MONOTONIC, buf + 32, what);
                long[] s = schedule(f, ctx, interval, c0);
                missed = s[1];
                if (s[0] == 0) { // a one-shot due already: it fired
                    setTicks(p, f.fd(), ticks + missed, buf, what);
                    return;
                }
                setTime(p, f.fd(), flags, interval, s[0], buf, what);
                long c1 = clock(p, CLOCK_MONOTONIC, buf + 32, what);
                if (c1 - c0 > BRACKET_NANOS && tries < 20) {
                    setTime(p, f.fd(), 0, 0, 0, buf, what); // armed at a moment not known well enough: again
                    continue;
                }
            }
            break;
        }
        long want = ticks + missed;
        if (want == 0) {
            return; // the kernel's own count is right from the start
        }
        Path info = fdinfo(p.pid(), f.fd());
        Reading r = settled(info, true);
        setTicks(p, f.fd(), want + r.ticks(), buf, what);
        if (!r.fired() && settled(info, true).fired()) {
            setTicks(p, f.fd(), want + r.ticks() + 1, buf, what); // it expired once just then, and stopped: counted again
        }
    }

    /** The last reading of the dump and the first arming of the restore, for {@link #schedule}. */
    private static final class Phase {
        Long dumped;
        Long armed;
    }

    /**
     * How a relative timer is armed at {@code now} (CLOCK_MONOTONIC), {value, expirations missed}:
     * the time it had left at checkpoint, minus how much earlier than the process's last timerfd
     * it was read then, minus how much later than the first it is armed now. When that is past,
     * the expirations it had meanwhile are counted and it is armed for the next one of its
     * schedule (a one-shot: value 0, it fired).
     */
    private static long[] schedule(SavedFd f, RestoreContext ctx, long interval, long now) {
        RecordReader d = f.data();
        long value = d.getLong("valueNanos");
        if (d.has("readAtNanos")) {
            Phase ph = ctx.shared("fd.events.timerfd-phase", Phase::new);
            if (ph.dumped == null) {
                ph.dumped = ctx.fds().stream().filter(s -> s.kind().equals(KIND) && s.data().has("readAtNanos"))
                        .mapToLong(s -> s.data().getLong("readAtNanos")).max().orElse(d.getLong("readAtNanos"));
            }
            if (ph.armed == null) {
                ph.armed = now;
            }
            value += (d.getLong("readAtNanos") - ph.dumped) - (now - ph.armed);
        }
        if (value > 0) {
            return new long[] {value, 0};
        }
        if (interval == 0) {
            return new long[] {0, 1};
        }
        long missed = -value / interval + 1;
        return new long[] {value + missed * interval, missed};
    }

    /** What fdinfo shows of a timer: its count, and whether it expired since it was last started (and so stopped). */
    record Reading(long ticks, boolean fired) {}

    /**
     * The count of an armed timer started (by settime or gettime) before this call, and whether it
     * expired since: then it has stopped and shows {@code it_value: (0, 0)}. Read twice, so that an
     * expiry between the two lines of one reading is seen; a timer due but not yet run by the
     * kernel's timer interrupt is given a millisecond.
     */
    static Reading settled(Path info, boolean armed) throws IOException {
        Reading r1 = read(info), r2 = read(info);
        if (!armed) {
            return new Reading(r2.ticks(), false);
        }
        if (r2.fired() || r2.ticks() != r1.ticks()) {
            sleepNanos(1_000_000);
            return new Reading(read(info).ticks(), true);
        }
        return r2;
    }

    /** One reading of fdinfo: ticks, and whether it_value is 0. */
    private static Reading read(Path info) throws IOException {
        long ticks = -1;
        boolean zero = false;
        for (String l : Files.readAllLines(info)) {
            if (l.startsWith("ticks:")) {
                ticks = Long.parseUnsignedLong(l.substring(6).trim());
            } else if (l.startsWith("it_value:")) {
                zero = l.substring(9).replaceAll("\\s", "").equals("(0,0)");
            }
        }
        if (ticks < 0) {
            throw new IOException(info + " shows no ticks:");
        }
        return new Reading(ticks, zero);
    }

    private static void sleepNanos(long ns) {
        try {
            Thread.sleep(ns / 1_000_000, (int) (ns % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long clock(RemoteProcess p, int clock, long buf, String what) {
        p.check(what + ": clock_gettime(" + clock + ")", SYS_CLOCK_GETTIME, clock, buf);
        ByteBuffer b = le(p.read(buf, 16));
        return b.getLong(0) * NS + b.getLong(8);
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
}
