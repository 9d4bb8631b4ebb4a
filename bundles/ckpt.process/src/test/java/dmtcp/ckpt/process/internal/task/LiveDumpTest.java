package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.CPrograms;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.Processes;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** Dumps of programs that run on (not killed after): they must not notice. */
public class LiveDumpTest {

    @Test
    public void liveDumpsLeaveTheProgramUndisturbed() throws Exception {
        Path out = Files.createTempFile("threads", ".txt");
        Child c = Processes.spawn(List.of(CPrograms.build("threads").toString(), out.toString()));
        try {
            CPrograms.awaitLines(out, 3, 10_000);
            for (int i = 0; i < 5; i++) {
                long[] bytes = new long[1];
                ProcessState st = TestFds.dump(c.pid(), (r, off, data) -> bytes[0] += data.remaining());
                assertEquals(st.savedBytes(), bytes[0]);
                assertEquals(5, st.threads().size());
                Thread.sleep(30);
            }
            int n = CPrograms.lines(out).size();
            List<String> l = CPrograms.awaitLines(out, n + 3, 10_000);
            for (int i = 0; i < l.size(); i++) {
                String[] f = l.get(i).split(" ");
                assertEquals(String.valueOf(i + 1), f[0]);
                assertEquals(l.get(i), "1", f[5]);
            }
        } finally {
            c.signal(9);
            c.onExit().get(10, TimeUnit.SECONDS);
            Files.deleteIfExists(out);
        }
    }

    @Test
    public void aLiveDumpDoesNotCutASleepShort() throws Exception {
        Path out = Files.createTempFile("sleeper", ".txt");
        Child c = Processes.spawn(List.of(CPrograms.build("sleeper").toString(), out.toString(), "2"));
        try {
            CPrograms.awaitLines(out, 1, 10_000);
            long t0 = System.nanoTime();
            Thread.sleep(300);
            TestFds.dump(c.pid(), (r, off, data) -> { });
            Thread.sleep(1000);
            assertEquals("the 2 s sleep went on after the dump", 1, CPrograms.lines(out).size());
            CPrograms.awaitLines(out, 2, 5_000);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue("second line after " + ms + " ms", ms >= 1800 && ms < 3500);
        } finally {
            c.signal(9);
            c.onExit().get(10, TimeUnit.SECONDS);
            Files.deleteIfExists(out);
        }
    }

    @Test
    public void timerSignalsDuringALiveDumpKeepTheirSiginfo() throws Exception {
        Path out = Files.createTempFile("timers", ".txt");
        // timer A every 1 ms: its SIGUSR1 reaches threads while the dump's injected calls step them
        Child c = Processes.spawn(List.of(CPrograms.build("timers").toString(), out.toString(), "1000"));
        try {
            CPrograms.awaitLines(out, 3, 10_000);
            for (int i = 0; i < 10; i++) {
                ProcessState st = TestFds.dump(c.pid(), (r, off, data) -> { });
                assertEquals(st.timers().toString(), 6, st.timers().size());
                Thread.sleep(20);
            }
            int n = CPrograms.lines(out).size();
            List<String> l = CPrograms.awaitLines(out, n + 3, 10_000);
            for (int i = 0; i < l.size(); i++) {
                String[] f = l.get(i).split(" ");
                assertEquals(String.valueOf(i + 1), f[0]);
                assertEquals("every timer signal came with its siginfo (si_code SI_TIMER, id, sigev_value): " + l.get(i), "0", f[9]);
                assertEquals(l.get(i), "1", f[10]);
            }
            assertTrue(l.get(l.size() - 1), Long.parseLong(l.get(l.size() - 1).split(" ")[2]) > Long.parseLong(l.get(n - 1).split(" ")[2]));
        } finally {
            c.signal(9);
            c.onExit().get(10, TimeUnit.SECONDS);
            Files.deleteIfExists(out);
        }
    }
}
