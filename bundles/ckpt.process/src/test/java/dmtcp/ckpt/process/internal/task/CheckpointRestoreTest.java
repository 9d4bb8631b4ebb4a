package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.CPrograms;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Freezer;
import dmtcp.mem.linux.api.Frozen;
import dmtcp.mem.linux.api.NativeException;
import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.Processes;
import dmtcp.mem.linux.api.ThreadState;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * Checkpoint, kill, restore, three times in a chain, on real C programs: the output each
 * program appends to a file must continue exactly where the dump froze it.
 */
public class CheckpointRestoreTest {
    private final List<Child> children = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        for (Child c : children) {
            c.signal(9);
            c.onExit().get(10, TimeUnit.SECONDS);
        }
        for (Path p : files) {
            Files.deleteIfExists(p);
        }
    }

    private Path temp(String suffix) throws Exception {
        Path p = Files.createTempFile("ckpt", suffix);
        files.add(p);
        return p;
    }

    /** What the last {@link #cycle} dumped. */
    private ProcessState lastDump;
    /** How long the last {@link #cycle} took from the freeze to the restored process: the most its timers stood still. */
    private long lastCycleMs;

    /** Spawns a test program writing to {@code out} (its first argument) and waits for its first {@code lines} lines. */
    private Child start(Path out, int lines, String program, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(CPrograms.build(program).toString(), out.toString()));
        argv.addAll(List.of(args));
        Child c = Processes.spawn(argv);
        children.add(c);
        CPrograms.awaitLines(out, lines, 10_000);
        return c;
    }

    /** Every line of {@code out} starts with its own number: no line lost or repeated across restores. */
    private static List<String> assertNumbered(Path out) throws Exception {
        List<String> l = CPrograms.lines(out);
        for (int i = 0; i < l.size(); i++) {
            assertEquals("line " + i + " of " + out, String.valueOf(i + 1), l.get(i).split(" ")[0]);
        }
        return l;
    }

    /** Freezes {@code c}, dumps it into {@code image} and kills it (also when the dump fails). */
    private static ProcessState dumpAndKill(Child c, FileImage image) throws Exception {
        Frozen f = Freezer.freeze(c.pid());
        try {
            return TestFds.dump(f, image);
        } finally {
            f.kill();
            c.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    /** Freezes, dumps to an image file, kills the frozen original, restores; returns the new child. */
    private Child cycle(Child c, Path out) throws Exception {
        long start = System.nanoTime();
        Path img = temp(".img");
        try (FileImage image = new FileImage(img)) {
            Frozen f = Freezer.freeze(c.pid());
            long t0 = System.nanoTime();
            ProcessState st;
            try {
                st = TestFds.dump(f, image);
            } catch (RuntimeException e) {
                f.kill();
                throw e;
            }
            long dumpUs = (System.nanoTime() - t0) / 1000;
            int linesAtDump = CPrograms.lines(out).size();
            f.kill();
            c.onExit().get(10, TimeUnit.SECONDS);
            assertEquals("no output between dump and kill", linesAtDump, CPrograms.lines(out).size());
            t0 = System.nanoTime();
            Child r = TestFds.restore(st, image);
            long restoreUs = (System.nanoTime() - t0) / 1000;
            children.add(r);
            lastDump = st;
            lastCycleMs = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("%s: %d threads, %d regions, %d KiB saved, dump %d us, restore %d us -> pid %d%n",
                    st.comm(), st.threads().size(), st.regions().size(), st.savedBytes() >> 10, dumpUs, restoreUs, r.pid());
            return r;
        }
    }

    @Test
    public void counterContinuesThroughThreeRestores() throws Exception {
        Path out = temp(".out");
        Child c = start(out, 5, "counter", "5000");
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(out).size();
            c = cycle(c, out);
            CPrograms.awaitLines(out, n + 10, 10_000);
            assertTrue(Files.readSymbolicLink(Path.of("/proc/" + c.pid() + "/exe")).toString().endsWith("/counter"));
        }
        // SIGUSR1 handler and sigaltstack survived
        c.signal(10);
        int n = CPrograms.lines(out).size();
        List<String> l = CPrograms.awaitLines(out, n + 3, 10_000);
        assertEquals("1", l.get(l.size() - 1).split(" ")[1]);
        for (int i = 0; i < l.size(); i++) {
            assertEquals("line " + i + " of " + l, String.valueOf(i + 1), l.get(i).split(" ")[0]);
        }
    }

    @Test
    public void threadsAllProgressThroughThreeRestores() throws Exception {
        Path out = temp(".out");
        Child c = start(out, 5, "threads");
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(out).size();
            c = cycle(c, out);
            assertEquals(5, Freezer.tasks(c.pid()).size());
            List<String> l = CPrograms.awaitLines(out, n + 10, 10_000);
            long[] before = counters(l.get(n - 1));
            long[] after = counters(l.get(l.size() - 1));
            for (int i = 0; i < 4; i++) {
                assertTrue("thread " + i + " progressed after restore " + round, after[i] > before[i]);
            }
        }
        List<String> l = CPrograms.lines(out);
        long[] prev = counters(l.get(0));
        for (int i = 0; i < l.size(); i++) {
            String[] f = l.get(i).split(" ");
            assertEquals("line " + i, String.valueOf(i + 1), f[0]);
            assertEquals("pthread_kill to every worker worked, counters consistent: " + l.get(i), "1", f[5]);
            long[] cur = counters(l.get(i));
            for (int k = 0; k < 4; k++) {
                assertTrue("counters never go back: " + l.get(i), cur[k] >= prev[k]);
            }
            prev = cur;
        }
    }

    private static long[] counters(String line) {
        String[] f = line.split(" ");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])};
    }

    @Test
    public void bigBufferChecksumSurvivesThreeRestores() throws Exception {
        Path out = temp(".out");
        Child c = Processes.spawn(List.of(CPrograms.build("bigmem").toString(), out.toString(), "256"));
        children.add(c);
        List<String> first = CPrograms.awaitLines(out, 2, 30_000);
        String sum = first.get(0).split(" ")[1];
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(out).size();
            c = cycle(c, out);
            CPrograms.awaitLines(out, n + 2, 30_000);
        }
        List<String> l = CPrograms.lines(out);
        for (int i = 0; i < l.size(); i++) {
            String[] f = l.get(i).split(" ");
            assertEquals("line " + i, String.valueOf(i + 1), f[0]);
            assertEquals("checksum at line " + i, sum, f[1]);
        }
    }

    @Test
    public void sleeperWakesAfterRestore() throws Exception {
        Path out = temp(".out");
        // sleeps 1000 s between lines: only an interrupted sleep turning into EINTR lets it go on
        Child c = start(out, 1, "sleeper", "1000");
        Thread.sleep(100); // let it block in clock_nanosleep
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(out).size();
            c = cycle(c, out);
            CPrograms.awaitLines(out, n + 1, 5_000);
            Thread.sleep(100);
        }
        List<String> l = CPrograms.lines(out);
        assertEquals(4, l.size());
        for (int i = 0; i < l.size(); i++) {
            assertEquals(String.valueOf(i + 1), l.get(i));
        }
    }

    @Test
    public void everyKindOfMappingSurvivesThreeRestores() throws Exception {
        Path out = temp(".out");
        Path dir = Files.createTempDirectory("ckpt-maps");
        try {
            Child c = start(out, 3, "maps", dir.toString());
            for (int round = 0; round < 3; round++) {
                int n = CPrograms.lines(out).size();
                c = cycle(c, out);
                CPrograms.awaitLines(out, n + 70, 20_000); // a full cycle of stack depths, growing the stack again
            }
            List<String> l = CPrograms.lines(out);
            for (int i = 0; i < l.size(); i++) {
                String[] f = l.get(i).split(" ");
                assertEquals("line " + i, String.valueOf(i + 1), f[0]);
                assertEquals("all regions intact at line " + i, "1", f[1]);
            }
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    public void processAttributesSurviveThreeRestores() throws Exception {
        Path out = temp(".out");
        Path dir = Files.createTempDirectory("ckpt-cwd");
        try {
            Child c = start(out, 5, "attrs", dir.toString());
            // two blocked signals stay pending: one process-wide, one queued to the thread
            c.signal(12);
            Processes.signalThread(c.pid(), c.pid(), 36);
            long deadline = System.currentTimeMillis() + 5000;
            int firstPending;
            for (;;) {
                List<String> l = CPrograms.lines(out);
                if (l.get(l.size() - 1).endsWith(" 3")) {
                    firstPending = l.size() - 1;
                    break;
                }
                assertTrue("both signals pending", System.currentTimeMillis() < deadline);
                Thread.sleep(10);
            }
            for (int round = 0; round < 3; round++) {
                int n = CPrograms.lines(out).size();
                c = cycle(c, out);
                List<String> l = CPrograms.awaitLines(out, n + 10, 10_000);
                long ticksBefore = Long.parseLong(l.get(n - 1).split(" ")[4]);
                long ticksAfter = Long.parseLong(l.get(l.size() - 1).split(" ")[4]);
                assertTrue("the interval timer ticks after restore " + round, ticksAfter > ticksBefore + 3);
            }
            List<String> l = CPrograms.lines(out);
            for (int i = 0; i < l.size(); i++) {
                String[] f = l.get(i).split(" ");
                assertEquals("line " + i, String.valueOf(i + 1), f[0]);
                assertEquals("umask at line " + i, "027", f[1]);
                assertEquals("cwd at line " + i, dir.toRealPath().toString(), f[2]);
                assertEquals("RLIMIT_NOFILE at line " + i, "123", f[3]);
                assertEquals("SIGUSR2 blocked at line " + i, "1", f[5]);
                assertEquals("heap grown by sbrk intact at line " + i, "1", f[6]);
                if (i >= firstPending) {
                    assertEquals("signals still pending at line " + i, "3", f[7]);
                }
            }
        } finally {
            Files.delete(dir);
        }
    }

    @Test
    public void threadsComingAndGoingSurviveFreezesAndRestores() throws Exception {
        Path out = temp(".out");
        Child c = start(out, 3, "churn");
        for (int i = 0; i < 30; i++) {
            Frozen f = Freezer.freeze(c.pid());
            assertTrue(f.tids().size() >= 3);
            f.thaw();
            Thread.sleep(5);
        }
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(out).size();
            c = cycle(c, out);
            List<String> l = CPrograms.awaitLines(out, n + 5, 10_000);
            String[] before = l.get(n - 1).split(" ");
            String[] after = l.get(l.size() - 1).split(" ");
            for (int k = 1; k < 4; k++) {
                assertTrue("column " + k + " progressed after restore " + round,
                        Long.parseLong(after[k]) > Long.parseLong(before[k]));
            }
        }
        assertNumbered(out);
    }

    @Test
    public void restoresWhenTheExecutableIsGone() throws Exception {
        Path out = temp(".out");
        Path exe = temp("-counter");
        Files.copy(CPrograms.build("counter"), exe, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        exe.toFile().setExecutable(true);
        Child c = Processes.spawn(List.of(exe.toString(), out.toString(), "5000"));
        children.add(c);
        CPrograms.awaitLines(out, 5, 10_000);
        Files.delete(exe); // its mappings now read "(deleted)": every page of them is saved
        for (int round = 0; round < 2; round++) {
            int n = CPrograms.lines(out).size();
            c = cycle(c, out);
            CPrograms.awaitLines(out, n + 10, 10_000);
            assertEquals(exe.getFileName().toString().substring(0, 15),
                    Files.readString(Path.of("/proc/" + c.pid() + "/comm")).trim());
            assertEquals(exe.toString(), c.argv().get(0));
        }
        assertNumbered(out);
    }

    @Test
    public void refusesAMappedFileReplacedSinceTheCheckpoint() throws Exception {
        Path out = temp(".out");
        Path exe = temp("-counter");
        Files.copy(CPrograms.build("counter"), exe, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        exe.toFile().setExecutable(true);
        Child c = Processes.spawn(List.of(exe.toString(), out.toString(), "5000"));
        children.add(c);
        CPrograms.awaitLines(out, 2, 10_000);
        Path img = temp(".img");
        try (FileImage image = new FileImage(img)) {
            ProcessState st = dumpAndKill(c, image);
            Path fresh = temp("-new");
            Files.copy(exe, fresh, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(fresh, exe, java.nio.file.StandardCopyOption.REPLACE_EXISTING); // same bytes, new inode
            exe.toFile().setExecutable(true);
            int before = Processes.allChildren().size();
            try {
                TestFds.restore(st, image);
                org.junit.Assert.fail("restored over a replaced executable");
            } catch (NativeException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("replaced since the checkpoint"));
            }
            // the half-built stub was killed
            Child stub = Processes.allChildren().get(before);
            assertEquals(9, stub.onExit().get(10, TimeUnit.SECONDS).signal());
        }
    }

    @Test
    public void registersAndVectorStateSurviveMidLoop() throws Exception {
        Path out = temp(".out");
        Child c = start(out, 3, "fpu");
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(out).size();
            Thread.sleep(37); // land somewhere inside the compute loop
            c = cycle(c, out);
            CPrograms.awaitLines(out, n + 5, 10_000);
            assertEquals("the thread parked in its handler on the sigaltstack came back", 2, Freezer.tasks(c.pid()).size());
        }
        List<String> l = CPrograms.lines(out);
        for (int i = 0; i < l.size(); i++) {
            assertEquals("line " + i, (i + 1) + " 1", l.get(i));
        }
    }

    @Test
    public void processWhoseLeaderLeftSurvivesThreeRestores() throws Exception {
        Path out = temp(".out");
        Child c = start(out, 3, "leaderexit");
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(out).size();
            c = cycle(c, out);
            List<String> l = CPrograms.awaitLines(out, n + 5, 10_000);
            String[] before = l.get(n - 1).split(" ");
            String[] after = l.get(l.size() - 1).split(" ");
            assertTrue("the other worker progressed", Long.parseLong(after[2]) > Long.parseLong(before[2]));
        }
        assertNumbered(out);
    }

    @Test
    public void sixtyFourThreadsAllProgressThroughThreeRestores() throws Exception {
        Path out = temp(".out");
        Child c = start(out, 5, "threads", "64");
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(out).size();
            c = cycle(c, out);
            assertEquals(65, Freezer.tasks(c.pid()).size());
            List<String> l = CPrograms.awaitLines(out, n + 10, 10_000);
            long minBefore = Long.parseLong(l.get(n - 1).split(" ")[6]);
            long minAfter = Long.parseLong(l.get(l.size() - 1).split(" ")[6]);
            assertTrue("every one of 64 workers progressed after restore " + round, minAfter > minBefore);
        }
        List<String> l = CPrograms.lines(out);
        for (int i = 0; i < l.size(); i++) {
            String[] f = l.get(i).split(" ");
            assertEquals("line " + i, String.valueOf(i + 1), f[0]);
            assertEquals(l.get(i), "1", f[5]);
        }
    }

    private static char state(int pid) throws Exception {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return s.charAt(s.lastIndexOf(')') + 2);
    }

    @Test
    public void aStoppedProcessIsRestoredStopped() throws Exception {
        Path out = temp(".out");
        Child c = start(out, 5, "counter", "5000");
        c.signal(19);
        long deadline = System.currentTimeMillis() + 5000;
        while (state(c.pid()) != 'T') {
            assertTrue(System.currentTimeMillis() < deadline);
            Thread.sleep(5);
        }
        int n = CPrograms.lines(out).size();
        c = cycle(c, out);
        Thread.sleep(300);
        assertEquals('T', state(c.pid()));
        assertEquals("no output while stopped", n, CPrograms.lines(out).size());
        c.signal(18);
        List<String> l = CPrograms.awaitLines(out, n + 5, 10_000);
        for (int i = 0; i < l.size(); i++) {
            assertEquals("line " + i, String.valueOf(i + 1), l.get(i).split(" ")[0]);
        }
    }

    @Test
    public void aFailedRestoreLeavesNothingBehind() throws Exception {
        Path out = temp(".out");
        Child c = start(out, 3, "threads");
        Path img = temp(".img");
        try (FileImage image = new FileImage(img)) {
            ProcessState st = dumpAndKill(c, image);
            // corrupt the last thread's XSAVE header (reserved bytes must be zero): it is set
            // after every thread has been cloned, so the failure path has threads to clean up
            List<ThreadState> threads = new ArrayList<>(st.threads());
            ThreadState t = threads.get(threads.size() - 1);
            byte[] x = t.xstate().clone();
            x[512 + 20] = 1;
            threads.set(threads.size() - 1, new ThreadState(t.tid(), t.regs(), x, t.sigmask(), t.rseqAddress(), t.rseqLength(),
                    t.rseqSignature(), t.robustListHead(), t.robustListLength(), t.clearChildTid(), t.altStackSp(),
                    t.altStackFlags(), t.altStackSize(), t.pendingSignals()));
            ProcessState bad = new ProcessState(st.pid(), st.exe(), st.comm(), st.argv(), st.cwd(), st.umask(), st.mm(), st.auxv(),
                    st.regions(), threads, st.sigactions(), st.rlimits(), st.itimers(), st.pendingSignals(), st.stopped(),
                    st.timers(), st.files());
            TestFds.same(bad, st);
            int before = Processes.allChildren().size();
            try {
                TestFds.restore(bad, image);
                org.junit.Assert.fail("restored a corrupt XSAVE area");
            } catch (NativeException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("NT_X86_XSTATE") || e.getMessage().contains("0x202"));
            }
            Child stub = Processes.allChildren().get(before);
            // killed, and its cloned threads collected: otherwise the stub could never be reaped
            assertEquals(9, stub.onExit().get(10, TimeUnit.SECONDS).signal());
            // the good state still restores
            Child r = TestFds.restore(st, image);
            children.add(r);
            int n = CPrograms.lines(out).size();
            CPrograms.awaitLines(out, n + 3, 10_000);
        }
    }

    @Test
    public void aPreparedProcessRunsOnlyWhenReleasedAndNeverWhenAbandoned() throws Exception {
        Path out = temp(".out");
        Child c = start(out, 5, "counter", "5000");
        Path img = temp(".img");
        try (FileImage image = new FileImage(img)) {
            ProcessState st = dumpAndKill(c, image);
            int n = CPrograms.lines(out).size();

            Restorer.Prepared held = TestFds.prepare(st, image, "held-1");
            Thread.sleep(300); // the counter would have written ~60 lines by now
            assertEquals("a held process does not run", n, CPrograms.lines(out).size());
            assertTrue(Files.readString(Path.of("/proc/" + held.child().pid() + "/status")).contains("State:\tt (tracing stop)"));
            Child r = held.release();
            children.add(r);
            assertEquals("held-1", r.uniqueId());
            CPrograms.awaitLines(out, n + 10, 10_000);
            r.signal(9);
            r.onExit().get(10, TimeUnit.SECONDS);

            int m = CPrograms.lines(out).size();
            Restorer.Prepared dropped = TestFds.prepare(st, image, null);
            dropped.abandon();
            assertEquals(9, dropped.child().onExit().get(10, TimeUnit.SECONDS).signal());
            Thread.sleep(100);
            assertEquals("an abandoned process never ran", m, CPrograms.lines(out).size());
            try {
                dropped.release();
                org.junit.Assert.fail("released an abandoned process");
            } catch (IllegalStateException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("already released or abandoned"));
            }
        }
    }

    @Test
    public void timersStandStillWhileAPreparedProcessIsHeld() throws Exception {
        Path out = temp(".out");
        // the one-shot B 2 s after start
        Child c = start(out, 3, "timers", "50000", "2000");
        Path img = temp(".img");
        try (FileImage image = new FileImage(img)) {
            ProcessState st = dumpAndKill(c, image);
            long left = st.timers().stream().filter(t -> t.signal() == 12).findFirst().orElseThrow().valueNanos() / 1_000_000;
            assertTrue("B has " + left + " ms to go", left > 1000);
            Restorer.Prepared held = TestFds.prepare(st, image, null);
            Thread.sleep(left); // B would have fired by now had it been armed when the process was built
            int n = CPrograms.lines(out).size();
            long released = System.nanoTime();
            Child r = held.release();
            children.add(r);
            List<String> l = CPrograms.awaitLines(out, n + 1, 10_000);
            while (col(l.get(l.size() - 1), FIRED_B) == 0) {
                assertTrue("B fired", System.nanoTime() - released < 10_000_000_000L);
                Thread.sleep(10);
                l = CPrograms.lines(out);
            }
            long after = (System.nanoTime() - released) / 1_000_000;
            assertTrue("B fired " + after + " ms after the release; it had " + left + " ms to go", after >= left - 150);
        }
    }

    @Test
    public void aRestoredProcessForksAndReapsItsOwnChildren() throws Exception {
        Path out = temp(".out");
        Child c = start(out, 5, "forker");
        java.util.Set<Integer> firstAfterRestore = new java.util.HashSet<>();
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(out).size();
            c = cycle(c, out);
            firstAfterRestore.add(n);
            CPrograms.awaitLines(out, n + 10, 10_000);
        }
        List<String> l = CPrograms.lines(out);
        for (int i = 0; i < l.size(); i++) {
            String[] f = l.get(i).split(" ");
            assertEquals("line " + i, String.valueOf(i + 1), f[0]);
            // only a child in flight at the checkpoint may be lost (ECHILD right after restore)
            assertTrue("line " + i + ": " + l.get(i), f[1].equals("1") || (f[1].equals("2") && firstAfterRestore.contains(i)));
        }
    }

    /** /proc/PID/timers as {id: "notify" line value}, e.g. {1: "signal/pid.4152", 3: "signal/tid.4153"}. */
    private static Map<Integer, String> procTimers(int pid) throws Exception {
        Map<Integer, String> m = new TreeMap<>();
        int id = -1;
        for (String l : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "timers"))) {
            if (l.startsWith("ID: ")) {
                id = Integer.parseInt(l.substring(4).trim());
            } else if (l.startsWith("notify: ")) {
                m.put(id, l.substring(8).trim());
            }
        }
        return m;
    }

    private static Map<Integer, PosixTimer> byId(List<PosixTimer> timers) {
        Map<Integer, PosixTimer> m = new TreeMap<>();
        for (PosixTimer t : timers) {
            m.put(t.id(), t);
        }
        return m;
    }

    /** timers.c's columns. */
    private static final int MS = 1, TICKS_A = 2, FIRED_B = 3, AT_B = 4, TICKS_C = 5, TICKS_E = 6, GOT_F = 7, MAX_F = 8, BAD = 9,
            OK = 10, ID_A = 11, ID_B = 12, ID_D = 14, ID_E = 15, ID_F = 16;

    private static long col(String line, int k) {
        return Long.parseLong(line.split(" ")[k]);
    }

    /** The restored process has the saved timers under their ids, each thread-directed one aimed at a thread of its own. */
    private static void assertSameTimers(ProcessState saved, Child restored) throws Exception {
        Map<Integer, String> now = procTimers(restored.pid());
        assertEquals(now.toString(), byId(saved.timers()).keySet(), now.keySet());
        List<Integer> tasks = Freezer.tasks(restored.pid());
        for (PosixTimer t : saved.timers()) {
            String notify = now.get(t.id());
            if (t.threadDirected()) {
                int tid = Integer.parseInt(notify.substring(notify.indexOf("/tid.") + 5));
                assertTrue(t + " aims at a thread of the restored process: " + notify + " " + tasks, tasks.contains(tid));
                // the leader's timer at the leader, a worker's at a worker
                assertEquals(t + ": " + notify, t.tid() == saved.pid(), tid == restored.pid());
            } else {
                assertEquals(t + ": " + notify, (t.sigevNotify() == PosixTimer.SIGEV_NONE ? "none" : "signal") + "/pid." + restored.pid(),
                        notify);
            }
        }
    }

    /** Every line of timers.c's output: numbered, no bad siginfo, every timer_gettime right, never two F signals at once, same ids. */
    private static void assertTimersLinesConsistent(List<String> l) {
        for (int i = 0; i < l.size(); i++) {
            String[] f = l.get(i).split(" ");
            assertEquals("line " + i, String.valueOf(i + 1), f[0]);
            assertEquals("no signal with a wrong siginfo or on a wrong thread: " + l.get(i), "0", f[BAD]);
            assertEquals("timer_gettime works on every timer_t, intervals kept: " + l.get(i), "1", f[OK]);
            assertTrue("a timer's signal is never queued twice: " + l.get(i), Long.parseLong(f[MAX_F]) <= 1);
            assertTrue("the one-shot fires once: " + l.get(i), Long.parseLong(f[FIRED_B]) <= 1);
            assertEquals("timer ids unchanged: " + l.get(i), List.of(l.get(0).split(" ")).subList(ID_A, ID_F + 1),
                    List.of(f).subList(ID_A, ID_F + 1));
            if (i > 0) {
                for (int k : new int[] {TICKS_A, TICKS_C, TICKS_E, GOT_F}) {
                    assertTrue("column " + k + " never goes back (timers go on, not restart): " + l.get(i - 1) + " / " + l.get(i),
                            col(l.get(i), k) >= col(l.get(i - 1), k));
                }
            }
        }
    }

    @Test
    public void posixTimersKeepTheirIdsAndGoOnThroughThreeRestores() throws Exception {
        Path out = temp(".out");
        // A every 50 ms, the one-shot B 3 s after start
        Child c = start(out, 3, "timers", "50000", "3000");
        String first = CPrograms.lines(out).get(0);
        int idA = (int) col(first, ID_A), idB = (int) col(first, ID_B), idD = (int) col(first, ID_D), idE = (int) col(first, ID_E),
                idF = (int) col(first, ID_F);
        long firstCycleMs = 0;
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(out).size();
            int pid = c.pid();
            c = cycle(c, out);
            ProcessState st = lastDump;
            Map<Integer, PosixTimer> t = byId(st.timers());
            assertEquals(st.timers().toString(), 6, t.size());
            assertTrue("id 0 was freed before the others were created: " + t.keySet(), !t.containsKey(0));
            PosixTimer a = t.get(idA), b = t.get(idB), d = t.get(idD), e = t.get(idE), f = t.get(idF);
            PosixTimer gc = st.timers().stream().filter(x -> x.signal() == 32).findFirst().orElseThrow();
            assertEquals(a.toString(), List.of(1, PosixTimer.SIGEV_SIGNAL, 10, 0xA11CEL, 50_000_000L),
                    List.of(a.clock(), a.sigevNotify(), a.signal(), a.sigval(), a.intervalNanos()));
            assertTrue(a.toString(), a.valueNanos() > 0 && a.valueNanos() <= 50_000_000L);
            assertEquals(b.toString(), List.of(0, PosixTimer.SIGEV_SIGNAL, 12, 0xB0BL, 0L),
                    List.of(b.clock(), b.sigevNotify(), b.signal(), b.sigval(), b.intervalNanos()));
            assertEquals(b.toString(), round == 0, b.armed()); // fired before the second checkpoint
            assertTrue(b.toString(), b.valueNanos() <= 3_000_000_000L);
            assertEquals("glibc's SIGEV_THREAD timer: " + gc, List.of(PosixTimer.SIGEV_SIGNAL | PosixTimer.SIGEV_THREAD_ID, 30_000_000L),
                    List.of(gc.sigevNotify(), gc.intervalNanos()));
            assertEquals(d.toString(), List.of(PosixTimer.SIGEV_NONE, 10_000_000_000L), List.of(d.sigevNotify(), d.intervalNanos()));
            assertTrue(d.toString(), d.armed());
            assertEquals(e.toString(), List.of(PosixTimer.SIGEV_SIGNAL | PosixTimer.SIGEV_THREAD_ID, 37, 40_000_000L),
                    List.of(e.sigevNotify(), e.signal(), e.intervalNanos()));
            assertEquals(f.toString(), List.of(7, PosixTimer.SIGEV_SIGNAL | PosixTimer.SIGEV_THREAD_ID, 39, pid),
                    List.of(f.clock(), f.sigevNotify(), f.signal(), f.tid()));
            List<Integer> tids = st.threads().stream().map(ThreadState::tid).toList();
            assertTrue("workers: " + tids + " " + e + " " + gc, tids.contains(e.tid()) && tids.contains(gc.tid()) && e.tid() != pid
                    && gc.tid() != pid && e.tid() != gc.tid());
            assertSameTimers(st, c);
            if (round == 0) {
                firstCycleMs = lastCycleMs;
            }
            List<String> l = CPrograms.awaitLines(out, n + 10, 10_000);
            String before = l.get(n - 1), after = l.get(l.size() - 1);
            for (int k : new int[] {TICKS_A, TICKS_C, TICKS_E, GOT_F}) {
                assertTrue("column " + k + " goes on after restore " + round + ": " + before + " / " + after,
                        col(after, k) > col(before, k) + 3);
            }
            // A ticks every 50 ms after the restore as before it
            String since = l.get(n);
            long ms = col(after, MS) - col(since, MS), ticks = col(after, TICKS_A) - col(since, TICKS_A);
            assertTrue(ticks + " ticks of a 50 ms timer in " + ms + " ms", ticks >= ms / 100 && ticks <= ms / 50 + 2);
            if (round == 0) {
                // the one-shot fires once, 3 s into the program's life plus the time it stood still
                long deadline = System.currentTimeMillis() + 10_000;
                while (col(l.get(l.size() - 1), FIRED_B) == 0) {
                    assertTrue("the one-shot timer fired: " + l.get(l.size() - 1), System.currentTimeMillis() < deadline);
                    Thread.sleep(20);
                    l = CPrograms.lines(out);
                }
                long at = col(l.get(l.size() - 1), AT_B);
                assertTrue("the one-shot fired at " + at + " ms, armed for 3000 ms; the checkpoint took " + firstCycleMs + " ms",
                        at >= 3000 && at <= 3000 + firstCycleMs + 500);
            }
        }
        List<String> l = CPrograms.lines(out);
        assertTimersLinesConsistent(l);
        assertEquals("the one-shot fired once and stayed disarmed", 1, col(l.get(l.size() - 1), FIRED_B));
    }

    @Test
    public void posixTimersGetTheirIdsWithoutTheRestoreIdsPrctlToo() throws Exception {
        Path out = temp(".out");
        Child c = start(out, 3, "timers");
        for (int round = 0; round < 2; round++) {
            int n = CPrograms.lines(out).size();
            Timers.restoreIdsByPrctl = false; // create and delete until each id comes round
            try {
                c = cycle(c, out);
            } finally {
                Timers.restoreIdsByPrctl = true;
            }
            assertSameTimers(lastDump, c);
            List<String> l = CPrograms.awaitLines(out, n + 5, 10_000);
            assertTrue(l.get(n - 1) + " / " + l.get(l.size() - 1), col(l.get(l.size() - 1), TICKS_E) > col(l.get(n - 1), TICKS_E));
        }
        assertTimersLinesConsistent(CPrograms.lines(out));
    }

    @Test
    public void aProcessWithoutTimersDumpsNoneAndGetsNone() throws Exception {
        Path out = temp(".out");
        Child c = start(out, 3, "counter", "5000");
        int n = CPrograms.lines(out).size();
        c = cycle(c, out);
        assertEquals(List.of(), lastDump.timers());
        assertEquals("", Files.readString(Path.of("/proc", Integer.toString(c.pid()), "timers")));
        CPrograms.awaitLines(out, n + 5, 10_000);
    }
}
