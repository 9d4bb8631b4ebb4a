package dmtcp.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The private folder: made 0700, and refused wherever another user could have written. */
public class PrivateDirTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static int mode(Path p) {
        return PrivateDir.attr(p, "unix:mode") & 07777;
    }

    private static String refusal(Path dir) {
        return assertThrows(IllegalStateException.class, () -> PrivateDir.ensure(dir, "test")).getMessage();
    }

    @Test
    public void aMissingFolderIsMadeOnlyForThisUser() throws Exception {
        Path d = PrivateDir.ensure(tmp.getRoot().toPath().resolve("a/b/dmtcp"), "test");
        assertTrue(Files.isDirectory(d));
        assertEquals(0700, mode(d));
        assertEquals(PrivateDir.uid(), PrivateDir.attr(d, "unix:uid"));
    }

    @Test
    public void aFolderOfThisUserOthersMayOnlyReadIsMadePrivate() throws Exception {
        Path d = tmp.newFolder("readable").toPath();
        Files.setAttribute(d, "unix:mode", 0755);
        PrivateDir.ensure(d, "test");
        assertEquals(0700, mode(d));
    }

    @Test
    public void aFolderOthersMayWriteIsRefused() throws Exception {
        Path d = tmp.newFolder("open").toPath();
        Files.setAttribute(d, "unix:mode", 0777);
        String m = refusal(d);
        assertTrue(m, m.contains(d.toString()) && m.contains("writable by other users (mode 0777)"));
        assertEquals("left as it was", 0777, mode(d));
    }

    @Test
    public void aSymbolicLinkIsRefused() throws Exception {
        Path real = tmp.newFolder("real").toPath();
        Files.setAttribute(real, "unix:mode", 0700);
        Path link = Files.createSymbolicLink(tmp.getRoot().toPath().resolve("link"), real);
        assertTrue(refusal(link).contains("is a symbolic link"));
    }

    @Test
    public void aFolderOfAnotherUserIsRefused() throws Exception {
        Assume.assumeTrue("needs root to give a folder away", PrivateDir.uid() == 0);
        Path d = tmp.newFolder("theirs").toPath();
        Files.setAttribute(d, "unix:mode", 0700);
        Files.setAttribute(d, "unix:uid", 65534);
        String m = refusal(d);
        assertTrue(m, m.contains("belongs to uid 65534, not to this user (uid 0)"));
    }

    @Test
    public void aFolderInsideOneOthersMayWriteIsRefusedUnlessItIsSticky() throws Exception {
        Path shared = tmp.newFolder("shared").toPath();
        Files.setAttribute(shared, "unix:mode", 0777);
        String m = refusal(shared.resolve("dmtcp-me"));
        assertTrue(m, m.contains("lies in " + shared + ", which other users may write and which has no sticky bit"));
        Files.setAttribute(shared, "unix:mode", 01777); // as /tmp: nobody can rename another's entry
        Path d = PrivateDir.ensure(shared.resolve("dmtcp-me"), "test");
        assertEquals(0700, mode(d));
    }

    @Test
    public void xdgRuntimeDirIsUsedOnlyWhenItIsPrivate() throws Exception {
        Path xdg = tmp.newFolder("run-user").toPath();
        Path cache = tmp.newFolder("cache").toPath();
        Files.setAttribute(xdg, "unix:mode", 0700);
        Map<String, String> env = Map.of("XDG_RUNTIME_DIR", xdg.toString(), "XDG_CACHE_HOME", cache.toString());
        assertEquals(xdg.resolve("dmtcp"), PrivateDir.of(null, env));
        Files.setAttribute(xdg, "unix:mode", 0755);
        assertEquals(cache.resolve("dmtcp"), PrivateDir.of(null, env));
    }

    @Test
    public void anExplicitTmpDirGetsAFolderPerUser() throws Exception {
        Path t = tmp.newFolder("t").toPath();
        assertEquals(t.resolve("dmtcp-" + Env.user()), PrivateDir.of(t, Map.of()));
    }
}
