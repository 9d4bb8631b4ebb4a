package dmtcp.image.format;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonObject;
import dmtcp.image.format.api.ImageException;
import dmtcp.image.format.api.ImageFormat;
import dmtcp.image.format.api.ImageReader;
import dmtcp.image.format.api.ImageWriter;
import dmtcp.image.format.spi.StreamCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ImageFormatTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** A plain single-threaded gzip codec, standing in for compress.gzip in this bundle's tests. */
    static final StreamCodec GZIP = dmtcp.image.format.api.JdkGzip.INSTANCE;
    static final Map<String, StreamCodec> CODECS = Map.of("gzip", GZIP);

    private final byte[] memory = new byte[3 << 20];

    private Path write(String name, StreamCodec codec) throws IOException {
        new Random(42).nextBytes(memory);
        Path target = tmp.getRoot().toPath().resolve(name);
        try (ImageWriter w = ImageWriter.create(target, codec)) {
            JsonObject proc = new JsonObject();
            proc.addProperty("pid", 4711);
            proc.addProperty("exe", "/bin/true");
            w.json(ImageFormat.TAG_PROCESS, proc);
            w.pages(0x7f0000000000L, ByteBuffer.wrap(memory, 0, 1 << 20));
            ByteBuffer direct = ByteBuffer.allocateDirect(2 << 20);
            direct.put(memory, 1 << 20, 2 << 20).flip();
            w.pages(0x7f0000100000L, direct);
            w.plugin("dmtcp.fd.sockets", ByteBuffer.wrap("drained".getBytes(StandardCharsets.UTF_8)));
            JsonObject extra = new JsonObject();
            extra.addProperty("program", "true");
            w.finish(extra);
            assertFalse("not in place before commit", Files.exists(target));
            w.commit();
        }
        return target;
    }

    @Test
    public void roundTripRawAndGzip() throws IOException {
        for (StreamCodec codec : new StreamCodec[] {null, GZIP}) {
            Path image = write(codec == null ? "raw.dmtcp" : "gz.dmtcp", codec);
            try (ImageReader r = ImageReader.open(image, CODECS)) {
                assertEquals(codec == null ? "none" : "gzip", r.codec());
                ImageReader.Record proc = r.next();
                assertEquals("PROC", proc.tag());
                assertEquals(4711, proc.json().get("pid").getAsInt());
                ImageReader.Record p1 = r.next();
                assertEquals(0x7f0000000000L, p1.address());
                byte[] got = new byte[p1.data().remaining()];
                p1.data().get(got);
                assertArrayEquals(java.util.Arrays.copyOfRange(memory, 0, 1 << 20), got);
                ImageReader.Record p2 = r.next();
                assertEquals(0x7f0000100000L, p2.address());
                got = new byte[p2.data().remaining()];
                p2.data().get(got);
                assertArrayEquals(java.util.Arrays.copyOfRange(memory, 1 << 20, 3 << 20), got);
                assertEquals("PLUG", r.next().tag());
                assertNull(r.next());
                JsonObject inv = r.inventory();
                assertEquals(1, inv.get("format").getAsInt());
                assertEquals("true", inv.get("program").getAsString());
                assertEquals(2, inv.getAsJsonObject("records").getAsJsonObject("PAGE").get("records").getAsInt());
                assertEquals(codec == null ? "[]" : "[\"gzip\"]", inv.get("codecs").toString());
            }
        }
    }

    @Test
    public void aGzipImageIsReadableByGzipAndShowsItsSignature() throws Exception {
        Path image = write("gz.dmtcp", GZIP);
        Process p = new ProcessBuilder("sh", "-c", "gzip -dc '" + image + "' | head -c 18").start();
        String head = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, p.waitFor());
        assertEquals("DMTCP-JVM-IMAGE 1\n", head);
    }

    @Test
    public void everyTruncationIsDetectedAndNamed() throws IOException {
        for (StreamCodec codec : new StreamCodec[] {null, GZIP}) {
            Path image = write(codec == null ? "whole-raw.dmtcp" : "whole-gz.dmtcp", codec);
            byte[] all = Files.readAllBytes(image);
            Path cut = tmp.getRoot().toPath().resolve("cut.dmtcp");
            for (int len : new int[] {1, 5, 18, 30, 100, all.length / 3, all.length / 2, all.length - 40, all.length - 1}) {
                Files.write(cut, java.util.Arrays.copyOf(all, len));
                try {
                    ImageReader.verify(cut, CODECS);
                    fail((codec == null ? "raw" : "gzip") + " image cut to " + len + " of " + all.length + " bytes was accepted");
                } catch (ImageException e) {
                    assertTrue(e.getMessage(), e.getMessage().startsWith(cut.toString() + ": "));
                    assertTrue(e.getMessage(), e.getMessage().matches(
                            ".*(truncated|did not finish|not a DMTCP image|corrupt|empty file|checksum).*"));
                }
            }
        }
    }

    @Test
    public void aFlippedByteIsFoundAndTheRecordNamed() throws IOException {
        Path image = write("raw.dmtcp", null);
        byte[] all = Files.readAllBytes(image);
        all[all.length / 2] ^= 0x40; // inside the second PAGE record's data
        Path bad = tmp.getRoot().toPath().resolve("bad.dmtcp");
        Files.write(bad, all);
        try {
            ImageReader.verify(bad, CODECS);
            fail("corruption not detected");
        } catch (ImageException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("record #2 (PAGE, 2097160 bytes at byte"));
            assertTrue(e.getMessage(), e.getMessage().endsWith("fails its checksum: the image is corrupt"));
        }
    }

    @Test
    public void notAnImageAnotherVersionAndAMissingCodecAreRefused() throws IOException {
        Path text = tmp.getRoot().toPath().resolve("notes.txt");
        Files.writeString(text, "hello world, this is not an image");
        assertRefused(text, CODECS, "not a DMTCP image");
        Path v2 = tmp.getRoot().toPath().resolve("v2.dmtcp");
        Files.writeString(v2, "DMTCP-JVM-IMAGE 2\nwhatever");
        assertRefused(v2, CODECS, "format version 2 is not one this DMTCP reads (version 1)");
        Path gz = write("gz.dmtcp", GZIP);
        assertRefused(gz, Map.of(), "gzip-compressed, but no gzip codec is installed");
        assertRefused(tmp.getRoot().toPath().resolve("absent.dmtcp"), CODECS, "no such image file");
    }

    @Test
    public void anUnfinishedWriterLeavesThePreviousImageAlone() throws IOException {
        Path target = tmp.getRoot().toPath().resolve("ckpt.dmtcp");
        Files.writeString(target, "previous good image");
        Path temporary;
        try (ImageWriter w = ImageWriter.create(target, GZIP)) {
            temporary = w.temporary();
            w.pages(0x1000, ByteBuffer.wrap(new byte[4096]));
            // the checkpoint fails here: no finish, no commit
        }
        assertEquals("previous good image", Files.readString(target));
        assertFalse(Files.exists(temporary));
        try (var files = Files.list(tmp.getRoot().toPath())) {
            assertEquals(1, files.count());
        }
    }

    /** dmtcp_restart and dmtcp_inspect of what is not an image file say what it is. */
    @Test
    public void aDirectoryADeviceAndAFifoAreNamedForWhatTheyAre() throws Exception {
        assertRefused(tmp.getRoot().toPath(), CODECS, "is a directory, not an image file");
        assertRefused(Path.of("/dev/null"), CODECS, "is a character device, not an image file");
        Path fifo = tmp.getRoot().toPath().resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertRefused(fifo, CODECS, "is a FIFO, not an image file"); // and is not opened: that would block
    }

    /**
     * A codec's own error (the parallel gzip reader's "corrupt gzip member", a plain
     * IOException) names the image and where, as the JDK's ZipException does.
     */
    @Test
    public void aCodecsErrorNamesTheImage() throws IOException {
        Path gz = write("gz.dmtcp", GZIP);
        StreamCodec failing = new StreamCodec() {
            @Override
            public String name() {
                return "gzip";
            }

            @Override
            public java.io.OutputStream encode(java.io.OutputStream out) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.io.InputStream decode(java.io.InputStream in) throws IOException {
                java.io.InputStream d = GZIP.decode(in);
                return new java.io.FilterInputStream(d) {
                    private long n;

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if ((n += len) > (1 << 20)) {
                            throw new IOException("corrupt gzip member: CRC32 or size in the trailer does not match");
                        }
                        return super.read(b, off, len);
                    }
                };
            }
        };
        try {
            ImageReader.verify(gz, Map.of("gzip", failing));
            fail("accepted");
        } catch (ImageException e) {
            assertTrue(e.getMessage(), e.getMessage().matches(java.util.regex.Pattern.quote(gz.toString())
                    + ": the gzip stream is corrupt at or after byte \\d+ of the image \\(corrupt gzip member: CRC32 .*\\)"));
        }
    }

    /** An inventory that does not count what the image holds (a record dropped and the trailer redone) is refused. */
    @Test
    public void anInventoryThatMiscountsIsRefused() throws IOException {
        Path target = tmp.getRoot().toPath().resolve("miscount.dmtcp");
        try (ImageWriter w = ImageWriter.create(target, null)) {
            w.json(ImageFormat.TAG_PROCESS, new JsonObject());
            w.pages(0x1000, ByteBuffer.wrap(new byte[4096]));
            JsonObject lie = new JsonObject();
            JsonObject records = new JsonObject();
            JsonObject pages = new JsonObject();
            pages.addProperty("records", 2);
            pages.addProperty("bytes", 8208);
            records.add("PAGE", pages);
            lie.add("records", records);
            w.finish(lie); // extra members replace the writer's own count
            w.commit();
        }
        assertRefused(target, CODECS, "the inventory lists 2 PAGE records of 8208 bytes but the image holds 1 of 4104 bytes");
    }

    private static void assertRefused(Path p, Map<String, StreamCodec> codecs, String why) throws IOException {
        try {
            ImageReader.verify(p, codecs);
            fail(p + " accepted");
        } catch (ImageException e) {
            assertEquals(p + ": " + why, e.getMessage().substring(0, Math.min(e.getMessage().length(), (p + ": " + why).length())));
        }
    }
}
