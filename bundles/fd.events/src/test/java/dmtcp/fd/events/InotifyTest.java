package dmtcp.fd.events;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dmtcp.mem.linux.api.CPrograms;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Freezer;
import dmtcp.mem.linux.api.Frozen;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.Test;

/**
 * inotify through three checkpoint/kill/restore rounds of inotify.c (see its head): watches
 * with their wd numbers (a gap where wd 1 was removed), masks with IN_ONESHOT and IN_EXCL_UNLINK;
 * files created, moved in and deleted after each restore are reported with the same wds, and
 * nothing the restore did is; a checkpoint with events not yet read, or of a watch whose file
 * is in none of the places searched, is refused.
 */
public class InotifyTest extends Rounds {
    /** The watches of an inotify's fdinfo as "wd ino sdev mask". */
    static Set<String> watches(List<String> fdinfo) {
        Set<String> s = new TreeSet<>();
        for (String l : fdinfo) {
            if (l.startsWith("inotify wd:")) {
                s.add(l.replaceAll("inotify wd:(\\S+) ino:(\\S+) sdev:(\\S+) mask:(\\S+) .*", "$1 $2 $3 $4"));
            }
        }
        return s;
    }

    private static void awaitLine(Path log, String line) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!CPrograms.lines(log).contains(line)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no \"" + line + "\" in " + log + ": " + CPrograms.lines(log));
            }
            Thread.sleep(10);
        }
    }

    private static int ticks(Path log) throws Exception {
        return (int) CPrograms.lines(log).stream().filter(l -> l.startsWith("tick ")).count();
    }

    private static void awaitTicks(Path log, int n) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (ticks(log) < n) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(log + ": " + ticks(log) + " ticks, wanted " + n);
            }
            Thread.sleep(10);
        }
    }

    @Test
    public void watchesGoOnWithTheirWdsThroughThreeRestores() throws Exception {
        Path base = tempDir("inotify");
        Path one = Files.createDirectory(base.resolve("one")), two = Files.createDirectory(base.resolve("two")),
                three = Files.createDirectory(base.resolve("three")), file = Files.createFile(base.resolve("file"));
        Path log = base.resolve("log");
        Child c = spawn("inotify", log.toString(), one.toString(), two.toString(), three.toString(), file.toString());
        awaitTicks(log, 3);
        Files.createFile(two.resolve("before"));
        awaitLine(log, "ev 2 100 before");
        for (int round = 0; round < 3; round++) {
            int n = ticks(log);
            Frozen f = Freezer.freeze(c.pid());
            List<String> before = fdinfo(c.pid(), 3);
            Path img = temp(".dmtcp");
            JsonObject rec = ofKind(checkpointAndKill(c, f, img), "inotify").get(3);
            Set<String> paths = new TreeSet<>();
            for (JsonElement w : rec.getAsJsonArray("watches")) {
                paths.add(w.getAsJsonObject().get("wd").getAsInt() + " " + w.getAsJsonObject().get("path").getAsString());
            }
            assertEquals(Set.of("2 " + two, "3 " + three, "4 " + file), paths);
            c = restore(img);
            awaitTicks(log, n + 3);
            assertEquals("flags, and every watch with its wd, file and mask", before, fdinfo(c.pid(), 3));
            assertEquals(watches(before).toString(), 3, watches(before).size());
            Files.createFile(two.resolve("r" + round));
            awaitLine(log, "ev 2 100 r" + round);
            Path moved = Files.createFile(base.resolve("m" + round));
            Files.move(moved, three.resolve("m" + round));
            awaitLine(log, "ev 3 80 m" + round);
            Files.delete(two.resolve("r" + round));
            awaitLine(log, "ev 2 200 r" + round);
            System.out.printf("inotify round %d: restored as pid %d%n", round, c.pid());
        }
        for (String l : CPrograms.lines(log)) {
            assertTrue("only the events of the test's files: " + l, l.startsWith("tick ") || l.matches("ev [23] (100|200|80) \\S+"));
        }
    }

    @Test
    public void eventsNotReadYetRefuseTheCheckpoint() throws Exception {
        Path dir = tempDir("inotify-lazy");
        Path log = temp(".log");
        refused(log, "an inotify instance holding 32 bytes of events the program has not read yet", () -> {
            try {
                Files.createFile(dir.resolve("unread"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "holdevents", log.toString(), "inotify-lazy", dir.toString());
    }

    @Test
    public void aWatchOfAFileFoundNowhereRefusesTheCheckpoint() throws Exception {
        Path base = tempDir("inotify-deep");
        Path deep = Files.createDirectories(base.resolve("1/2/3/4/5"));
        Path log = temp(".log");
        long ino = (Long) Files.getAttribute(deep, "unix:ino");
        refused(log, "an inotify instance whose watch 1 is of inode " + ino + " on device", () -> {}, "holdevents", log.toString(),
                "inotify-watch", deep.toString());
    }

    @Test
    public void aWatchOfAFileInTheWorkingDirectoryIsFound() throws Exception {
        assertFalse(InodeSearch.find(Set.of(InodeSearch.keyOf(Path.of("pom.xml"))), InodeSearch.roots((int) ProcessHandle.current().pid(),
                List.of())).isEmpty());
    }

}
