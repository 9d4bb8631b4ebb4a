package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A checkpoint asked for the moment the program's first line shows, long before its
 * launcher's runtime has joined the coordinator, includes it: the launcher announced itself
 * before it spawned the program, and the round waits for it (issue 9). The image it writes
 * restarts, and the restarted program checkpoints again.
 */
public class EarlyCheckpointIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    @Test
    public void aCheckpointRightAfterTheLaunchIncludesTheProgram() throws Exception {
        early(new Tools(null, tmp.getRoot().toPath()));
    }

    @Test
    public void asAnOrdinaryUser() throws Exception {
        Assume.assumeTrue("root".equals(System.getProperty("user.name")));
        Assume.assumeTrue(new ProcessBuilder("id", CommandLineIT.USER).start().waitFor() == 0);
        Path dir = tmp.newFolder("user").toPath();
        Files.setPosixFilePermissions(tmp.getRoot().toPath(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Tools.sharedLikeTmp(dir);
        early(new Tools(CommandLineIT.USER, dir));
    }

    private static List<String> ticks(Path f) {
        return Tools.readLines(f);
    }

    private static void early(Tools t) throws Exception {
        Path ticker = t.compile("ticker");
        Path out = t.workDir.resolve("ticks");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        Process launcher = t.start("launch", "dmtcp_checkpoint", "-p", p, "--join", ticker.toString(), out.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ticks(out).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue("the program's first line", !ticks(out).isEmpty());
        Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc");
        assertEquals("stdout: " + bc.out() + " stderr: " + bc.err(), 0, bc.exit());
        assertContains(bc.out(), "1 participant(s), 1 image(s)");

        Path image;
        try (Stream<Path> s = Files.list(t.workDir)) {
            image = s.filter(f -> f.getFileName().toString().matches("ckpt_ticker_.*\\.dmtcp")).findFirst().orElseThrow();
        }
        t.run("dmtcp_command", "-p", p, "-k").ok();
        assertTrue(launcher.waitFor(20, TimeUnit.SECONDS));
        Tools.waitFor("the killed participant to leave", 20, () -> t.status(p).contains("NUM_PEERS=0"));
        int killedAt = ticks(out).size();
        t.start("restart", "dmtcp_restart", "-p", p, "--join", image.toString());
        Tools.waitFor("the restored program to tick", 30, () -> ticks(out).size() > killedAt + 2);
        for (String line : ticks(out)) {
            assertTrue("memory intact: " + line, line.endsWith(" ok"));
        }
        Tools.waitFor("the restarter to join", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        assertContains(t.run("dmtcp_command", "-p", p, "-bc").ok().out(), "1 participant(s), 1 image(s)");
        t.run("dmtcp_command", "-p", p, "-k").ok();
    }
}
