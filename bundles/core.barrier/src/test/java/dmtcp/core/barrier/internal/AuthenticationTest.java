package dmtcp.core.barrier.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonObject;
import dmtcp.core.barrier.protocol.Handshake;
import dmtcp.core.barrier.protocol.Impostor;
import dmtcp.core.barrier.protocol.LineChannel;
import dmtcp.core.barrier.protocol.Msg;
import dmtcp.core.barrier.protocol.UserKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The coordinator lets in only holders of the key, and participants obey only a coordinator that holds it. */
public class AuthenticationTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Harness h;
    private Harness.Participant good;
    private static final String ME = "(local user " + LocalPeers.userName(UserKey.currentUid()) + ", uid "
            + UserKey.currentUid() + ")";

    @Before
    public void setUp() throws Exception {
        h = new Harness(tmp.getRoot().toPath(), 20_000, 0);
        good = h.join("good");
    }

    @After
    public void tearDown() {
        h.close();
    }

    @Test
    public void aClientWithAnotherKeyIsRefusedAndTheCoordinatorLogsWhoItWas() throws Exception {
        UserKey other = UserKey.loadOrCreate(tmp.getRoot().toPath().resolve("other/key"));
        try (LineChannel ch = LineChannel.connect("127.0.0.1", h.server.port(), 2000)) {
            JsonObject hello = Msg.of(Msg.HELLO);
            hello.addProperty("role", Msg.ROLE_COMMAND);
            int port = ch.localAddress().getPort();
            try {
                Handshake.join(ch, other, hello, 5000);
                fail("a client with another key got in");
            } catch (Handshake.Refused e) {
                assertTrue(e.getMessage(), e.getMessage().endsWith("is not the coordinator's)"));
            }
            assertTrue(h.log.toString(), h.log.contains("WARN refused 127.0.0.1:" + port + " " + ME + ": bad key"));
        }
        assertFalse(good.killed);
        assertEquals(1, h.server.engine().size());
    }

    @Test
    public void aCommandWithoutTheHandshakeDoesNothing() throws Exception {
        try (LineChannel ch = LineChannel.connect("127.0.0.1", h.server.port(), 2000)) {
            assertEquals(Msg.CHALLENGE, Msg.type(ch.receive()));
            JsonObject kill = Msg.of(Msg.COMMAND);
            kill.addProperty("verb", Msg.CMD_KILL);
            ch.send(kill);
            JsonObject answer = ch.receive();
            assertEquals(Msg.REFUSED, Msg.type(answer));
            assertEquals("expected hello, got \"command\"", Msg.str(answer, "reason", ""));
            assertNull(ch.receive());
        }
        // nor does a hello of the old, unauthenticated protocol
        try (LineChannel ch = LineChannel.connect("127.0.0.1", h.server.port(), 2000)) {
            ch.receive();
            JsonObject hello = Msg.of(Msg.HELLO);
            hello.addProperty("role", Msg.ROLE_COMMAND);
            hello.addProperty("version", 1);
            ch.send(hello);
            assertEquals("protocol version 1 is not this coordinator's (2)", Msg.str(ch.receive(), "reason", ""));
        }
        assertFalse(good.killed);
    }

    @Test
    public void aParticipantObeysNoCoordinatorThatCannotProveItHoldsTheKey() throws Exception {
        // a program on the port the launcher was told to use, speaking the protocol without the key
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> impostor = CompletableFuture.runAsync(() -> {
                try (LineChannel ch = new LineChannel(fake.accept())) {
                    Impostor.welcomeThenKill(ch);
                } catch (java.io.IOException ignored) {
                    // the participant hung up
                }
            });
            Harness.Participant victim = new Harness.Participant("victim");
            LineChannel ch = LineChannel.connect("127.0.0.1", fake.getLocalPort(), 2000);
            ParticipantSession s = new ParticipantSession(ch, List::of, victim, new LoggerlessReporter(), h.dir);
            try {
                s.open(h.key, Harness.hello("victim"), 5000);
                fail("joined an impostor");
            } catch (Handshake.NotProven e) {
                assertTrue(e.getMessage(), e.getMessage().contains("could not prove it holds this user's key"));
            } finally {
                s.close();
            }
            impostor.get(10, TimeUnit.SECONDS);
            assertFalse("the participant obeyed the impostor's kill", victim.killed);
        }
    }

    @Test
    public void thePeerOfALoopbackConnectionIsFoundInProcNetTcp() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                java.net.Socket c = new java.net.Socket(InetAddress.getLoopbackAddress(), s.getLocalPort());
                java.net.Socket a = s.accept()) {
            InetSocketAddress peer = (InetSocketAddress) a.getRemoteSocketAddress();
            InetSocketAddress us = (InetSocketAddress) a.getLocalSocketAddress();
            assertEquals(Integer.valueOf(UserKey.currentUid()), LocalPeers.uidOf(peer, us));
            assertEquals("127.0.0.1:" + c.getLocalPort() + " " + ME, LocalPeers.describe(peer, us));
            InetSocketAddress elsewhere = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 4711);
            assertEquals("192.0.2.7:4711 (not from this host)", LocalPeers.describe(elsewhere, us));
        }
    }

    @Test
    public void procNetTcpAddressesAreReadInTheHostsByteOrder() throws Exception {
        // x86 and the other little-endian hosts print 127.0.0.1 as 0100007F; ::1 as four words
        boolean little = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 7779);
        assertTrue(LocalPeers.is((little ? "0100007F" : "7F000001") + ":1E63", v4));
        assertFalse(LocalPeers.is((little ? "0100007F" : "7F000001") + ":1E64", v4));
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 80);
        assertTrue(LocalPeers.is("00000000000000000000000001000000:0050".replace("01000000", little ? "01000000" : "00000001"), v6));
        // an IPv4 client of a coordinator listening on IPv6: its mapped address is the IPv4 one
        assertTrue(LocalPeers.is((little ? "0000000000000000FFFF00000100007F" : "00000000000000000000FFFF7F000001") + ":1E63", v4));
    }

    /** A reporter for a session whose messages the test does not read. */
    private static final class LoggerlessReporter implements Reporter {
        @Override
        public void info(String message) {}

        @Override
        public void warn(String message) {}

        @Override
        public void debug(String message) {}
    }
}
