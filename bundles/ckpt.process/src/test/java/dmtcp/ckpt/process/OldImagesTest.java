package dmtcp.ckpt.process;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dmtcp.ckpt.process.api.Inspect;
import dmtcp.ckpt.process.api.ProcessImages;
import dmtcp.ckpt.process.internal.Fixtures;
import dmtcp.ckpt.process.internal.ProcessSchema;
import dmtcp.image.format.Version1Images;
import dmtcp.image.format.api.ImageException;
import dmtcp.image.format.api.ImageFormat;
import dmtcp.image.format.api.ImageReader;
import dmtcp.image.format.api.ImageWriter;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Images written before the schema had a version and before the header named the codec
 * chain (format 1, as the code of b1c2651 wrote them) are read by the restore and by
 * dmtcp_inspect; a process restarts from them, raw and gzip, and is checkpointed again; a
 * process description of a schema version this DMTCP does not know is refused by number.
 */
public class OldImagesTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theImagesOfB1c2651AreReadByTheRestoreAndByInspect() throws Exception {
        for (String resource : List.of(Fixtures.RAW, Fixtures.GZIP)) {
            Path image = Fixtures.copy(resource, tmp.getRoot().toPath());
            Fixtures.assertSame(resource, Fixtures.state(), ProcessImages.describe(image, ProcessImagesTest.CODECS));
            assertEquals("{\"program\":\"ticker\",\"uniqueId\":\"5e1f2a3b-4711-1764625410\",\"host\":\"node1\",\"startTime\":123456789,"
                    + "\"round\":3,\"created\":\"2026-12-02T01:41:58.123456Z\",\"pid\":4711}",
                    ProcessImages.checkpointInfo(image, ProcessImagesTest.CODECS).toString());
            String text = Inspect.text(image.toString(), true);
            boolean gz = resource.equals(Fixtures.GZIP);
            assertTrue(text, text.contains("  format     DMTCP-JVM-IMAGE 1 (process schema 0), codec " + (gz ? "gzip" : "none")));
            assertTrue(text, text.contains("; verified\n"));
            assertTrue(text, text.contains("  program    ticker, pid 4711 on node1, unique id 5e1f2a3b-4711-1764625410\n"));
            assertTrue(text, text.contains("  taken      2026-12-02T01:41:58.123456Z (round 3)\n"));
            assertTrue(text, text.contains("  argv       [\"/tmp/t/ticker\",\"out file\",\"ü\"]\n  cwd        /tmp/t, umask 022\n"));
            assertTrue(text, text.contains("threads (2)\n"));
            assertTrue(text, text.contains("  4711     0x0000000000401136 0x00007ffd1234abc0 0x4001\n"));
            assertTrue(text, text.contains("regions (3): 28 KiB mapped, 16 KiB saved\n"));
            assertTrue(text, text.contains("  00007f00dd000000-00007f00dd002000 rw-s     4096 B  /tmp/hsperfdata_u/4711\n"));
            assertTrue(text, text.contains("  3    1      signal   32     tid 4712                1       30000000\n"));
            assertTrue(text, text.contains("fds (2)\n  0    terminal   /dev/pts/3 termios={\"iflag\":1,\"cc\":\"Axx/\"} winsize={\"rows\":33,\"cols\":111}\n"
                    + "  3    file       /tmp/t/data offset=4096 mode=0100644\n"));
            JsonObject json = JsonParser.parseString(Inspect.json(image.toString())).getAsJsonObject();
            assertEquals(0, json.getAsJsonObject("process").get(ProcessSchema.SCHEMA).getAsInt());
            assertEquals(4711, json.getAsJsonObject("process").get("pid").getAsInt());
            assertEquals(1, json.getAsJsonObject("inventory").get("format").getAsInt());
            assertTrue(json.get("verified").getAsBoolean());
        }
    }

    /** The version 1 images the tests make are those b1c2651 wrote, byte for byte. */
    @Test
    public void version1ImagesAreMadeAsB1c2651MadeThem() throws Exception {
        for (String resource : List.of(Fixtures.RAW, Fixtures.GZIP)) {
            Path image = Fixtures.copy(resource, tmp.getRoot().toPath());
            Path again = tmp.getRoot().toPath().resolve("again.dmtcp");
            Version1Images.convert(image, again, resource.equals(Fixtures.GZIP), ProcessImagesTest.CODECS, p -> p);
            assertArrayEquals(resource, Files.readAllBytes(image), Files.readAllBytes(again));
        }
    }

    @Test
    public void aProcessDescriptionOfAnUnknownSchemaVersionIsRefusedByNumber() throws Exception {
        Path image = tmp.getRoot().toPath().resolve("future.dmtcp");
        JsonObject proc = Fixtures.proc();
        proc.addProperty(ProcessSchema.SCHEMA, 9);
        try (ImageWriter w = ImageWriter.create(image, null)) {
            w.json(ImageFormat.TAG_PROCESS, proc);
            w.finish(null);
            w.commit();
        }
        String why = image + ": the process description (PROC record) cannot be read: it is of schema version 9, which this DMTCP"
                + " does not read (it reads versions 0 to 1): the image was written by a newer DMTCP";
        long alive = ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
        try {
            ProcessImages.restore(image, ProcessImagesTest.CODECS, TestHandlers.LIST);
            fail("restored");
        } catch (ImageException e) {
            assertEquals(why, e.getMessage());
        }
        try {
            Inspect.text(image.toString(), false);
            fail("inspected");
        } catch (ImageException e) {
            assertEquals(why, e.getMessage());
        }
        assertEquals("no stub was started", alive, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count());
    }

    /**
     * A real program checkpointed into an image, killed; the image made version 1, raw and
     * gzip, as b1c2651 wrote it (no header, no schema member): the program restarts from each
     * and goes on from the checkpoint; checkpointed again (version 2), killed, restarted.
     */
    @Test
    public void aProgramRestartsFromVersion1ImagesRawAndGzip() throws Exception {
        Path exe = ProcessImagesTest.compile(tmp, "ticker");
        Path out = tmp.getRoot().toPath().resolve("ticks");
        Child c = Processes.spawn(List.of(exe.toString(), out.toString()));
        ProcessImagesTest.waitTicks(out, 5);
        Path image = tmp.getRoot().toPath().resolve("ckpt_ticker.dmtcp");
        int last = ProcessImagesTest.dumpAndKill(c, image, null, out);
        try (ImageReader r = ImageReader.open(image, ProcessImagesTest.CODECS)) {
            assertEquals(ImageFormat.VERSION, r.version());
            assertEquals(ProcessSchema.VERSION, r.next().json().get(ProcessSchema.SCHEMA).getAsInt());
        }
        for (boolean gz : new boolean[] {false, true}) {
            Path old = tmp.getRoot().toPath().resolve(gz ? "ckpt_v1_gz.dmtcp" : "ckpt_v1_raw.dmtcp");
            Version1Images.convert(image, old, gz, ProcessImagesTest.CODECS, p -> {
                p.remove(ProcessSchema.SCHEMA);
                return p;
            });
            try (ImageReader r = ImageReader.open(old, ProcessImagesTest.CODECS)) {
                assertEquals(1, r.version());
                assertEquals(gz ? "gzip" : "none", r.codec());
                assertFalse(r.next().json().has(ProcessSchema.SCHEMA));
            }
            int killedAt = ProcessImagesTest.ticks(out).size();
            c = ProcessImages.restore(old, ProcessImagesTest.CODECS, TestHandlers.LIST);
            ProcessImagesTest.waitTicks(out, 3);
            assertEquals("continues right after the checkpoint", "tick " + (last + 1) + " ok", ProcessImagesTest.ticks(out).get(killedAt));

            // and again, into a version 2 image
            Path next = tmp.getRoot().toPath().resolve("ckpt_again.dmtcp");
            int again = ProcessImagesTest.dumpAndKill(c, next, ProcessImagesTest.GZIP, out);
            int at = ProcessImagesTest.ticks(out).size();
            c = ProcessImages.restore(next, ProcessImagesTest.CODECS, TestHandlers.LIST);
            ProcessImagesTest.waitTicks(out, 3);
            List<String> t = ProcessImagesTest.ticks(out);
            assertEquals("tick " + (again + 1) + " ok", t.get(at));
            for (String line : t) {
                assertTrue(line, line.endsWith(" ok"));
            }
            c.signal(9);
            c.onExit().get(10, TimeUnit.SECONDS);
        }
    }
}
