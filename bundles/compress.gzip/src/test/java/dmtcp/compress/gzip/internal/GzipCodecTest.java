package dmtcp.compress.gzip.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class GzipCodecTest {
    private static final int BLOCK = 1 << 20;
    private static final int BIG = 50 << 20;
    private static GzipCodec codec;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void start() {
        codec = new GzipCodec(GzipSettings.defaults());
    }

    @AfterClass
    public static void stop() throws InterruptedException {
        codec.close();
        assertTrue("pool threads ended", codec.awaitTermination(5000));
    }

    private GzipCodec other;

    @After
    public void closeOther() {
        if (other != null) {
            other.close();
        }
    }

    static byte[] encode(GzipCodec c, byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream(data.length / 2 + 64);
        try (OutputStream out = c.encode(bos)) {
            // Uneven writes: block boundaries fall inside write calls.
            int off = 0;
            int step = 1;
            while (off < data.length) {
                int n = Math.min(data.length - off, step);
                if (n == 1) {
                    out.write(data[off]);
                } else {
                    out.write(data, off, n);
                }
                off += n;
                step = step * 7 + 3 & 0x3fffff;
            }
        }
        return bos.toByteArray();
    }

    static byte[] decode(GzipCodec c, byte[] gz) throws IOException {
        try (InputStream in = c.decode(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private void roundTrip(String what, byte[] data) throws IOException {
        byte[] gz = encode(codec, data);
        assertArrayEquals(what + " " + data.length + " bytes", data, decode(codec, gz));
    }

    private static final int[] SIZES = {0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 12345};

    @Test
    public void roundTripRandom() throws IOException {
        for (int n : SIZES) {
            roundTrip("random", TestData.random(n));
        }
    }

    @Test
    public void roundTripText() throws IOException {
        for (int n : SIZES) {
            roundTrip("text", TestData.text(n));
        }
    }

    @Test
    public void roundTripMixed() throws IOException {
        for (int n : SIZES) {
            roundTrip("mixed", TestData.mixed(n));
        }
    }

    @Test
    public void roundTrip50MB() throws IOException {
        roundTrip("random", TestData.random(BIG));
        roundTrip("text", TestData.text(BIG));
        roundTrip("mixed", TestData.mixed(BIG));
    }

    @Test
    public void emptyInputIsOneValidMember() throws Exception {
        byte[] gz = encode(codec, new byte[0]);
        assertTrue(gz.length > 0);
        assertGzipBinaryReads(gz, new byte[0]);
    }

    /** The real gzip binary accepts the output: gzip -t, and gzip -dc | cmp. */
    @Test
    public void gzipBinaryReadsOutput() throws Exception {
        for (int n : new int[] {1, BLOCK - 1, BLOCK + 1}) {
            byte[] data = TestData.mixed(n);
            assertGzipBinaryReads(encode(codec, data), data);
        }
        byte[] data = TestData.mixed(BIG);
        assertGzipBinaryReads(encode(codec, data), data);
    }

    @Test
    public void everyLevelIsValidGzip() throws Exception {
        byte[] data = TestData.mixed(3 * BLOCK + 77);
        for (int level : new int[] {0, 1, 6, 9}) {
            try (GzipCodec c = new GzipCodec(GzipSettings.defaults().withLevel(level).withBlockSize(256 << 10))) {
                byte[] gz = encode(c, data);
                assertArrayEquals("level " + level, data, decode(c, gz));
                assertGzipBinaryReads(gz, data);
                if (level == 0) {
                    assertTrue("level 0 stores", gz.length > data.length);
                }
            }
        }
    }

    /** Other gzip files decode too: several members from the gzip binary, concatenated. */
    @Test
    public void decodesGzipBinaryMultiMember() throws Exception {
        assumeTrue("gzip binary present", new File("/usr/bin/gzip").canExecute() || onPath("gzip"));
        byte[] a = TestData.text(100_000);
        byte[] b = TestData.random(70_000);
        Path fa = tmp.newFile().toPath();
        Path fb = tmp.newFile().toPath();
        Files.write(fa, a);
        Files.write(fb, b);
        Path gz = tmp.newFile().toPath();
        run("gzip -1 -c " + fa + " > " + gz + " && gzip -9 -c " + fb + " >> " + gz);
        ByteArrayOutputStream expect = new ByteArrayOutputStream();
        expect.write(a);
        expect.write(b);
        assertArrayEquals(expect.toByteArray(), decode(codec, Files.readAllBytes(gz)));
    }

    /** A source whose available() is 0 (a pipe) must not end decoding at a member boundary. */
    @Test
    public void decodeDoesNotStopAtMemberBoundaryOfPipe() throws IOException {
        byte[] data = TestData.mixed(3 * BLOCK + 5);
        byte[] gz = encode(codec, data);
        InputStream pipeLike = new FilterInputStream(new ByteArrayInputStream(gz)) {
            @Override
            public int available() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1000));
            }
        };
        try (InputStream in = codec.decode(pipeLike)) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    /** Our members, then a foreign one (GZIPOutputStream's): the rest is read sequentially. */
    @Test
    public void decodesForeignMemberAfterOurs() throws IOException {
        byte[] ours = TestData.mixed(2 * BLOCK + 17);
        byte[] theirs = TestData.text(300_000);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        gz.write(encode(codec, ours));
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(theirs);
        }
        gz.write(encode(codec, ours)); // and ours again, after the foreign member
        ByteArrayOutputStream expect = new ByteArrayOutputStream();
        expect.write(ours);
        expect.write(theirs);
        expect.write(ours);
        assertArrayEquals(expect.toByteArray(), decode(codec, gz.toByteArray()));
    }

    @Test
    public void corruptOrTruncatedMembersFailToDecode() throws IOException {
        byte[] data = TestData.mixed(3 * BLOCK);
        byte[] gz = encode(codec, data);
        byte[] flipped = gz.clone();
        flipped[gz.length / 2] ^= 0x40; // inside a member: a stored byte or deflate data
        assertDecodeFails(flipped);
        assertDecodeFails(java.util.Arrays.copyOf(gz, gz.length - 3));
        assertDecodeFails(java.util.Arrays.copyOf(gz, 30));
    }

    private static void assertDecodeFails(byte[] gz) {
        try {
            decode(codec, gz);
            fail("decoded a damaged stream");
        } catch (IOException expected) {
            assertNotNull(expected.getMessage());
        }
    }

    /** Decoding does not need the pool: after close the reader inflates members itself. */
    @Test
    public void closedCodecStillDecodes() throws IOException {
        other = new GzipCodec(GzipSettings.defaults().withThreads(2));
        byte[] data = TestData.mixed(5 * BLOCK + 1);
        byte[] gz = encode(other, data);
        InputStream in = other.decode(new ByteArrayInputStream(gz));
        byte[] first = in.readNBytes(BLOCK / 2);
        other.close();
        byte[] rest = in.readAllBytes();
        in.close();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(first);
        all.write(rest);
        assertArrayEquals(data, all.toByteArray());
        assertArrayEquals(data, decode(other, gz));
    }

    @Test
    public void flushEndsAMemberAndStaysValid() throws Exception {
        byte[] data = TestData.mixed(BLOCK + 999);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        OutputStream out = codec.encode(bos);
        out.write(data, 0, 1000);
        out.flush();
        int afterFlush = bos.size();
        assertTrue("flush wrote the first member", afterFlush > 0);
        out.write(data, 1000, data.length - 1000);
        out.close();
        assertArrayEquals(data, decode(codec, bos.toByteArray()));
        assertGzipBinaryReads(bos.toByteArray(), data);
    }

    /**
     * mem.c's 50/50 input on 2 threads beats single-threaded level-1 deflate, and its random
     * half is stored: output is about the random half plus the deflated text.
     */
    @Test
    public void fiftyFiftyIsFasterThanDeflateAndStoresRandomHalf() throws IOException {
        int n = 64 << 20;
        byte[] data = TestData.memC(n);
        other = new GzipCodec(GzipSettings.defaults().withThreads(2));
        long textDeflated = deflatedSize(TestData.text(n - n / 2), 1);

        long single = Long.MAX_VALUE;
        long parallel = Long.MAX_VALUE;
        long size = 0;
        long stored = 0;
        for (int rep = 0; rep < 3; rep++) { // best of 3: warm-up and noise
            long t0 = System.nanoTime();
            deflatedSize(data, 1);
            single = Math.min(single, System.nanoTime() - t0);
            ByteArrayOutputStream bos = new ByteArrayOutputStream(n / 2 + (4 << 20));
            t0 = System.nanoTime();
            ParallelGzipOutputStream out = (ParallelGzipOutputStream) other.encode(bos);
            out.write(data);
            out.close();
            parallel = Math.min(parallel, System.nanoTime() - t0);
            size = bos.size();
            stored = out.storedBytes();
        }
        System.out.printf("50/50 %d MB: codec %d ms, single-thread deflate -1 %d ms, %d bytes (text alone %d), "
                + "stored %d%n", n >> 20, parallel / 1_000_000, single / 1_000_000, size, textDeflated, stored);
        assertTrue("codec " + parallel + " ns not faster than deflate " + single + " ns", parallel < single);
        int random = n / 2;
        assertTrue("random half stored: " + stored, stored >= random - MemberEncoder.SEGMENT
                && stored <= random + MemberEncoder.SEGMENT);
        assertTrue("size " + size, size >= random && size <= random + textDeflated + random / 100 + 65536);
    }

    /** High-entropy bytes that repeat (a random 700-byte record, over and over) are deflated. */
    @Test
    public void repeatedRandomRecordsAreNotStored() throws IOException {
        byte[] record = TestData.random(700);
        byte[] data = new byte[4 * BLOCK];
        for (int i = 0; i < data.length; i++) {
            data[i] = record[i % record.length];
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ParallelGzipOutputStream out = (ParallelGzipOutputStream) codec.encode(bos);
        out.write(data);
        out.close();
        assertEquals("stored bytes", 0, out.storedBytes());
        assertTrue("size " + bos.size(), bos.size() < data.length / 20);
        assertArrayEquals(data, decode(codec, bos.toByteArray()));
    }

    private static long deflatedSize(byte[] data, int level) throws IOException {
        long[] count = {0};
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        Deflater d = new Deflater(level, true);
        try (DeflaterOutputStream out = new DeflaterOutputStream(sink, d, 1 << 16)) {
            out.write(data);
        } finally {
            d.end();
        }
        return count[0];
    }

    /** Throws after {@code limit} bytes, like a full disk. */
    static final class FailingOutputStream extends OutputStream {
        final long limit;
        long written;
        int closes;

        FailingOutputStream(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (written + len > limit) {
                throw new IOException("No space left on device");
            }
            written += len;
        }

        @Override
        public void close() {
            closes++;
        }
    }

    @Test
    public void writeErrorSurfacesFromWrite() throws IOException {
        FailingOutputStream sink = new FailingOutputStream(3 * BLOCK);
        OutputStream out = codec.encode(sink);
        byte[] data = TestData.random(BLOCK);
        IOException thrown = null;
        try {
            for (int i = 0; i < 64; i++) {
                out.write(data);
            }
        } catch (IOException e) {
            thrown = e;
        }
        assertNotNull("a write failed", thrown);
        assertEquals("No space left on device", thrown.getMessage());
        try {
            out.write(1);
            fail("write after a failure");
        } catch (IOException expected) {
            // the earlier failure is its cause
            assertEquals(thrown, expected.getCause());
        }
        try {
            out.close();
            fail("close after a failure must not report success");
        } catch (IOException expected) {
            assertEquals(thrown, expected.getCause());
        }
        out.close(); // idempotent: no second report
        assertEquals("underlying stream closed once", 1, sink.closes);
    }

    @Test
    public void writeErrorSurfacesFromClose() throws IOException {
        // The first member's write fails only when close writes it.
        FailingOutputStream sink = new FailingOutputStream(10);
        OutputStream out = codec.encode(sink);
        out.write(TestData.text(1000));
        try {
            out.close();
            fail("close must report the failed write");
        } catch (IOException expected) {
            assertEquals("No space left on device", expected.getMessage());
        }
        out.close();
        assertEquals(1, sink.closes);
    }

    @Test
    public void closeIsIdempotentAndWriteAfterCloseFails() throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        OutputStream out = codec.encode(bos);
        out.write(TestData.text(5000));
        out.close();
        int size = bos.size();
        out.close();
        assertEquals(size, bos.size());
        try {
            out.write(1);
            fail("write after close");
        } catch (IOException expected) {
            // expected
        }
    }

    /**
     * A closed (deactivated) codec refuses new streams, lets an open stream finish (a
     * reconfiguration must not break a checkpoint being written), then its threads end.
     */
    @Test
    public void closedCodecFinishesOpenStreamsThenLeavesNoThreads() throws Exception {
        other = new GzipCodec(GzipSettings.defaults().withThreads(3));
        byte[] data = TestData.mixed(6 * BLOCK + 3);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        OutputStream open = other.encode(bos);
        open.write(data, 0, 2 * BLOCK);
        other.close();
        try {
            other.encode(new ByteArrayOutputStream());
            fail("a closed codec opened a stream");
        } catch (IOException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("closed"));
        }
        open.write(data, 2 * BLOCK, data.length - 2 * BLOCK);
        assertFalse("pool ended while a stream was open", other.awaitTermination(100));
        open.close();
        assertArrayEquals(data, decode(codec, bos.toByteArray()));
        assertTrue("pool ended after its last stream", other.awaitTermination(5000));
        String prefix = other.threadPrefix();
        long alive = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive()).count();
        assertEquals("threads of the closed pool still alive", 0, alive);
    }

    @Test
    public void settingsAreChecked() {
        for (Runnable bad : new Runnable[] {
            () -> GzipSettings.defaults().withLevel(10),
            () -> GzipSettings.defaults().withBlockSize(100),
            () -> GzipSettings.defaults().withThreads(0)}) {
            try {
                bad.run();
                fail();
            } catch (IllegalArgumentException expected) {
                assertFalse(expected.getMessage().isEmpty());
            }
        }
    }

    private void assertGzipBinaryReads(byte[] gz, byte[] data) throws Exception {
        assumeTrue("gzip binary present", onPath("gzip"));
        Path f = tmp.newFile().toPath();
        Path raw = tmp.newFile().toPath();
        Files.write(f, gz);
        Files.write(raw, data);
        run("gzip -t < " + f);
        run("gzip -dc < " + f + " | cmp - " + raw);
        run("zcat < " + f + " | cmp - " + raw);
    }

    private static boolean onPath(String cmd) {
        try {
            return new ProcessBuilder("sh", "-c", "command -v " + cmd).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static void run(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", script).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue("timed out: " + script, p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(script + ": " + output, 0, p.exitValue());
    }
}
