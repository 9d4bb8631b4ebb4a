package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The restart script end to end: a coordinator whose checkpoint directory (-c) cannot take
 * the script fails the round, naming the directory and the reason, and keeps the previous
 * checkpoint (images and script) intact; the images live in a directory whose name holds
 * a quote, spaces and a $, and the script the coordinator writes restarts them.
 */
public class RestartScriptIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    @Test
    public void aScriptThatCannotBeWrittenFailsTheRoundAndThePreviousCheckpointStays() throws Exception {
        // as an ordinary user: root would write into a directory whatever its mode
        Assume.assumeTrue("root".equals(System.getProperty("user.name")));
        Assume.assumeTrue(new ProcessBuilder("id", CommandLineIT.USER).start().waitFor() == 0);
        Files.setPosixFilePermissions(tmp.getRoot().toPath(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path work = tmp.newFolder("work").toPath();
        Tools.sharedLikeTmp(work);
        Tools t = new Tools(CommandLineIT.USER, work);
        Path scripts = work.resolve("scripts");
        Path images = work.resolve("it's my $HOME dir");
        Path ticker = t.compile("ticker");
        Path ticks = work.resolve("ticks");
        Tools.Coordinator coord = t.coordinator("coord", "-c", scripts.toString());
        String p = String.valueOf(coord.port);
        Process launcher = t.start("launch", "dmtcp_checkpoint", "-p", p, "--join", "-c", images.toString(),
                ticker.toString(), ticks.toString());
        Tools.waitFor("the participant", 30, () -> t.status(p).contains("NUM_PEERS=1"));

        t.run("dmtcp_command", "-p", p, "-bc").ok();
        Path script = scripts.resolve("dmtcp_restart_script.sh");
        String goodScript = Files.readString(script);
        Path image;
        try (var s = Files.list(images)) {
            image = s.filter(f -> f.getFileName().toString().matches("ckpt_ticker_.*\\.dmtcp")).findFirst().orElseThrow();
        }
        assertContains(goodScript, Tools.shellQuote(image.toString()));
        byte[] goodImage = Files.readAllBytes(image);

        // the script's directory stops being writable: the round fails, the checkpoint stays
        Files.setPosixFilePermissions(scripts, PosixFilePermissions.fromString("r-xr-xr-x"));
        Tools.Result failed = t.run("dmtcp_command", "-p", p, "-bc");
        assertEquals(failed.err(), 1, failed.exit());
        assertEquals("dmtcp_command: checkpoint round 2 aborted: cannot write the restart script in " + scripts
                + ": Permission denied", failed.err().strip());
        assertEquals("the previous script stays", goodScript, Files.readString(script));
        assertArrayEquals("the previous image stays", goodImage, Files.readAllBytes(image));
        try (var s = Files.list(images)) {
            List<String> left = s.map(f -> f.getFileName().toString()).filter(n -> !n.endsWith(".dmtcp")).toList();
            assertEquals("no temporary image left", List.of(), left);
        }
        int seen = Tools.lines(ticks);
        Tools.waitFor("the program to go on", 20, () -> Tools.lines(ticks) > seen + 5);

        // writable again: the next round succeeds and replaces both
        Files.setPosixFilePermissions(scripts, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertContains(t.run("dmtcp_command", "-p", p, "-bc").ok().out(), "checkpoint round 3 done");
        assertFalse("a new script", goodScript.equals(Files.readString(script)));

        // and the script restarts the images from their oddly named directory
        t.run("dmtcp_command", "-p", p, "-k").ok();
        assertTrue(launcher.waitFor(20, TimeUnit.SECONDS));
        Tools.waitFor("the killed participant to leave", 20, () -> t.status(p).contains("NUM_PEERS=0"));
        int killedAt = Tools.lines(ticks);
        t.start("restart", "/bin/sh", "-c", "exec " + Tools.shellQuote(script.toString()));
        Tools.waitFor("the restored program to tick", 30, () -> Tools.lines(ticks) > killedAt + 3);
        for (String line : Files.readAllLines(ticks)) {
            assertTrue("memory intact: " + line, line.endsWith(" ok"));
        }
        t.run("dmtcp_command", "-p", p, "-q").ok();
    }
}
