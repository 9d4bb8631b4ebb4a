package dmtcp.mem.linux.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The per-process locks in one JVM: what a lock file says, refusals naming the live copy,
 * stale files of processes that are gone taken over or swept, and a process whose holder
 * died refused for as long as it runs. (Two JVMs contending are the e2e tests' part.)
 */
public class ProcessLockTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static String self() {
        long pid = ProcessHandle.current().pid();
        return "pid=" + pid + " start=" + Child.startTime((int) pid) + " holder=999999 tool=dmtcp_restart program=java\n";
    }

    @Test
    public void aSpawnedProgramHoldsItsLockUntilItEnds() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Child c = Processes.spawn(List.of("sleep", "30"));
        ProcessLock l = ProcessLock.acquire(dir, c, "dmtcp_checkpoint");
        String content = Files.readString(l.file());
        assertTrue(content, content.startsWith("pid=" + c.pid() + " start=" + Child.startTime(c.pid()) + " holder="
                + ProcessHandle.current().pid() + " tool=dmtcp_checkpoint program=sleep"));
        try {
            ProcessLock.acquire(dir, c.uniqueId(), "sleep", "dmtcp_restart");
            fail("locked twice");
        } catch (ProcessLock.AlreadyRunning e) {
            assertTrue(e.getMessage(), e.getMessage().contains("process sleep (unique id " + c.uniqueId() + ")"));
        }
        c.signal(9);
        c.onExit().get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(l.file())) {
            assertTrue("the lock file of an ended program is removed", System.nanoTime() < deadline);
            Thread.sleep(10);
        }
        ProcessLock.acquire(dir, c.uniqueId(), "sleep", "dmtcp_restart").release();
    }

    @Test
    public void aProcessThatRunsOnUnderADeadHolderIsRefusedAndStaleFilesAreSwept() throws Exception {
        Path locks = tmp.getRoot().toPath().resolve("locks");
        Files.createDirectories(locks);
        // a holder that died while its process (here: this JVM) runs on
        Files.writeString(locks.resolve("00000eb7-1-2.lock"), self());
        // holders that died with their process, or before it ran
        Files.writeString(locks.resolve("00000eb7-3-4.lock"), "pid=1 start=1 holder=999999 tool=dmtcp_restart program=x\n");
        Files.writeString(locks.resolve("00000eb7-5-6.lock"), "pid=0 start=0 holder=999999 tool=dmtcp_restart program=x\n");
        try {
            ProcessLock.acquire(tmp.getRoot().toPath(), "00000eb7-1-2", "java", "dmtcp_restart");
            fail("a running process was restarted twice");
        } catch (ProcessLock.AlreadyRunning e) {
            assertEquals("process java (unique id 00000eb7-1-2) already runs as pid " + ProcessHandle.current().pid()
                    + " (its dmtcp_restart, pid 999999, is gone); stop it first (kill " + ProcessHandle.current().pid() + ")",
                    e.getMessage());
        }
        assertTrue("the live one is kept", Files.exists(locks.resolve("00000eb7-1-2.lock")));
        assertFalse("swept", Files.exists(locks.resolve("00000eb7-3-4.lock")));
        assertFalse("swept", Files.exists(locks.resolve("00000eb7-5-6.lock")));
        // a stale file of its own id is taken over
        Files.writeString(locks.resolve("00000eb7-7-8.lock"), "pid=1 start=1 holder=999999 tool=dmtcp_restart program=x\n");
        ProcessLock l = ProcessLock.acquire(tmp.getRoot().toPath(), "00000eb7-7-8", "x", "dmtcp_restart");
        assertTrue(Files.readString(l.file()).startsWith("pid=0 start=0 holder=" + ProcessHandle.current().pid()));
        l.release();
        assertFalse(Files.exists(l.file()));
    }

    @Test
    public void aUniqueIdThatIsAPathIsRefused() throws Exception {
        for (String id : List.of("../../x", "a/b", "", ".hidden")) {
            try {
                ProcessLock.acquire(tmp.getRoot().toPath(), id, "x", "dmtcp_restart");
                fail(id);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("is not one DMTCP makes"));
            }
        }
    }
}
