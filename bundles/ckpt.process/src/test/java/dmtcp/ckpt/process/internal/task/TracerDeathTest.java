package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.CPrograms;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * The program survives the death of its tracer at any moment of a checkpoint: a tracer
 * JVM ({@link DyingTracer}) freezes a real program and SIGKILLs itself while it is frozen,
 * between injected calls, after the dump's last injected call, and while the memory
 * streams; the kernel's detach must leave a program that runs on with its data intact.
 * (Before the threads were parked after each injected call, the program died of the
 * SIGTRAP of the last single-step: signal 5.)
 */
public class TracerDeathTest {
    private final List<Long> programs = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        for (long pid : programs) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (Path p : files) {
            Files.deleteIfExists(p);
        }
    }

    @Test
    public void bigmemRunsOnWhenItsTracerDiesFrozen() throws Exception {
        bigmem("frozen");
    }

    @Test
    public void bigmemRunsOnWhenItsTracerDiesBetweenInjectedCalls() throws Exception {
        bigmem("injected");
    }

    @Test
    public void bigmemRunsOnWhenItsTracerDiesAfterTheLastInjectedCall() throws Exception {
        bigmem("described");
    }

    @Test
    public void bigmemRunsOnWhenItsTracerDiesWhileTheImageIsWritten() throws Exception {
        bigmem("streaming");
    }

    @Test
    public void everyThreadRunsOnWhenTheTracerDiesBetweenInjectedCalls() throws Exception {
        threads("injected");
    }

    @Test
    public void everyThreadRunsOnWhenTheTracerDiesWhileTheImageIsWritten() throws Exception {
        threads("streaming");
    }

    /** bigmem.c re-sums 64 MiB every 100 ms: the sum must stay what it was, line after line. */
    private void bigmem(String moment) throws Exception {
        Path out = temp();
        List<String> after = survive(moment, out, 4, "bigmem", "64");
        String sum = after.get(0).split(" ")[1];
        for (String l : after) {
            assertEquals("the 64 MiB are intact: " + l, sum, l.split(" ")[1]);
        }
    }

    /** threads.c: five workers; every line says ok and the slowest worker's counter goes on growing. */
    private void threads(String moment) throws Exception {
        Path out = temp();
        List<String> after = survive(moment, out, 30, "threads", "5");
        for (String l : after) {
            assertEquals("pthread_kill to every worker and the counters agree: " + l, "1", l.split(" ")[5]);
        }
        long minBefore = Long.parseLong(after.get(0).split(" ")[6]);
        long minAfter = Long.parseLong(after.get(after.size() - 1).split(" ")[6]);
        assertTrue("every worker ran after its tracer died: " + minBefore + " -> " + minAfter, minAfter > minBefore);
    }

    /**
     * Runs the dying tracer on {@code program out args}, waits for its death, then for
     * {@code more} new lines of the orphaned program; returns every line from the one
     * the program wrote last while traced.
     */
    private List<String> survive(String moment, Path out, int more, String program, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DyingTracer.class.getName(), moment,
                CPrograms.build(program).toString(), out.toString()));
        cmd.addAll(List.of(args));
        // to a file: the program inherits the tracer's stdout and holds it open
        Path said = temp();
        Process tracer = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(said.toFile()).start();
        assertTrue("the tracer died", tracer.waitFor(60, TimeUnit.SECONDS));
        String told = Files.readString(said);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^pid (\\d+)$").matcher(told);
        assertTrue("the tracer started the program: " + told, m.find());
        long pid = Long.parseLong(m.group(1));
        programs.add(pid);
        assertEquals("the tracer killed itself at the moment " + moment + ": " + told, 128 + 9, tracer.exitValue());
        int n = CPrograms.lines(out).size();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (CPrograms.lines(out).size() < n + more) {
            assertTrue("the program runs on after its tracer died (" + moment + "): its state is " + state(pid),
                    state(pid).matches("[RSD]"));
            assertTrue(out + ": no " + more + " new lines in 30 s", System.nanoTime() < deadline);
            Thread.sleep(10);
        }
        List<String> all = CPrograms.lines(out);
        return all.subList(n - 1, all.size());
    }

    private static String state(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return s.substring(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
        } catch (java.io.IOException e) {
            return "gone (reaped)";
        }
    }

    private Path temp() throws Exception {
        Path p = Files.createTempFile("tracer-death", ".txt");
        files.add(p);
        return p;
    }
}
