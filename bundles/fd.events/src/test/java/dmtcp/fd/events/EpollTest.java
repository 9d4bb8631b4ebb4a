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
import java.util.Set;
import java.util.TreeSet;
import org.junit.Test;

/**
 * epoll through three checkpoint/kill/restore rounds of epoll.c (see its head): registrations
 * with their data, EPOLLET, EPOLLONESHOT armed and fired, an epoll in an epoll, a dup of an
 * epoll, a pipe (bundles/fd.pipes' handler); and the refusal of registrations whose fd no
 * longer holds the registered file.
 */
public class EpollTest extends Rounds {
    private static final int SIGUSR1 = 10;

    /** The registrations of an epoll's fdinfo as "tfd events data", without inode and device. */
    static Set<String> registrations(List<String> fdinfo) {
        Set<String> s = new TreeSet<>();
        for (String l : fdinfo) {
            if (l.startsWith("tfd:")) {
                s.add(l.replaceAll("tfd: (\\d+) events: (\\S+) data: (\\S+) .*", "$1 $2 $3"));
            }
        }
        return s;
    }

    @Test
    public void registrationsGoOnThroughThreeRestores() throws Exception {
        Path log = temp(".log");
        Child c = spawn("epoll", log.toString());
        CPrograms.awaitLines(log, 5, 10_000);
        // fds: 3 inner, 4 outer, 5-8 e1-e4, 9 t1, 10 g, 11 t2, 12-13 a pipe, 14 dup of outer
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(log).size();
            Frozen f = Freezer.freeze(c.pid());
            c.signal(SIGUSR1);
            Map<Integer, List<String>> before = fdinfos(c.pid());
            Path img = temp(".dmtcp");
            Map<Integer, JsonObject> epolls = ofKind(checkpointAndKill(c, f, img), "epoll");
            assertEquals(epolls.toString(), Set.of(3, 4, 14), epolls.keySet());
            assertEquals(epolls.toString(), 4, epolls.get(14).get("sameAs").getAsInt());
            assertEquals(epolls.toString(), 7, epolls.get(3).getAsJsonArray("entries").size());
            c = restore(img);
            CPrograms.awaitLines(log, n + 5, 10_000);
            Map<Integer, List<String>> after = fdinfos(c.pid());
            assertEquals("the outer set", registrations(before.get(4)), registrations(after.get(4)));
            assertEquals("the dup of the outer set", registrations(after.get(4)), registrations(after.get(14)));
            Set<String> inner = registrations(after.get(3));
            // t2, fired and ready for nothing at restore, comes back as EPOLLONESHOT|EPOLLERR|EPOLLHUP:
            // a timerfd reports neither, so it stays silent (see EpollHandler.fireDisarmed); e3 and e4
            // (readable, writable) are fired again at restore: disarmed exactly
            Set<String> want = new TreeSet<>();
            for (String r : registrations(before.get(3))) {
                want.add(r.startsWith("11 ") ? "11 40000018 8888" : r);
            }
            assertEquals("the inner set", want, inner);
            assertTrue(inner.toString(), inner.contains("7 40000000 4444") && inner.contains("8 40000000 5555"));
            for (String k : List.of("flags:")) {
                assertEquals(EventsTest.field(before.get(3), k), EventsTest.field(after.get(3), k));
                assertEquals(EventsTest.field(before.get(4), k), EventsTest.field(after.get(4), k));
            }
            System.out.printf("epoll round %d: restored as pid %d: %s%n", round, c.pid(), inner);
        }
        CPrograms.awaitLines(log, CPrograms.lines(log).size() + 3, 10_000);
        List<String> l = CPrograms.lines(log);
        long ticks = 0;
        for (String s : l) {
            String[] w = s.split(" ");
            assertEquals(s, "ok", w[1]);
            assertTrue(s, Long.parseLong(w[2]) >= ticks);
            ticks = Long.parseLong(w[2]);
        }
        String[] last = l.get(l.size() - 1).split(" ");
        assertEquals("each round's SIGUSR1 came through the signalfd in the outer set: " + l.get(l.size() - 1), "3", last[5]);
        assertTrue("e1, e2 and the pipe were reported after the restores: " + l.get(l.size() - 1),
                Long.parseLong(last[3]) > 0 && Long.parseLong(last[4]) > 0 && Long.parseLong(last[6]) > 0);
    }

    @Test
    public void aRegistrationOfAClosedFdRefusesTheCheckpoint() throws Exception {
        Path log = temp(".log");
        refused(log, "an epoll instance with fd 4 registered, which is closed now", () -> {}, "holdevents", log.toString(), "epoll-closed");
    }

    @Test
    public void aRegistrationOfAnFdNowHoldingAnotherFileRefusesTheCheckpoint() throws Exception {
        Path log = temp(".log");
        refused(log, "an epoll instance with fd 4 registered for a file fd 4 no longer holds", () -> {}, "holdevents", log.toString(),
                "epoll-replaced");
    }
}
