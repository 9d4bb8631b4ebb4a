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

    /**
     * A freeze in a storm of signals: any ptrace stop uses up a pending PTRACE_INTERRUPT, so
     * a thread whose signal-delivery stop came right after the interrupt, once let go to take
     * its signal, went back to pause() and the freeze waited for it forever.
     */
    @Test
    public void aFreezeInAStormOfSignalsStopsEveryThread() throws Exception {
        Path out = Files.createTempFile("sigstorm", ".txt");
        Child c = Processes.spawn(List.of(CPrograms.build("sigstorm").toString(), out.toString()));
        java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            CPrograms.awaitLines(out, 1, 10_000);
            for (int i = 0; i < 500; i++) {
                java.util.concurrent.Future<Frozen> f = ex.submit(() -> Freezer.freeze(c.pid()));
                Frozen frozen;
                try {
                    frozen = f.get(20, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("freeze " + (i + 1) + " never returned");
                }
                assertEquals(4, frozen.tids().size());
                for (int t : frozen.tids()) {
                    assertTrue(state(c.pid(), t), state(c.pid(), t).startsWith("t"));
                }
                frozen.thaw();
            }
        } finally {
            c.signal(9); // also ends a freeze still waiting, and with it the sender (kill fails)
            c.onExit().get(10, TimeUnit.SECONDS);
            ex.shutdownNow();
            Files.deleteIfExists(out);
        }
    }

    /**
     * The case behind that hang, made on purpose: a thread whose interrupt a stop used up,
     * let go, back in its sleep. The wait for its interrupt stop sends the interrupt again
     * (a plain waitpid would wait forever).
     */
    @Test
    public void theWaitForAnInterruptStopSendsItAgainWhenAStopUsedItUp() throws Exception {
        Path out = Files.createTempFile("sleeper", ".txt");
        Child c = Processes.spawn(List.of(CPrograms.build("sleeper").toString(), out.toString(), "100"));
        java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "test-tracer");
            t.setDaemon(true);
            return t;
        });
        try {
            CPrograms.awaitLines(out, 1, 10_000);
            int pid = c.pid();
            java.util.concurrent.Future<Integer> f = ex.submit(() -> {
                assertEquals(0, ThreadControl.seizeLive(pid));
                ThreadControl.interrupt(pid);
                int st = ThreadControl.waitTid(pid);
                assertEquals("the interrupt stop", ThreadControl.PTRACE_EVENT_STOP, ThreadControl.event(st));
                ThreadControl.cont(pid, 0); // the interrupt is used up: the sleeper sleeps on
                Thread.sleep(100);
                assertTrue(state(pid, pid), state(pid, pid).startsWith("S"));
                long t0 = System.nanoTime();
                st = ThreadControl.waitInterrupted(pid);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(ThreadControl.PTRACE_EVENT_STOP, ThreadControl.event(st));
                assertTrue("stopped within " + ms + " ms", ms < 1000);
                ThreadControl.detach(pid, 0);
                return 0;
            });
            try {
                f.get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the wait for the interrupt stop never returned");
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new AssertionError(e.getCause());
            }
        } finally {
            c.signal(9);
            c.onExit().get(10, TimeUnit.SECONDS);
            ex.shutdownNow();
            Files.deleteIfExists(out);
        }
    }
}
