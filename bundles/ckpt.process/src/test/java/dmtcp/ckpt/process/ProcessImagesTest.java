package dmtcp.ckpt.process;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonObject;
import dmtcp.ckpt.process.api.ProcessImages;
import dmtcp.image.format.api.ImageException;
import dmtcp.image.format.api.ImageReader;
import dmtcp.image.format.api.ImageWriter;
import dmtcp.image.format.spi.StreamCodec;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Freezer;
import dmtcp.mem.linux.api.Frozen;
import dmtcp.mem.linux.api.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** A real program dumped into an image, killed, restored from the image, three times over. */
public class ProcessImagesTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    static final StreamCodec GZIP = dmtcp.image.format.api.JdkGzip.INSTANCE;
    static final Map<String, StreamCodec> CODECS = Map.of("gzip", GZIP);

    private Path compile(String name) throws Exception {
        return compile(tmp, name);
    }

    /** Compiles src/test/resources/c/NAME.c into {@code tmp}. */
    static Path compile(TemporaryFolder tmp, String name) throws Exception {
        Path src = tmp.getRoot().toPath().resolve(name + ".c");
        try (InputStream in = ProcessImagesTest.class.getResourceAsStream("/c/" + name + ".c")) {
            Files.copy(in, src);
        }
        Path exe = tmp.getRoot().toPath().resolve(name);
        assertEquals(0, new ProcessBuilder("gcc", "-O1", "-o", exe.toString(), src.toString()).inheritIO().start().waitFor());
        return exe;
    }

    static List<String> ticks(Path f) throws IOException {
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    static void waitTicks(Path f, int more) throws Exception {
        int start = ticks(f).size();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ticks(f).size() < start + more) {
            assertTrue("program made no progress", System.nanoTime() < deadline);
            Thread.sleep(20);
        }
    }

    /** Dumps the ticker {@code c} into {@code image} (program "ticker"), kills it; the number of the last tick it wrote to {@code out}. */
    static int dumpAndKill(Child c, Path image, StreamCodec codec, Path out) throws Exception {
        int last;
        try (Frozen f = Freezer.freeze(c.pid())) {
            JsonObject extra = new JsonObject();
            extra.addProperty("program", "ticker");
            try (ImageWriter w = ProcessImages.dump(f, image, codec, extra, TestHandlers.LIST)) {
                w.commit();
            }
            List<String> t = ticks(out);
            last = Integer.parseInt(t.get(t.size() - 1).split(" ")[1]);
            f.kill();
        }
        c.onExit().get(10, TimeUnit.SECONDS);
        return last;
    }

    @Test
    public void dumpKillRestoreThreeTimesRawAndGzip() throws Exception {
        Path exe = compile("ticker");
        for (StreamCodec codec : new StreamCodec[] {null, GZIP}) {
            Path out = tmp.getRoot().toPath().resolve("ticks-" + (codec == null ? "raw" : "gz"));
            Child c = Processes.spawn(List.of(exe.toString(), out.toString()));
            Path image = tmp.getRoot().toPath().resolve("ckpt_ticker_" + (codec == null ? "raw" : "gz") + ".dmtcp");
            for (int cycle = 0; cycle < 3; cycle++) {
                waitTicks(out, 5);
                int last = dumpAndKill(c, image, codec, out);
                assertEquals("ticker", ImageReader.verify(image, CODECS).get("program").getAsString());
                c = ProcessImages.restore(image, CODECS, TestHandlers.LIST);
                waitTicks(out, 3);
                List<String> t = ticks(out);
                assertEquals("continues right after the checkpoint", "tick " + (last + 1) + " ok", t.get(last + 1));
                for (String line : t) {
                    assertTrue(line, line.endsWith(" ok"));
                }
            }
            c.signal(9);
        }
    }

    @Test
    public void sparseRemappedDlopenedAndWaitingInPollAndSelect() throws Exception {
        Path src = tmp.getRoot().toPath().resolve("odd.c");
        try (InputStream in = getClass().getResourceAsStream("/c/odd.c")) {
            Files.copy(in, src);
        }
        Path exe = tmp.getRoot().toPath().resolve("odd");
        assertEquals(0, new ProcessBuilder("gcc", "-O1", "-pthread", "-o", exe.toString(), src.toString(), "-ldl")
                .inheritIO().start().waitFor());
        Path out = tmp.getRoot().toPath().resolve("odd.out");
        Child c = Processes.spawn(List.of(exe.toString(), out.toString()));
        Path image = tmp.getRoot().toPath().resolve("ckpt_odd.dmtcp");
        for (int cycle = 0; cycle < 3; cycle++) {
            waitTicks(out, 5);
            try (Frozen f = Freezer.freeze(c.pid()); ImageWriter w = ProcessImages.dump(f, image, GZIP, null, TestHandlers.LIST)) {
                w.commit();
                f.kill();
            }
            c.onExit().get(10, TimeUnit.SECONDS);
            // 64 GiB mapped, 16 pages touched: only those are in the image
            assertTrue("image of " + Files.size(image) + " bytes", Files.size(image) < (4 << 20));
            int before = ticks(out).size();
            c = ProcessImages.restore(image, CODECS, TestHandlers.LIST);
            waitTicks(out, 5);
            List<String> t = ticks(out);
            for (String line : t) {
                assertTrue(line, line.endsWith(" ok"));
            }
            // the poll() thread goes on too: its counter grows after the restore
            long polls0 = Long.parseLong(t.get(before).split(" ")[1]);
            long polls1 = Long.parseLong(t.get(t.size() - 1).split(" ")[1]);
            assertTrue(polls0 + " -> " + polls1, polls1 > polls0);
        }
        c.signal(9);
    }

    /** The uncompressed image of a ticker that was then killed (its ticks go to {@code out}). */
    private Path deadTickerImage(Path out) throws Exception {
        Child c = Processes.spawn(List.of(compile("ticker").toString(), out.toString()));
        waitTicks(out, 3);
        Path image = tmp.getRoot().toPath().resolve("ckpt.dmtcp");
        try (Frozen f = Freezer.freeze(c.pid()); ImageWriter w = ProcessImages.dump(f, image, null, null, TestHandlers.LIST)) {
            w.commit();
            f.kill();
        }
        c.onExit().get(10, TimeUnit.SECONDS);
        return image;
    }

    @Test
    public void aCorruptImageIsRefusedAndNothingIsLeftRunning() throws Exception {
        Path image = deadTickerImage(tmp.getRoot().toPath().resolve("ticks"));
        byte[] all = Files.readAllBytes(image);
        all[all.length / 2] ^= 1;
        Files.write(image, all);
        long alive = ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
        try {
            ProcessImages.restore(image, CODECS, TestHandlers.LIST);
            fail("restored from a corrupt image");
        } catch (ImageException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("fails its checksum"));
        }
        // the stub started for the restore is gone (killed and reaped), and nothing was announced
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.current().children().filter(ProcessHandle::isAlive).count() > alive) {
            assertTrue("a half-restored process is still running", System.nanoTime() < deadline);
            Thread.sleep(20);
        }
        assertFalse("a ticker runs", ProcessHandle.current().children().anyMatch(
                k -> k.isAlive() && k.info().command().map(c -> c.endsWith("/ticker")).orElse(false)));
    }

    /**
     * An uncompressed image cut right before its inventory (every PROC and PAGE record whole,
     * as a writer killed at the end leaves it) is refused, nothing left running: the restore
     * reads to the trailer before it does anything outside the process.
     */
    @Test
    public void aRawImageWithoutInventoryAndTrailerIsRefused() throws Exception {
        Path out = tmp.getRoot().toPath().resolve("ticks");
        Path image = deadTickerImage(out);
        byte[] all = Files.readAllBytes(image);
        Files.write(image, java.util.Arrays.copyOf(all, inventoryOffset(all)));
        int before = ticks(out).size();
        try {
            ProcessImages.restore(image, CODECS, TestHandlers.LIST);
            fail("restored an image without inventory and trailer");
        } catch (ImageException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(image + ": ends after record #") && e.getMessage().contains("without an inventory"));
        }
        assertFalse("a ticker runs", ProcessHandle.current().children().anyMatch(
                k -> k.isAlive() && k.info().command().map(c -> c.endsWith("/ticker")).orElse(false)));
        assertEquals(before, ticks(out).size());
    }

    /** Where the INVT record of a raw image starts (its records walked frame by frame). */
    static int inventoryOffset(byte[] raw) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int at = dmtcp.image.format.api.ImageFormat.SIGNATURE.length;
        while (!new String(raw, at, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("INVT")) {
            at += 4 + 8 + (int) b.getLong(at + 4) + 4;
        }
        return at;
    }
}
