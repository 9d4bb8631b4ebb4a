package dmtcp.mem.linux.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dmtcp.mem.linux.api.Sys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

public class FreezerTest {

    private static String state(int pid, int tid) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/task/" + tid + "/status"))) {
            if (l.startsWith("State:")) {
                return l.substring(6).trim();
            }
        }
        return "?";
    }

    @Test
    public void freezeStopsEveryThreadAndThawResumes() throws Exception {
        Path out = Files.createTempFile("threads", ".txt");
        Child c = Processes.spawn(List.of(CPrograms.build("threads").toString(), out.toString()));
        try {
            CPrograms.awaitLines(out, 3, 10_000);
            long t0 = System.nanoTime();
            Frozen f = Freezer.freeze(c.pid());
            long us = (System.nanoTime() - t0) / 1000;
            System.out.println("froze 5 threads in " + us + " us");
            assertEquals(5, f.tids().size());
            assertEquals(c.pid(), (int) f.tids().get(0));
            for (int t : f.tids()) {
                assertTrue(state(c.pid(), t), state(c.pid(), t).startsWith("t"));
            }
            int n = CPrograms.lines(out).size();
            Thread.sleep(200);
            assertEquals("no output while frozen", n, CPrograms.lines(out).size());
            f.thaw();
            CPrograms.awaitLines(out, n + 3, 10_000);
            // a second freeze/thaw of the same process works as well
            Freezer.freeze(c.pid()).thaw();
            CPrograms.awaitLines(out, n + 6, 10_000);
            for (String l : CPrograms.lines(out)) {
                assertEquals(l, "1", l.split(" ")[5]);
            }
        } finally {
            c.signal(9);
            c.onExit().get(10, TimeUnit.SECONDS);
            Files.deleteIfExists(out);
        }
    }

    @Test
    public void injectedSyscallsRunInTheTracee() throws Exception {
        Path out = Files.createTempFile("counter", ".txt");
        Child c = Processes.spawn(List.of(CPrograms.build("threads").toString(), out.toString()));
        try {
            CPrograms.awaitLines(out, 2, 10_000);
            try (Frozen f = Freezer.freeze(c.pid())) {
                assertEquals(c.pid(), Injector.check(c.pid(), "getpid", Sys.SYS_getpid));
                for (int t : f.tids()) {
                    assertEquals(t, Injector.check(t, "gettid", Sys.SYS_gettid));
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    Injector.syscall(c.pid(), Sys.SYS_getpid);
                }
                System.out.println("injected getpid: " + (System.nanoTime() - t0) / 100_000 + " us per call");
                // an error comes back as a negative errno
                assertEquals(-9, Injector.syscall(c.pid(), Sys.SYS_close, 12345));
            }
            int n = CPrograms.lines(out).size();
            CPrograms.awaitLines(out, n + 3, 10_000);
        } finally {
            c.signal(9);
            c.onExit().get(10, TimeUnit.SECONDS);
            Files.deleteIfExists(out);
        }
    }
}
