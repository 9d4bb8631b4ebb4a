package dmtcp.core.barrier.protocol;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** What a reading LineChannel accepts from a peer that does not play by the rules. */
public class LineChannelTest {
    private ServerSocket listener;
    private Socket writer;
    private LineChannel reader;

    @Before
    public void connect() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        writer = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        reader = new LineChannel(listener.accept());
    }

    @After
    public void close() throws IOException {
        reader.close();
        writer.close();
        listener.close();
    }

    private void write(String s) throws IOException {
        writer.getOutputStream().write(s.getBytes(StandardCharsets.UTF_8));
        writer.getOutputStream().flush();
    }

    private String refusal() throws IOException {
        try {
            JsonObject m = reader.receive();
            fail("accepted " + m);
        } catch (LineChannel.ProtocolException e) {
            return e.getMessage();
        }
        return null;
    }

    @Test
    public void linesUpToTheLimitAreRead() throws IOException {
        String big = "x".repeat(LineChannel.MAX_LINE - 20);
        write("{\"type\":\"a\"}\n{\"type\":\"b\",\"v\":\"" + big + "\"}\n");
        assertEquals("a", Msg.type(reader.receive()));
        assertEquals(big, Msg.str(reader.receive(), "v", ""));
        writer.shutdownOutput();
        assertNull(reader.receive());
    }

    @Test
    public void anEndlessLineIsCutOffAfterTheLimitWithoutReadingTheRest() throws Exception {
        // the writer streams 200 MiB with no newline; the reader gives up after 1 MiB
        AtomicLong sent = new AtomicLong();
        CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
            byte[] chunk = new byte[64 << 10];
            Arrays.fill(chunk, (byte) 'x');
            try {
                OutputStream out = writer.getOutputStream();
                for (int i = 0; i < 3200; i++) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } catch (IOException closedByTheReader) {
                // what the test expects
            }
        });
        String m = refusal();
        assertEquals("a line longer than 1 MiB", m);
        reader.close();
        flood.get(30, TimeUnit.SECONDS);
        assertTrue("the writer was stopped long before its 200 MiB: " + sent.get(), sent.get() < (64L << 20));
    }

    @Test
    public void aLineThatIsNotAJsonObjectIsAProtocolError() throws IOException {
        write("hello there\n");
        assertTrue(refusal().startsWith("not a protocol message: hello there"));
        write("[1,2]\n");
        assertTrue(refusal().startsWith("not a protocol message"));
        write("[".repeat(200_000) + "\n");
        assertTrue("deep nesting is refused, not a stack overflow", refusal().startsWith("not a protocol message"));
        write("{\"type\":\"ok\"}\n");
        assertEquals("the channel reads on after a bad line", "ok", Msg.type(reader.receive()));
    }

    @Test
    public void theEndOfTheStreamInsideALineIsAnError() throws IOException {
        write("{\"type\":");
        writer.shutdownOutput();
        try {
            reader.receive();
            fail("a half line was accepted");
        } catch (java.io.EOFException expected) {
            assertEquals("the connection ended inside a line", expected.getMessage());
        }
    }
}
