package dmtcp.core.barrier.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dmtcp.core.barrier.api.RoundResult;
import dmtcp.core.barrier.protocol.Handshake;
import dmtcp.core.barrier.protocol.LineChannel;
import dmtcp.core.barrier.protocol.Msg;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Clients that break the protocol, on purpose or not, while a well-behaved participant keeps
 * checkpointing: each is refused or dropped with its reason logged, and the good one's
 * rounds go on (doc/barrier-protocol.md, "Limits").
 */
public class ProtocolLimitsTest {
    private static final List<String> ROUND = List.of("suspend", "electLeaders", "drain", "checkpoint", "refill", "resume");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Harness h;
    private final List<String> calls = new CopyOnWriteArrayList<>();

    @Before
    public void setUp() throws Exception {
        h = new Harness(tmp.getRoot().toPath(), 20_000, 0);
        h.join("good", new Harness.Recorder("good", calls));
    }

    @After
    public void tearDown() {
        h.close();
    }

    /** A round with the good participant succeeds and it went through every stage. */
    private void goodRoundSucceeds(int participants) throws Exception {
        calls.clear();
        RoundResult r = h.server.checkpoint().get(30, TimeUnit.SECONDS);
        assertTrue(r.message(), r.ok());
        assertTrue(r.message(), r.message().contains(participants + " participant(s)"));
        assertEquals(ROUND, calls.stream().map(c -> c.substring("good:".length())).toList());
    }

    private void awaitLog(String what) throws InterruptedException {
        waitFor("the log to say " + what + "; log: " + h.log, () -> h.log.stream().anyMatch(l -> l.contains(what)));
    }

    /** The refusal of an authenticated client's hello. */
    private String refusal(JsonObject hello) throws IOException {
        try {
            h.raw(hello);
        } catch (Handshake.Refused e) {
            return e.getMessage();
        }
        throw new AssertionError("admitted " + hello);
    }

    private static JsonObject admitted(LineChannel ch) throws IOException {
        JsonObject a = ch.receive();
        assertEquals(a.toString(), Msg.ADMITTED, Msg.type(a));
        return a;
    }

    @Test
    public void aMalformedHelloIsRefusedAndLeavesNoGhostBehind() throws Exception {
        // today's main admitted this one (and threw in the engine while logging it): a member
        // no one answers for, which wedged every later round
        JsonObject hello = Harness.hello("ghost");
        JsonArray procs = new JsonArray();
        procs.add("not a process");
        hello.add("procs", procs);
        assertEquals("refused: invalid hello: field 'procs[0]' must be a process object, got \"not a process\"",
                refusal(hello));
        awaitLog("(local user " + LocalPeers.userName(dmtcp.core.barrier.protocol.UserKey.currentUid())
                + ", uid " + dmtcp.core.barrier.protocol.UserKey.currentUid() + "): invalid hello from this user: field 'procs[0]' must be a process object");
        // a process list naming pid 0, or a pid that is a string, is refused the same way
        JsonObject zero = Harness.hello("zero");
        zero.add("procs", com.google.gson.JsonParser.parseString("[{\"pid\":0,\"name\":\"init?\"}]"));
        assertTrue(refusal(zero).contains("field 'procs[0].pid' must be a whole number from 1 to 2147483647, got 0"));
        assertEquals(1, h.server.engine().size());
        goodRoundSucceeds(1);
    }

    @Test
    public void aParticipantSendingAnInvalidMessageIsDroppedAndTheOthersGoOn() throws Exception {
        LineChannel bad = h.raw(Harness.hello("bad"));
        int id = (int) Msg.num(admitted(bad), "id", 0);
        JsonObject procs = Msg.of(Msg.PROCS);
        procs.add("procs", com.google.gson.JsonParser.parseString("[{\"pid\":-3}]"));
        bad.send(procs);
        assertNull("the coordinator closed its connection", bad.receive());
        awaitLog("dropped participant " + id + " (bad@testhost): it broke the protocol: procs: field 'procs[0].pid'"
                + " must be a whole number from 1 to 2147483647, got -3");
        waitFor("the bad participant to be gone", () -> h.server.engine().size() == 1);
        goodRoundSucceeds(1);
    }

    @Test
    public void aParticipantThatNeverAnswersIsDroppedAtTheStageTimeoutAndLaterRoundsSucceed() throws Exception {
        LineChannel silent = h.raw(Harness.hello("silent"));
        int id = (int) Msg.num(admitted(silent), "id", 0);
        h.server.engine().setStageTimeoutMillis(3000); // ample for the good one, even on a loaded machine
        RoundResult r = h.server.checkpoint().get(30, TimeUnit.SECONDS);
        assertFalse(r.ok());
        assertTrue(r.message(), r.message().contains("round start of round 1 timed out after 3000 ms waiting for participant "
                + id + " (silent@testhost)"));
        assertTrue(h.log.toString(), h.log.contains("WARN dropped participant " + id
                + " (silent@testhost): it did not answer within the stage timeout"));
        assertEquals(Msg.ROUND_BEGIN, Msg.type(silent.receive()));
        assertNull("disconnected", silent.receive());
        waitFor("the good participant to resume", () -> calls.contains("good:resume"));
        h.server.engine().setStageTimeoutMillis(20_000);
        goodRoundSucceeds(1);
        goodRoundSucceeds(1);
    }

    @Test
    public void aSubBarrierOutsideThePlanDropsTheParticipant() throws Exception {
        LineChannel bad = h.raw(Harness.hello("barrier"));
        int id = (int) Msg.num(admitted(bad), "id", 0);
        CompletableFuture<RoundResult> round = h.server.checkpoint();
        JsonObject begin = bad.receive();
        JsonObject plan = Msg.of(Msg.PLAN);
        plan.addProperty("round", Msg.num(begin, "round", 0));
        plan.add("barriers", new JsonArray());
        bad.send(plan);
        JsonObject stage = bad.receive();
        assertEquals("SUSPENDED", Msg.str(stage, "stage", ""));
        JsonObject b = Msg.of(Msg.BARRIER);
        b.addProperty("round", Msg.num(begin, "round", 0));
        b.addProperty("name", "undeclared:X");
        bad.send(b);
        RoundResult r = round.get(30, TimeUnit.SECONDS);
        assertFalse(r.ok());
        assertTrue(r.message(), r.message().contains("participant " + id + " (barrier@testhost) was dropped during stage"
                + " SUSPENDED of round 1: it waits at sub-barrier 'undeclared:X', which its plan did not declare"));
        waitFor("the good participant to resume", () -> calls.contains("good:resume"));
        goodRoundSucceeds(1);
    }

    @Test
    public void handshakesAreBoundedInNumberAndTime() throws Exception {
        h.server.setHandshakeMillis(60_000);
        List<LineChannel> idle = new ArrayList<>();
        for (int i = 0; i < CoordinatorServer.MAX_HANDSHAKES; i++) {
            LineChannel ch = LineChannel.connect("127.0.0.1", h.server.port(), 2000);
            idle.add(ch);
            assertEquals("counted once its challenge came", Msg.CHALLENGE, Msg.type(ch.receive()));
        }
        try (LineChannel extra = LineChannel.connect("127.0.0.1", h.server.port(), 2000)) {
            Handshake.join(extra, h.key, Harness.hello("extra"), 5000);
            fail("a connection beyond the limit got in");
        } catch (Handshake.Refused e) {
            assertTrue("the client may try again", e.retry());
            assertEquals("refused: too many connections in their handshake; try again", e.getMessage());
        }
        awaitLog("more than " + CoordinatorServer.MAX_HANDSHAKES + " connections in their handshake");
        goodRoundSucceeds(1);
        idle.forEach(LineChannel::close);
        // once they are gone, others get in; and a handshake that takes too long is cut off
        h.server.setHandshakeMillis(300);
        waitFor("the idle connections to be let go", () -> {
            try (LineChannel ch = h.raw(Harness.hello("later"))) {
                return Msg.ADMITTED.equals(Msg.type(ch.receive()));
            } catch (IOException busy) {
                return false;
            }
        });
        try (LineChannel slow = LineChannel.connect("127.0.0.1", h.server.port(), 2000)) {
            assertEquals(Msg.CHALLENGE, Msg.type(slow.receive()));
            slow.setReadTimeout(20_000);
            assertNull("the coordinator closed the silent connection", slow.receive());
        }
        awaitLog("no hello within 300 ms");
    }

    @Test
    public void anEndlessLineWithoutNewlineIsCutOffAfterOneMebibyte() throws Exception {
        AtomicLong sent = new AtomicLong();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), h.server.port())) {
            byte[] chunk = new byte[64 << 10];
            Arrays.fill(chunk, (byte) '{');
            OutputStream out = s.getOutputStream();
            try {
                for (int i = 0; i < 3200; i++) { // 200 MiB
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
                fail("the coordinator read 200 MiB of one line");
            } catch (IOException cutOff) {
                assertTrue("stopped after " + sent.get() + " bytes", sent.get() < (64L << 20));
            }
        }
        awaitLog("(local user " + LocalPeers.userName(dmtcp.core.barrier.protocol.UserKey.currentUid())
                + ", uid " + dmtcp.core.barrier.protocol.UserKey.currentUid() + "): a line longer than 1 MiB");
        // and after the handshake too: a participant's endless line drops it
        LineChannel bad = h.raw(Harness.hello("endless"));
        int id = (int) Msg.num(admitted(bad), "id", 0);
        JsonObject huge = Msg.of(Msg.PUBLISH);
        huge.addProperty("key", "k");
        huge.addProperty("value", "v".repeat(LineChannel.MAX_LINE + 1));
        try {
            bad.send(huge);
        } catch (IOException cutOff) {
            // the coordinator may close before it has read it all
        }
        awaitLog("dropped participant " + id + " (endless@testhost): it broke the protocol: a line longer than 1 MiB");
        waitFor("the participant to be gone", () -> h.server.engine().size() == 1);
        goodRoundSucceeds(1);
    }

    @Test
    public void aParticipantThatStopsReadingIsDisconnectedInsteadOfBlockingTheEngine() throws Exception {
        LineChannel deaf = h.raw(Harness.hello("deaf"));
        int id = (int) Msg.num(admitted(deaf), "id", 0);
        JsonObject pub = Msg.of(Msg.PUBLISH);
        pub.addProperty("key", "big");
        pub.addProperty("value", "v".repeat(512 << 10));
        deaf.send(pub);
        // 100 queries whose 512 KiB answers it never reads: 50 MiB, more than the socket
        // buffers and the coordinator's per-connection limit together
        for (int i = 0; i < 100; i++) {
            JsonObject q = Msg.of(Msg.QUERY);
            q.addProperty("req", i);
            q.addProperty("key", "big");
            try {
                deaf.send(q);
            } catch (IOException disconnected) {
                break;
            }
        }
        awaitLog("participant " + id + " (deaf@testhost) left");
        assertEquals("the engine still answers", 1, h.server.engine().size());
        goodRoundSucceeds(1);
    }

    @Test
    public void theKeyValueStoreIsBounded() throws Exception {
        LineChannel greedy = h.raw(Harness.hello("greedy"));
        int id = (int) Msg.num(admitted(greedy), "id", 0);
        String value = "v".repeat((1 << 20) - 100);
        try {
            for (int i = 0; i < 70; i++) {
                JsonObject pub = Msg.of(Msg.PUBLISH);
                pub.addProperty("key", "k" + i);
                pub.addProperty("value", value);
                greedy.send(pub);
            }
        } catch (IOException dropped) {
            // the coordinator may close before the last ones
        }
        awaitLog("dropped participant " + id + " (greedy@testhost): its publish of 'k");
        awaitLog("would grow the key/value store beyond 64 MiB");
        goodRoundSucceeds(1);
    }

    static void waitFor(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 30 s waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
