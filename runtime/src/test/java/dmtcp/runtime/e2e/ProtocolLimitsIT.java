package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dmtcp.core.barrier.protocol.Handshake;
import dmtcp.core.barrier.protocol.LineChannel;
import dmtcp.core.barrier.protocol.Msg;
import dmtcp.core.barrier.protocol.UserKey;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Hostile and broken clients while a real computation keeps checkpointing: a C program
 * under dmtcp_checkpoint is checkpointed round after round while one client sends a
 * malformed hello, another a line of hundreds of MB without a newline (the coordinator's
 * memory stays bounded), and a third authenticates as a participant speaking for pid 1 and
 * then never answers (one round aborts for it, it is dropped, the next ones succeed).
 */
public class ProtocolLimitsIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    /** VmRSS of a process in KiB, from /proc/PID/status. */
    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no VmRSS for " + pid);
    }

    @Test
    public void roundsGoOnThroughAMalformedHelloAnEndlessLineAndASilentParticipant() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        // the tools and this test share a key of the test's own (DMTCP_KEY_FILE end to end)
        Path keyFile = tmp.getRoot().toPath().resolve("keys/key");
        t.env.put("DMTCP_KEY_FILE", keyFile.toString());
        Path counter = t.compile("counter");
        Path ticks = t.workDir.resolve("ticks");
        Tools.Coordinator coord = t.coordinator("coord", "--stage-timeout", "5");
        String p = String.valueOf(coord.port);
        UserKey key = UserKey.loadOrCreate(keyFile);
        t.start("launch", "dmtcp_checkpoint", "-p", p, "--join", counter.toString(), ticks.toString());
        Tools.waitFor("the participant", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        goodRound(t, p, ticks, 1);

        // 1. a malformed hello, with the right key: refused, no member left behind
        try (LineChannel ch = LineChannel.connect("127.0.0.1", coord.port, 5000)) {
            JsonObject hello = Msg.of(Msg.HELLO);
            hello.addProperty("role", Msg.ROLE_LAUNCH);
            hello.add("procs", JsonParser.parseString("[{\"pid\":\"1\"},{\"pid\":-7}]"));
            Handshake.join(ch, key, hello, 10_000);
            fail("a malformed hello was let in");
        } catch (Handshake.Refused e) {
            assertEquals("refused: invalid hello: field 'procs[0].pid' must be a whole number from 1 to 2147483647,"
                    + " got \"1\"", e.getMessage());
        }
        assertContains(t.status(p), "NUM_PEERS=1");
        goodRound(t, p, ticks, 1);

        // 2. a line without newline, streamed: cut off after 1 MiB, the coordinator does not grow
        long pid = coord.process.pid();
        long rssBefore = rssKiB(pid);
        long sent = 0;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), coord.port)) {
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'a');
            try {
                for (int i = 0; i < 400; i++) { // 400 MiB
                    out.write(chunk);
                    sent += chunk.length;
                }
                fail("the coordinator read 400 MiB of one line");
            } catch (IOException cutOff) {
                // the coordinator closed the connection
            }
        }
        long rssAfter = rssKiB(pid);
        assertTrue("stopped after " + (sent >> 20) + " MiB", sent < (64L << 20));
        assertTrue("the coordinator's RSS grew from " + rssBefore + " to " + rssAfter + " KiB",
                rssAfter - rssBefore < 32 * 1024);
        Tools.waitFor("the refusal logged", 10, () -> output(t).contains("): a line longer than 1 MiB"));
        goodRound(t, p, ticks, 1);

        // 3. an authenticated participant speaking for pid 1 that never answers: the next
        // round aborts after the stage timeout naming it, it is dropped, later rounds succeed
        try (LineChannel silent = LineChannel.connect("127.0.0.1", coord.port, 5000)) {
            JsonObject hello = Msg.of(Msg.HELLO);
            hello.addProperty("role", Msg.ROLE_LAUNCH);
            hello.addProperty("name", "silent");
            hello.addProperty("host", "nowhere");
            hello.add("procs", JsonParser.parseString("[{\"pid\":1,\"name\":\"init\",\"uid\":\"u1\"}]"));
            Handshake.join(silent, key, hello, 10_000);
            JsonObject admitted = silent.receive();
            assertEquals(Msg.ADMITTED, Msg.type(admitted));
            long id = Msg.num(admitted, "id", 0);
            Tools.waitFor("two participants", 10, () -> t.status(p).contains("NUM_PEERS=2"));
            Tools.Result aborted = t.run("dmtcp_command", "-p", p, "-bc");
            assertEquals(aborted.err(), 1, aborted.exit());
            assertContains(aborted.err(), "timed out after 5000 ms waiting for participant " + id + " (silent[1]@nowhere)");
            assertContains(output(t), "dropped participant " + id + " (silent[1]@nowhere): it did not answer within the"
                    + " stage timeout");
            assertEquals(Msg.ROUND_BEGIN, Msg.type(silent.receive()));
            assertNull("the coordinator disconnected it", silent.receive());
        }
        assertContains(t.status(p), "NUM_PEERS=1");
        goodRound(t, p, ticks, 1);
        goodRound(t, p, ticks, 1);
        t.run("dmtcp_command", "-p", p, "-k").ok();
        t.run("dmtcp_command", "-p", p, "-q").ok();
    }

    /** A blocking checkpoint succeeds with {@code n} participants, and the program keeps writing. */
    private static void goodRound(Tools t, String p, Path ticks, int n) throws Exception {
        Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc").ok();
        assertContains(bc.out(), n + " participant(s), 1 image(s)");
        int seen = Tools.lines(ticks);
        Tools.waitFor("the program to go on", 20, () -> Tools.lines(ticks) > seen + 3);
    }

    private static String output(Tools t) {
        try {
            return t.output("coord", "err");
        } catch (IOException e) {
            return "";
        }
    }

}
