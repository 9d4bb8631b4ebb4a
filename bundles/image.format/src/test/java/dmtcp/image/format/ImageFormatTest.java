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
import java.util.List;
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
        return writeChain(name, codec == null ? List.of() : List.of(codec));
    }

    private Path writeChain(String name, List<StreamCodec> chain) throws IOException {
        new Random(42).nextBytes(memory);
        Path target = tmp.getRoot().toPath().resolve(name);
        try (ImageWriter w = ImageWriter.createChain(target, chain)) {
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
                assertEquals(ImageFormat.VERSION, r.version());
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
                assertEquals(ImageFormat.VERSION, inv.get("format").getAsInt());
                assertEquals("true", inv.get("program").getAsString());
                assertEquals(2, inv.getAsJsonObject("records").getAsJsonObject("PAGE").get("records").getAsInt());
                assertEquals(codec == null ? "[]" : "[\"gzip\"]", inv.get("codecs").toString());
            }
        }
    }

    /**
     * The signature and the header, which names the codec chain, are readable as they are
     * (head -c); what follows them is the codec's own stream: a plain gzip stream for gzip.
     */
    @Test
    public void theHeaderNamesTheCodecChainAndAGzipImageIsGzipAfterIt() throws Exception {
        Path image = write("gz.dmtcp", GZIP);
        byte[] all = Files.readAllBytes(image);
        String head = new String(all, 0, 64, StandardCharsets.ISO_8859_1);
        assertEquals("DMTCP-JVM-IMAGE 2\n", head.substring(0, 18));
        assertEquals("HEAD", head.substring(18, 22));
        int length = (int) ByteBuffer.wrap(all, 22, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals("{\"codecs\":[\"gzip\"]}", new String(all, 30, length, StandardCharsets.UTF_8));
        int container = 30 + length + 4;
        Process p = new ProcessBuilder("sh", "-c", "tail -c +" + (container + 1) + " '" + image + "' | gzip -dc | head -c 4").start();
        assertEquals("PROC", new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        assertEquals(0, p.waitFor());
        byte[] raw = Files.readAllBytes(write("raw.dmtcp", null));
        assertEquals("{\"codecs\":[]}", new String(raw, 30, (int) ByteBuffer.wrap(raw, 22, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getLong(), StandardCharsets.UTF_8));
    }

    /** The PROC and first PAGE records of {@link #write}'s image read back, the rest checked to the end. */
    private void readsAsWritten(ImageReader r) throws IOException {
        assertEquals(4711, r.next().json().get("pid").getAsInt());
        ImageReader.Record p1 = r.next();
        byte[] got = new byte[p1.data().remaining()];
        p1.data().get(got);
        assertArrayEquals(java.util.Arrays.copyOfRange(memory, 0, 1 << 20), got);
        while (r.next() != null) {
            // checked
        }
    }

    /** A codec of the test's, named {@code name}, its streams made by the two functions. */
    static StreamCodec codec(String name, java.util.function.UnaryOperator<java.io.OutputStream> encode,
            java.util.function.UnaryOperator<java.io.InputStream> decode) {
        return new StreamCodec() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public java.io.OutputStream encode(java.io.OutputStream out) {
                return encode.apply(out);
            }

            @Override
            public java.io.InputStream decode(java.io.InputStream in) {
                return decode.apply(in);
            }
        };
    }

    /** A codec standing in for one that is not gzip: each byte XORed with a constant. */
    static StreamCodec xor(String name) {
        return codec(name, out -> new java.io.FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b ^ 0x5a);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                byte[] x = new byte[len];
                for (int i = 0; i < len; i++) {
                    x[i] = (byte) (b[off + i] ^ 0x5a);
                }
                out.write(x);
            }
        }, in -> new java.io.FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = in.read();
                return b < 0 ? b : (b ^ 0x5a);
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                for (int i = 0; i < n; i++) {
                    b[off + i] ^= 0x5a;
                }
                return n;
            }
        });
    }

    /**
     * A chain of two codecs: the first named is applied first, so the file holds the last one's
     * stream (gzip here); the reader finds both by name, in the services it is given.
     */
    @Test
    public void aChainOfCodecsIsAppliedInOrderAndLookedUpByName() throws IOException {
        StreamCodec x = xor("xor");
        Path image = writeChain("chain.dmtcp", List.of(x, GZIP));
        byte[] all = Files.readAllBytes(image);
        assertEquals("{\"codecs\":[\"xor\",\"gzip\"]}", new String(all, 30, 25, StandardCharsets.UTF_8));
        assertEquals("the outermost stream is gzip", ImageFormat.GZIP_MAGIC, (all[59] & 0xff) | (all[60] & 0xff) << 8);
        try (ImageReader r = ImageReader.open(image, Map.of("gzip", GZIP, "xor", x))) {
            assertEquals("xor+gzip", r.codec());
            assertEquals(List.of("xor", "gzip"), r.codecs());
            readsAsWritten(r);
            assertEquals("[\"xor\",\"gzip\"]", r.inventory().get("codecs").toString());
            assertEquals(2, r.counts().get("PAGE").records());
        }
    }

    /** A codec the header names that is not installed is refused in one line naming it, before any record is read. */
    @Test
    public void anUnknownCodecInTheChainIsRefusedNamingIt() throws IOException {
        Path image = writeChain("zstd.dmtcp", List.of(xor("zstd")));
        assertRefused(image, CODECS, "encoded with codec \"zstd\", which is not installed (installed: gzip)");
        try {
            ImageReader.open(image, CODECS).close();
            fail("opened");
        } catch (ImageException e) {
            assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
        }
        assertRefused(write("gz.dmtcp", GZIP), Map.of(), "encoded with codec \"gzip\", which is not installed (installed: none)");
    }

    /** The header is checked as a record is: its checksum, and its chain against the inventory's. */
    @Test
    public void aCorruptOrSwappedHeaderIsRefused() throws IOException {
        Path raw = write("raw.dmtcp", null);
        byte[] all = Files.readAllBytes(raw);
        Path bad = tmp.getRoot().toPath().resolve("bad-header.dmtcp");
        byte[] flipped = all.clone();
        flipped[32] ^= 0x01; // inside {"codecs":[]}
        Files.write(bad, flipped);
        assertRefused(bad, CODECS, "its header (HEAD record at byte 18) fails its checksum: the image is corrupt");
        byte[] wrongTag = all.clone();
        wrongTag[18] = 'X';
        Files.write(bad, wrongTag);
        assertRefused(bad, CODECS, "its header at byte 18 is corrupt (tag 'XEAD', length 13; a HEAD record was expected)");

        // a header naming a codec the image was not written with (its checksum made right): the inventory tells
        byte[] payload = "{\"codecs\":[\"ident\"]}".getBytes(StandardCharsets.UTF_8);
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(payload);
        ByteBuffer h = ByteBuffer.allocate(18 + 16 + payload.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.put(all, 0, 18).put("HEAD".getBytes(StandardCharsets.US_ASCII)).putLong(payload.length).put(payload).putInt((int) c.getValue());
        int container = 18 + 16 + 13;
        byte[] swapped = new byte[h.capacity() + all.length - container];
        System.arraycopy(h.array(), 0, swapped, 0, h.capacity());
        System.arraycopy(all, container, swapped, h.capacity(), all.length - container);
        Files.write(bad, swapped);
        StreamCodec ident = codec("ident", out -> out, in -> in);
        assertRefused(bad, Map.of("ident", ident), "the inventory names the codecs [] but the header [ident]: the image is corrupt");
    }

    /** Images of format version 1 (no header; compressed = a gzip stream, known by its magic) are still read. */
    @Test
    public void version1ImagesRawAndGzipAreStillRead() throws IOException {
        for (boolean gz : new boolean[] {false, true}) {
            Path v2 = write(gz ? "v2-for-gz.dmtcp" : "v2-for-raw.dmtcp", null);
            Path v1 = tmp.getRoot().toPath().resolve(gz ? "v1-gz.dmtcp" : "v1-raw.dmtcp");
            Version1Images.convert(v2, v1, gz, CODECS, p -> p);
            if (gz) {
                assertEquals(ImageFormat.GZIP_MAGIC, (Files.readAllBytes(v1)[0] & 0xff) | (Files.readAllBytes(v1)[1] & 0xff) << 8);
            } else {
                assertEquals("DMTCP-JVM-IMAGE 1\n", new String(Files.readAllBytes(v1), 0, 18, StandardCharsets.US_ASCII));
            }
            try (ImageReader r = ImageReader.open(v1, CODECS)) {
                assertEquals(1, r.version());
                assertEquals(gz ? "gzip" : "none", r.codec());
                readsAsWritten(r);
                assertEquals(1, r.inventory().get("format").getAsInt());
                assertEquals("true", r.inventory().get("program").getAsString());
            }
            if (gz) {
                assertRefused(v1, Map.of(), "gzip-compressed, but no gzip codec is installed");
            }
        }
    }

    /** Cut anywhere (in the signature, the header, a record, the inventory, the trailer): refused, never read as whole. */
    @Test
    public void everyTruncationIsDetectedAndNamed() throws IOException {
        for (StreamCodec codec : new StreamCodec[] {null, GZIP}) {
            String name = codec == null ? "raw" : "gz";
            Path image = write("whole-" + name + ".dmtcp", codec);
            assertEveryCutRefused(image, name);
            Path v1 = tmp.getRoot().toPath().resolve("whole-v1-" + name + ".dmtcp");
            Version1Images.convert(image, v1, codec != null, CODECS, p -> p);
            assertEveryCutRefused(v1, "version 1 " + name);
        }
    }

    private void assertEveryCutRefused(Path image, String what) throws IOException {
        byte[] all = Files.readAllBytes(image);
        Path cut = tmp.getRoot().toPath().resolve("cut.dmtcp");
        for (int len : new int[] {1, 5, 18, 30, 47, 100, all.length / 3, all.length / 2, all.length - 40, all.length - 1}) {
            Files.write(cut, java.util.Arrays.copyOf(all, len));
            try {
                ImageReader.verify(cut, CODECS);
                fail(what + " image cut to " + len + " of " + all.length + " bytes was accepted");
            } catch (ImageException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith(cut.toString() + ": "));
                assertTrue(e.getMessage(), e.getMessage().matches(
                        ".*(truncated|did not finish|not a DMTCP image|corrupt|empty file|checksum).*"));
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
        Path v3 = tmp.getRoot().toPath().resolve("v3.dmtcp");
        Files.writeString(v3, "DMTCP-JVM-IMAGE 3\nwhatever");
        assertRefused(v3, CODECS, "format version 3 is not one this DMTCP reads (versions 1 to 2)");
        Path gz = write("gz.dmtcp", GZIP);
        assertRefused(gz, Map.of(), "encoded with codec \"gzip\", which is not installed (installed: none)");
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
