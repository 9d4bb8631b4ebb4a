package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A checkpoint folder the user cannot write into fails the round with a message naming the
 * folder and the errno (not a temporary file's path), before anything is frozen or
 * written; the program runs on, and checkpoints into the folder once it is writable.
 * As an ordinary user: root passes file modes.
 */
public class CheckpointDirIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    @Test
    public void aReadOnlyCheckpointFolderIsNamedWithItsErrnoAndTheProgramRunsOn() throws Exception {
        Assume.assumeTrue("runs as root, the test as " + CommandLineIT.USER, "root".equals(System.getProperty("user.name")));
        Assume.assumeTrue("user " + CommandLineIT.USER + " exists (.ci/run creates it)",
                new ProcessBuilder("id", CommandLineIT.USER).start().waitFor() == 0);
        Files.setPosixFilePermissions(tmp.getRoot().toPath(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path work = tmp.newFolder("user").toPath();
        Tools.sharedLikeTmp(work);
        Path images = Files.createDirectory(work.resolve("images"));
        Files.setPosixFilePermissions(images, PosixFilePermissions.fromString("r-xr-xr-x"));
        Tools t = new Tools(CommandLineIT.USER, work);
        Path counter = t.compile("counter");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        Path ticks = work.resolve("ticks");
        t.start("launch", "dmtcp_checkpoint", "-p", p, "--join", "-c", images.toString(), counter.toString(), ticks.toString());
        Tools.waitFor("the launcher", 30, () -> t.status(p).contains("NUM_PEERS=1"));

        Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc");
        assertEquals("the round failed: " + bc, 1, bc.exit());
        assertContains(bc.err(), "cannot write images into " + images + ": Permission denied (EACCES)");
        try (var s = Files.list(images)) {
            assertEquals("nothing written", List.of(), s.toList());
        }
        int at = Tools.lastTick(ticks);
        Tools.waitFor("the counter runs on", 30, () -> Tools.lastTick(ticks) > at + 3);

        Files.setPosixFilePermissions(images, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertContains(t.run("dmtcp_command", "-p", p, "-bc").ok().out(), "1 image(s)");
        try (var s = Files.list(images)) {
            assertEquals("the image, once the folder is writable", 1,
                    s.filter(f -> f.getFileName().toString().matches("ckpt_counter_.*\\.dmtcp")).count());
        }
        t.run("dmtcp_command", "-p", p, "-q").ok();
    }
}
