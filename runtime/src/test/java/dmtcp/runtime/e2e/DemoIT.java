package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The README's first command, demo.sh (without its build): DMTCP's quick start on a real
 * program, its output through a process substitution (`> >(cat > counter.log)`, whose cat
 * is the launching shell's child and no part of the computation), checkpointed, killed,
 * restarted by the restart script and checkpointed again.
 */
public class DemoIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    @Test
    public void theDemoRunsToItsEnd() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path log = t.workDir.resolve("demo.log");
        ProcessBuilder pb = new ProcessBuilder(Tools.HOME.resolve("demo.sh").toString(), "--no-build");
        pb.environment().put("DMTCP_TMPDIR", t.workDir.resolve("tmp").toString());
        pb.environment().put("TMPDIR", t.workDir.toString());
        pb.environment().remove("DMTCP_PORT");
        pb.redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        t.killAgents();
        String out = Files.readString(log);
        assertTrue("demo.sh finished in 120 s:\n" + out, done);
        assertEquals("demo.sh's exit status:\n" + out, 0, p.exitValue());
        assertContains(out, "demo done: checkpointed between");
        assertContains(out, "checkpoint round 3 done");
    }
}
