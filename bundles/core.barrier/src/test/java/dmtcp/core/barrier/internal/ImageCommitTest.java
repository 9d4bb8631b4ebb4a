package dmtcp.core.barrier.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dmtcp.core.barrier.spi.ImagePlacement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ImageCommitTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    public void thePreviousImageIsRemovedOffTheRoundUnderATemporaryName() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Path target = dir.resolve("ckpt_a_1.dmtcp");
        Files.writeString(target, "old");
        Path fresh = dir.resolve(".ckpt_a_1.dmtcp.1-1.tmp");
        Files.writeString(fresh, "new");
        List<Runnable> held = new ArrayList<>();
        new ImageCommit(held::add, () -> null).replace(fresh, target);

        assertEquals("new", Files.readString(target));
        assertEquals("the removal waits for the remover", 1, held.size());
        List<String> left = names(dir);
        assertEquals(left.toString(), 2, left.size());
        String second = left.get(0);
        assertTrue(second, second.matches("\\.ckpt_a_1\\.dmtcp\\." + ProcessHandle.current().pid() + "-\\d+\\.tmp"));
        assertEquals("old", Files.readString(dir.resolve(second), StandardCharsets.UTF_8));

        held.get(0).run();
        assertEquals(List.of("ckpt_a_1.dmtcp"), names(dir));
        assertEquals("new", Files.readString(target));
    }

    @Test
    public void aFirstImageIsJustRenamed() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Path target = dir.resolve("ckpt_b_1.dmtcp");
        Path fresh = dir.resolve(".ckpt_b_1.dmtcp.1-2.tmp");
        Files.writeString(fresh, "new");
        List<Runnable> held = new ArrayList<>();
        new ImageCommit(held::add, () -> null).replace(fresh, target);
        assertTrue(held.isEmpty());
        assertEquals(List.of("ckpt_b_1.dmtcp"), names(dir));
        assertFalse(Files.exists(fresh));
    }

    @Test
    public void aLinkInPlaceOfTheImageIsReplacedNotFollowed() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Path elsewhere = tmp.newFile("elsewhere").toPath();
        Files.writeString(elsewhere, "keep");
        Path target = dir.resolve("ckpt_c_1.dmtcp");
        Files.createSymbolicLink(target, elsewhere);
        Path fresh = dir.resolve(".ckpt_c_1.dmtcp.1-3.tmp");
        Files.writeString(fresh, "new");
        List<Runnable> held = new ArrayList<>();
        new ImageCommit(held::add, () -> null).replace(fresh, target);
        assertTrue(held.isEmpty());
        assertEquals("new", Files.readString(target));
        assertFalse(Files.isSymbolicLink(target));
        assertEquals("keep", Files.readString(elsewhere));
    }

    @Test
    public void aSwapOfferedByABundleIsUsedAndThePreviousImageRemovedUnderTheTemporaryName() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Path target = dir.resolve("ckpt_d_1.dmtcp");
        Files.writeString(target, "old");
        Path fresh = dir.resolve(".ckpt_d_1.dmtcp.1-4.tmp");
        Files.writeString(fresh, "new");
        List<Runnable> held = new ArrayList<>();
        List<Path> asked = new ArrayList<>();
        // the service's contract, done here in three renames (ckpt.process does it in one renameat2)
        ImagePlacement swap = (a, b) -> {
            asked.add(b);
            try {
                Path t = dir.resolve("swap");
                Files.move(a, t);
                Files.move(b, a);
                Files.move(t, b);
                return true;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        new ImageCommit(held::add, () -> swap).replace(fresh, target);
        assertEquals(List.of(target), asked);
        assertEquals("new", Files.readString(target));
        assertEquals("old", Files.readString(fresh));
        held.get(0).run();
        assertEquals(List.of("ckpt_d_1.dmtcp"), names(dir));
    }

    @Test
    public void aDeclinedSwapFallsBackToTheRename() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Path target = dir.resolve("ckpt_e_1.dmtcp");
        Files.writeString(target, "old");
        Path fresh = dir.resolve(".ckpt_e_1.dmtcp.1-5.tmp");
        Files.writeString(fresh, "new");
        List<Runnable> held = new ArrayList<>();
        new ImageCommit(held::add, () -> (a, b) -> false).replace(fresh, target);
        assertEquals("new", Files.readString(target));
        held.get(0).run();
        assertEquals(List.of("ckpt_e_1.dmtcp"), names(dir));
    }
}
