package dmtcp.mem.linux.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

public class ProcessesTest {

    @Test
    public void exitCodePassesThrough() throws Exception {
        Child c = Processes.spawn(List.of("sh", "-c", "exit 7"));
        ExitStatus s = c.onExit().get(10, TimeUnit.SECONDS);
        assertEquals(7, s.code());
        assertEquals(7, s.shellCode());
    }

    @Test
    public void killedChildReportsTheSignal() throws Exception {
        Child c = Processes.spawn(List.of("sleep", "100"));
        assertTrue(c.isAlive());
        c.signal(9);
        ExitStatus s = c.onExit().get(10, TimeUnit.SECONDS);
        assertEquals(9, s.signal());
        assertEquals(137, s.shellCode());
    }

    @Test
    public void childSeesOnlyStandardFdsAndEmptySignalMask() throws Exception {
        Path out = Files.createTempFile("spawn", ".txt");
        Child c = Processes.spawn(List.of("sh", "-c",
                "ls /proc/self/fd | wc -l > " + out + "; grep SigBlk /proc/self/status >> " + out));
        assertEquals(0, c.onExit().get(10, TimeUnit.SECONDS).code());
        List<String> lines = Files.readAllLines(out);
        // 0,1,2 plus the fd ls opened for /proc/self/fd
        assertEquals("4", lines.get(0).trim());
        assertEquals("SigBlk:\t0000000000000000", lines.get(1));
        Files.delete(out);
    }

    @Test
    public void missingProgramIsNamed() {
        try {
            Processes.spawn(List.of("no-such-program-xyz"));
            fail("spawned a missing program");
        } catch (NativeException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("no-such-program-xyz"));
            assertEquals(2, e.errno());
        }
    }

    @Test
    public void subreaperAdoptsOrphans() throws Exception {
        Processes.becomeSubreaper();
        Path out = Files.createTempFile("orphan", ".txt");
        // the grandchild outlives its parent and reports who adopted it
        Child c = Processes.spawn(List.of("sh", "-c", "(sleep 0.3; echo $PPID > " + out + ") & exit 0"));
        c.onExit().get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.size(out) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(String.valueOf(ProcessHandle.current().pid()), Files.readString(out).trim());
        Files.delete(out);
    }

    /**
     * A process this JVM did not start (a shell's child, as the agent's clients are): made a
     * child subreaper from outside, its orphans come to it; adopted, its end is seen, with no
     * status (its parent has that); killed with its orphan as one computation.
     */
    @Test
    public void aProcessNotOursIsMadeASubreaperAdoptedAndKilledWithItsOrphans() throws Exception {
        Path dir = Files.createTempDirectory("adopt");
        Path fifo = dir.resolve("go");
        Path pidFile = dir.resolve("pid");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        String inner = "echo $$ > " + pidFile + "; read x < " + fifo + "; (sleep 30 &); exec sleep 31";
        Child starter = Processes.spawn(List.of("sh", "-c", "sh -c '" + inner + "' >/dev/null 2>&1 & exit 0"));
        assertEquals(0, starter.onExit().get(10, TimeUnit.SECONDS).code());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        int pid = Integer.parseInt(Files.readString(pidFile).trim());

        Processes.makeSubreaper(pid);
        Child adopted = Processes.adopt(pid, List.of("sleep", "31"));
        assertTrue(adopted.adopted());
        Files.writeString(fifo, "go\n");
        List<ProcessTree.Proc> kids = List.of();
        while (System.nanoTime() < deadline) {
            kids = ProcessTree.children(pid);
            if (kids.stream().anyMatch(k -> k.name().equals("sleep"))) {
                break;
            }
            Thread.sleep(10);
        }
        assertEquals("the orphaned sleep 30 came to the subreaper: " + kids, 1, kids.size());
        int orphan = kids.get(0).pid();

        ProcessTree.killAll(List.of(pid), 10, TimeUnit.SECONDS);
        assertEquals(ExitStatus.UNKNOWN, adopted.onExit().get(10, TimeUnit.SECONDS));
        while (ProcessTree.of(orphan) != null && !ProcessTree.of(orphan).zombie() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        ProcessTree.Proc left = ProcessTree.of(orphan);
        assertTrue("the orphan killed with it: " + left, left == null || left.zombie());
    }
}
