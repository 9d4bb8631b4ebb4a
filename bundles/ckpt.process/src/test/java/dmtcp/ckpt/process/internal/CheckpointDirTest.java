package dmtcp.ckpt.process.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Which temporary images the next round removes (only those of dead writers, of this user,
 * named as ImageWriter names them, never through a link) and how an unwritable folder is named.
 */
public class CheckpointDirTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Process sleeper;

    @After
    public void stop() throws Exception {
        if (sleeper != null) {
            sleeper.destroyForcibly().waitFor();
        }
    }

    private Path dir() {
        return tmp.getRoot().toPath();
    }

    private Path file(String name) throws IOException {
        return Files.writeString(dir().resolve(name), "partial image");
    }

    /** A pid that was alive a moment ago and is not now (a process that ended and was reaped). */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return p.pid();
    }

    @Test
    public void aDeadWritersTemporaryIsRemovedAndNothingElse() throws Exception {
        long dead = deadPid();
        Path stale = file(".ckpt_prog_0000abcd-12-34.dmtcp." + dead + "-1.tmp");
        Path ours = file(".ckpt_prog_0000abcd-12-34.dmtcp." + ProcessHandle.current().pid() + "-2.tmp");
        Path image = file("ckpt_prog_0000abcd-12-34.dmtcp");
        Path otherTemporary = file(".notes.txt." + dead + "-1.tmp");
        Path link = dir().resolve(".ckpt_link_1.dmtcp." + dead + "-3.tmp");
        Files.createSymbolicLink(link, image);
        int uid = CheckpointDir.uid();

        assertEquals("another user's temporaries are theirs", List.of(), CheckpointDir.removeStale(dir(), uid + 1));
        assertEquals(List.of(stale), CheckpointDir.removeStale(dir(), uid));
        for (Path kept : List.of(ours, image, otherTemporary, link)) {
            assertTrue(kept + " is kept", Files.exists(kept, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        }
        assertTrue("the link's target is untouched", Files.exists(image));
    }

    @Test
    public void aLivePidIsTheWritersUnlessItStartedAfterTheFileWasWritten() throws Exception {
        sleeper = new ProcessBuilder("sleep", "600").start();
        Instant started = sleeper.info().startInstant().orElseThrow();
        Path writing = file(".ckpt_a_1.dmtcp." + sleeper.pid() + "-1.tmp");
        Files.setLastModifiedTime(writing, FileTime.from(started.plusSeconds(5)));
        Path reused = file(".ckpt_b_1.dmtcp." + sleeper.pid() + "-2.tmp");
        Files.setLastModifiedTime(reused, FileTime.from(started.minusSeconds(3600)));

        assertEquals("written an hour before its 'writer' started: that pid was reused", List.of(reused),
                CheckpointDir.removeStale(dir(), CheckpointDir.uid()));
        assertTrue("it may still be writing this one", Files.exists(writing));
    }

    @Test
    public void aMissingFolderIsCreated() throws Exception {
        Path d = dir().resolve("a/b");
        CheckpointDir.checkWritable(d);
        assertTrue(Files.isDirectory(d));
    }

    @Test
    public void aFileWhereTheFolderShouldBeIsNamedWithItsErrno() throws Exception {
        Path f = file("plain");
        for (Path d : List.of(f, f.resolve("sub"))) {
            try {
                CheckpointDir.checkWritable(d);
                fail("accepted " + d);
            } catch (IOException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("cannot write images into " + d + ": Not a directory (ENOTDIR)"));
            }
        }
    }

    @Test
    public void aFolderThisUserCannotWriteIsNamedWithItsErrno() throws Exception {
        org.junit.Assume.assumeTrue("root passes modes (the end-to-end test covers it as an ordinary user)",
                !"root".equals(System.getProperty("user.name")));
        Path d = Files.createDirectory(dir().resolve("ro"));
        d.toFile().setWritable(false);
        try {
            CheckpointDir.checkWritable(d);
            fail("accepted a read-only folder");
        } catch (IOException e) {
            assertEquals("cannot write images into " + d + ": Permission denied (EACCES)", e.getMessage());
        }
    }
}
