package dmtcp.ckpt.process;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dmtcp.ckpt.process.api.ProcessImages;
import dmtcp.image.format.api.ImageWriter;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Freezer;
import dmtcp.mem.linux.api.Frozen;
import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Writable MAP_SHARED file mappings (shared.c): the image holds their present pages; a
 * restart maps the file when it is the same file and writes none of them into it; when
 * the file is gone (a JVM's hsperfdata file, deleted by the next JVM) the mapping is
 * rebuilt from them, and the program goes on with its data.
 */
public class SharedMappingsTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path compile(String name) throws Exception {
        return ProcessImagesTest.compile(tmp, name);
    }

    private static List<String> ticks(Path f) throws IOException {
        return ProcessImagesTest.ticks(f);
    }

    private static void waitTicks(Path f, int more) throws Exception {
        ProcessImagesTest.waitTicks(f, more);
    }

    /** Dumps {@code c} into {@code image} (uncompressed) and kills it. */
    private static void dumpAndKill(Child c, Path image) throws Exception {
        try (Frozen f = Freezer.freeze(c.pid()); ImageWriter w = ProcessImages.dump(f, image, null, null, TestHandlers.LIST)) {
            w.commit();
            f.kill();
        }
        c.onExit().get(10, TimeUnit.SECONDS);
    }

    private static MemoryRegion region(Path image, Path file) throws IOException {
        return ProcessImages.describe(image, ProcessImagesTest.CODECS).regions().stream()
                .filter(r -> r.path().equals(file.toString())).findFirst().orElseThrow();
    }

    @Test
    public void aFileThatIsThereKeepsItsOwnContent() throws Exception {
        Path exe = compile("shared");
        Path data = tmp.getRoot().toPath().resolve("data");
        Path out = tmp.getRoot().toPath().resolve("ticks");
        Child c = Processes.spawn(List.of(exe.toString(), data.toString(), out.toString(), "r"));
        waitTicks(out, 3);
        Path image = tmp.getRoot().toPath().resolve("ckpt_shared.dmtcp");
        dumpAndKill(c, image);
        assertTrue("the image holds the mapping's pages", region(image, data).savedBytes() > 0);
        // the file moves on after the checkpoint (another writer): the restart must not put the old pages back
        byte[] newer = Files.readAllBytes(data);
        newer[4096] = 'Z';
        Files.write(data, newer);
        FileTime mtime = FileTime.fromMillis(Files.getLastModifiedTime(data).toMillis() - 60_000);
        Files.setLastModifiedTime(data, mtime);
        c = ProcessImages.restore(image, ProcessImagesTest.CODECS, TestHandlers.LIST);
        waitTicks(out, 3);
        assertArrayEquals("the file's content is the file's", newer, Files.readAllBytes(data));
        assertEquals("the restart did not write the file", mtime, Files.getLastModifiedTime(data));
        assertTrue("the program sees the file as it is now", ticks(out).get(ticks(out).size() - 1).endsWith("CORRUPT"));
        c.signal(9);
    }

    @Test
    public void aWritableSharedMappingWhoseFileIsGoneIsRebuiltFromTheImage() throws Exception {
        Path exe = compile("shared");
        Path data = tmp.getRoot().toPath().resolve("hsperfdata");
        Path out = tmp.getRoot().toPath().resolve("ticks");
        Child c = Processes.spawn(List.of(exe.toString(), data.toString(), out.toString(), "w"));
        Path image = tmp.getRoot().toPath().resolve("ckpt_shared.dmtcp");
        for (int cycle = 0; cycle < 3; cycle++) {
            waitTicks(out, 5);
            dumpAndKill(c, image);
            int killedAt = ticks(out).size();
            Files.deleteIfExists(data);
            c = ProcessImages.restore(image, ProcessImagesTest.CODECS, TestHandlers.LIST);
            waitTicks(out, 5);
            List<String> t = ticks(out);
            for (String line : t) {
                assertTrue("cycle " + cycle + ": the mapping kept the program's data: " + line, line.endsWith(" ok"));
            }
            assertTrue(t.size() > killedAt + 4);
            assertFalse("no file is created for it", Files.exists(data));
            String maps = Files.readString(Path.of("/proc", Integer.toString(c.pid()), "maps"));
            assertTrue(maps, maps.contains(cycle == 0 ? "/memfd:" + data + " (deleted)" : " (deleted)"));
        }
        c.signal(9);
    }
}
