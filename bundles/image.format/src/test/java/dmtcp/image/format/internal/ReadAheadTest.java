package dmtcp.image.format.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.Test;

public class ReadAheadTest {

    @Test
    public void givesTheSameBytesWhateverTheReadSizes() throws Exception {
        Random rnd = new Random(7);
        for (int size : new int[] {0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 7 * (1 << 20) / 2}) {
            byte[] data = new byte[size];
            rnd.nextBytes(data);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try (ReadAhead in = new ReadAhead(new ByteArrayInputStream(data), "test")) {
                byte[] buf = new byte[70_000];
                for (int n; (n = in.read(buf, 0, 1 + rnd.nextInt(buf.length))) >= 0;) {
                    got.write(buf, 0, n);
                    int one = in.read();
                    if (one >= 0) {
                        got.write(one);
                    }
                }
                assertEquals(-1, in.read());
            }
            assertArrayEquals("size " + size, data, got.toByteArray());
        }
    }

    @Test
    public void aReadErrorReachesTheReaderAfterTheBytesBeforeIt() throws Exception {
        InputStream failing = new InputStream() {
            int left = 3 << 20;

            @Override
            public int read() throws IOException {
                if (left-- > 0) {
                    return 1;
                }
                throw new IOException("disk on fire");
            }
        };
        try (ReadAhead in = new ReadAhead(failing, "test")) {
            long n = 0;
            try {
                while (in.read() >= 0) {
                    n++;
                }
                fail("no error after " + n + " bytes");
            } catch (IOException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("disk on fire"));
                assertEquals(3 << 20, n);
            }
        }
    }

    @Test
    public void closingEndsTheThreadEvenWhenNobodyReads() throws Exception {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return len;
            }
        };
        ReadAhead in = new ReadAhead(endless, "endless");
        in.read();
        in.close();
        long deadline = System.currentTimeMillis() + 5000;
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("dmtcp-read-ahead endless"))) {
            assertTrue("the read-ahead thread ended", System.currentTimeMillis() < deadline);
            Thread.sleep(10);
        }
    }
}
