package dmtcp.mem.linux.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** {@link Pipes}: a FIFO another process holds (sh's fd 3, opened O_RDWR) peeked without being emptied, and filled. */
public class PipesTest {
    private static String joined(List<byte[]> chunks) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        chunks.forEach(b::writeBytes);
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    public void peekLeavesTheBytesWhereTheyAreAndFillAppends() throws Exception {
        Path dir = Files.createTempDirectory("pipes");
        Path fifo = dir.resolve("f");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Child c = Processes.spawn(List.of("sh", "-c", "exec 3<>" + fifo + "; printf abc >&3; printf def >&3; exec sleep 1000"));
        try {
            Path comm = Path.of("/proc", Integer.toString(c.pid()), "comm");
            long deadline = System.currentTimeMillis() + 10_000;
            while (!Files.readString(comm).trim().equals("sleep")) {
                if (System.currentTimeMillis() > deadline) {
                    fail("sh did not exec sleep");
                }
                Thread.sleep(5);
            }
            Path link = Path.of("/proc", Integer.toString(c.pid()), "fd", "3");
            assertEquals(65536, Pipes.capacity(link));
            assertEquals("abcdef", joined(Pipes.peek(link)));
            assertEquals("a second peek sees the same bytes: the first took nothing out", "abcdef", joined(Pipes.peek(link)));
            Pipes.fill(link, List.of("gh".getBytes(StandardCharsets.ISO_8859_1)), false);
            assertEquals("abcdefgh", joined(Pipes.peek(link)));
            byte[] big = new byte[65536];
            try {
                Pipes.fill(link, List.of(big), false);
                fail("64 KiB more fit in a 64 KiB pipe holding 8 bytes");
            } catch (NativeException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("write(\"" + link + "\""));
                assertEquals(11, e.errno()); // EAGAIN: a full pipe is an error, never a wait
            }
        } finally {
            c.signal(9);
            c.onExit().get(10, TimeUnit.SECONDS);
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(dir);
        }
    }
}
