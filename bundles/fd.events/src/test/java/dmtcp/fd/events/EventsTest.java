package dmtcp.fd.events;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonObject;
import dmtcp.mem.linux.api.CPrograms;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Freezer;
import dmtcp.mem.linux.api.Frozen;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * eventfd, timerfd and signalfd through three checkpoint/kill/restore rounds of events.c (see
 * its head): counts, semaphore mode, a dup, relative, absolute and fired timers with their
 * pending expirations, and a signal sent while the process was frozen that arrives through the
 * signalfd after the restore.
 */
public class EventsTest extends Rounds {
    private static final int SIGUSR1 = 10;

    @Test
    public void countersTimersAndSignalfdsGoOnThroughThreeRestores() throws Exception {
        Path log = temp(".log");
        Child c = spawn("events", log.toString());
        CPrograms.awaitLines(log, 5, 10_000);
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(log).size();
            Frozen f = Freezer.freeze(c.pid());
            c.signal(SIGUSR1); // pending while frozen: saved, queued again, read through the signalfd
            Map<Integer, List<String>> before = fdinfos(c.pid());
            Path img = temp(".dmtcp");
            Map<Integer, JsonObject> fds = checkpointAndKill(c, f, img);
            Map<Integer, JsonObject> eventfds = ofKind(fds, "eventfd"), timers = ofKind(fds, "timerfd");
            assertEquals(fds.toString(), 3, eventfds.size());
            assertEquals("fd 4 is a dup of fd 3: " + eventfds, 3, eventfds.get(4).get("sameAs").getAsInt());
            assertTrue(eventfds.toString(), eventfds.get(5).get("semaphore").getAsBoolean() && !eventfds.get(3).get("semaphore").getAsBoolean());
            assertEquals(fds.toString(), 4, timers.size());
            JsonObject abs = timers.get(8), fired = timers.get(9);
            assertEquals(abs.toString(), 3, abs.get("flags").getAsInt());
            assertTrue(abs.toString(), abs.has("deadlineNanos") && abs.get("intervalNanos").getAsLong() == 7_000_000_000L);
            assertEquals(fired.toString(), 1, fired.get("ticks").getAsLong());
            assertEquals(fired.toString(), 0, fired.get("valueNanos").getAsLong());
            assertEquals(fds.toString(), (1L << 9) | (1L << 11), ofKind(fds, "signalfd").get(10).get("mask").getAsLong());

            c = restore(img);
            CPrograms.awaitLines(log, n + 5, 10_000);
            Map<Integer, List<String>> after = fdinfos(c.pid());
            for (int fd : List.of(3, 4, 5, 10)) {
                assertEquals("fd " + fd, before.get(fd).stream().filter(l -> !l.startsWith("eventfd-count") && !l.startsWith("eventfd-id"))
                        .toList(), after.get(fd).stream().filter(l -> !l.startsWith("eventfd-count") && !l.startsWith("eventfd-id")).toList());
            }
            assertEquals("fds 3 and 4 are one eventfd", field(after.get(3), "eventfd-id:"), field(after.get(4), "eventfd-id:"));
            for (int fd = 6; fd <= 9; fd++) {
                for (String k : List.of("flags:", "clockid:", "settime flags:", "it_interval:")) {
                    assertEquals("fd " + fd + " " + k, field(before.get(fd), k), field(after.get(fd), k));
                }
            }
            assertEquals(after.get(9).toString(), "1", field(after.get(9), "ticks:"));
            assertEquals(after.get(9).toString(), "(0, 0)", field(after.get(9), "it_value:"));
            System.out.printf("events round %d: restored as pid %d%n", round, c.pid());
        }
        CPrograms.awaitLines(log, CPrograms.lines(log).size() + 3, 10_000);
        List<String> l = CPrograms.lines(log);
        long lastSigs = 0;
        for (int i = 0; i < l.size(); i++) {
            String[] w = l.get(i).split(" ");
            assertEquals("line " + i + ": " + l.get(i), String.valueOf(i + 1), w[0]);
            assertEquals("line " + i + ": " + l.get(i), "ok", w[1]);
            long a = Long.parseLong(w[2]), b = Long.parseLong(w[3]), bread = Long.parseLong(w[4]);
            // a pending count of A lost at a restore makes A fall behind 50 B (see events.c); a tick
            // of play a restore for the two timers armed one after the other
            assertTrue("line " + i + ": A " + a + " fell behind 50 B = " + 50 * b, a >= 50 * b - 3);
            // the time the process was not running does not count: B never expired many times at once
            assertTrue("line " + i + ": B expired " + bread + " times in one read", bread <= 3);
            lastSigs = Long.parseLong(w[5]);
        }
        assertEquals("each round's SIGUSR1 came through the signalfd", 3, lastSigs);
    }

    static String field(List<String> fdinfo, String key) {
        for (String l : fdinfo) {
            if (l.startsWith(key)) {
                return l.substring(key.length()).trim();
            }
        }
        return null;
    }
}
