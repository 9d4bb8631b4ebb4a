package dmtcp.core.barrier.protocol;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
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
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Both sides of the handshake over a real loopback connection, with right, wrong and no keys. */
public class HandshakeTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private ServerSocket listener;
    private UserKey key;
    private UserKey otherKey;

    @Before
    public void setUp() throws Exception {
        listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        key = UserKey.loadOrCreate(tmp.getRoot().toPath().resolve("mine/key"));
        otherKey = UserKey.loadOrCreate(tmp.getRoot().toPath().resolve("theirs/key"));
    }

    @After
    public void tearDown() throws IOException {
        listener.close();
    }

    /** Accepts one connection and runs {@code side} on it in the background. */
    private <T> CompletableFuture<T> serve(IoFunction<LineChannel, T> side) {
        return CompletableFuture.supplyAsync(() -> {
            try (LineChannel ch = new LineChannel(listener.accept())) {
                return side.apply(ch);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    interface IoFunction<A, B> {
        B apply(A a) throws IOException;
    }

    /** The coordinator's side of a handshake the client passes. */
    private void authenticate(LineChannel ch, UserKey k) throws IOException {
        Handshake.Server hs = new Handshake.Server(k);
        ch.send(hs.challenge());
        ch.send(hs.verify(ch.receive()));
        hs.authenticate(ch);
    }

    /** The coordinator's side as CoordinatorServer runs it; returns the first message after the handshake, or null. */
    private CompletableFuture<JsonObject> coordinator(UserKey k) {
        return serve(ch -> {
            Handshake.Server hs = new Handshake.Server(k);
            ch.send(hs.challenge());
            JsonObject hello = ch.receive();
            JsonObject welcome = hs.verify(hello);
            if (welcome == null) {
                ch.send(Handshake.Server.refusal("authentication failed", Handshake.BAD_KEY));
                return null;
            }
            ch.send(welcome);
            hs.authenticate(ch);
            JsonObject first = ch.receive();
            JsonObject reply = Msg.of(Msg.RESULT);
            reply.addProperty("text", "answered " + Msg.str(first, "verb", ""));
            ch.send(reply);
            return first;
        });
    }

    private LineChannel client() throws IOException {
        return LineChannel.connect("127.0.0.1", listener.getLocalPort(), 2000);
    }

    private static JsonObject hello(String role) {
        JsonObject h = Msg.of(Msg.HELLO);
        h.addProperty("role", role);
        return h;
    }

    @Test
    public void theSameKeyOnBothSidesAuthenticatesAndEveryLineAfterwardsIsChecked() throws Exception {
        CompletableFuture<JsonObject> server = coordinator(key);
        try (LineChannel ch = client()) {
            JsonObject hello = hello(Msg.ROLE_COMMAND);
            Handshake.join(ch, key, hello, 5000);
            assertNotNull("the hello carried a proof", hello.get("proof"));
            assertTrue("the key itself is never sent", !hello.toString().contains(Base64.getEncoder()
                    .encodeToString(java.nio.file.Files.readAllBytes(key.file()))));
            JsonObject cmd = Msg.of(Msg.COMMAND);
            cmd.addProperty("verb", "status");
            ch.send(cmd);
            assertEquals("answered status", Msg.str(ch.receive(), "text", ""));
        }
        assertEquals("status", Msg.str(server.get(10, TimeUnit.SECONDS), "verb", ""));
    }

    @Test
    public void aClientWithAnotherKeyIsRefusedAndToldWhichKeyItUsed() throws Exception {
        CompletableFuture<JsonObject> server = coordinator(key);
        try (LineChannel ch = client()) {
            Handshake.join(ch, otherKey, hello(Msg.ROLE_COMMAND), 5000);
            fail("joined with the wrong key");
        } catch (Handshake.Refused e) {
            assertEquals("refused: authentication failed (this user's key " + otherKey.display()
                    + " is not the coordinator's)", e.getMessage());
        }
        assertNull(server.get(10, TimeUnit.SECONDS));
    }

    @Test
    public void aFakeCoordinatorCannotProveItselfSoTheClientActsOnNothing() throws Exception {
        // it speaks the protocol, without the key: a welcome with a made-up proof, then kill
        CompletableFuture<String> fake = serve(Impostor::welcomeThenKill);
        try (LineChannel ch = client()) {
            Handshake.join(ch, key, hello(Msg.ROLE_LAUNCH), 5000);
            fail("trusted a coordinator without the key");
        } catch (Handshake.NotProven e) {
            assertEquals("is not this user's coordinator: it could not prove it holds this user's key "
                    + key.display() + " (another user's coordinator, or another program on that port)", e.getMessage());
        }
        assertEquals(Msg.HELLO, fake.get(10, TimeUnit.SECONDS));
    }

    @Test
    public void aCoordinatorWithAnotherKeyIsNotTrustedEither() throws Exception {
        // the other user's real coordinator: it refuses, and its refusal is all the client learns
        CompletableFuture<JsonObject> server = coordinator(otherKey);
        try (LineChannel ch = client()) {
            Handshake.join(ch, key, hello(Msg.ROLE_LAUNCH), 5000);
            fail("joined another user's coordinator");
        } catch (Handshake.Refused e) {
            assertTrue(e.getMessage(), e.getMessage().contains("is not the coordinator's"));
        }
        assertNull(server.get(10, TimeUnit.SECONDS));
    }

    @Test
    public void aRelayInTheMiddleCanReplayNothingToTheCoordinator() throws Exception {
        // a relay between a real client and the real coordinator, sending the client's first
        // authenticated line (a command) twice: the copy is refused
        CompletableFuture<String> server = serve(ch -> {
            authenticate(ch, key);
            StringBuilder seen = new StringBuilder(Msg.str(ch.receive(), "verb", ""));
            try {
                JsonObject again = ch.receive();
                seen.append(", accepted ").append(again);
            } catch (LineChannel.ProtocolException e) {
                seen.append(", ").append(e.getMessage());
            }
            return seen.toString();
        });
        try (Relay relay = new Relay(listener.getLocalPort(), 1, null);
                LineChannel ch = LineChannel.connect("127.0.0.1", relay.port(), 2000)) {
            Handshake.join(ch, key, hello(Msg.ROLE_COMMAND), 5000);
            JsonObject cmd = Msg.of(Msg.COMMAND);
            cmd.addProperty("verb", "checkpoint");
            ch.send(cmd);
            assertEquals("checkpoint, a line whose authentication code is wrong (altered, replayed, or not from the"
                    + " holder of the key)", server.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    public void aRelayInTheMiddleCanInjectNothingToTheClient() throws Exception {
        // after relaying a genuine handshake, the relay tells the client to kill its programs
        CompletableFuture<JsonObject> server = coordinator(key);
        try (Relay relay = new Relay(listener.getLocalPort(), -1, "{\"type\":\"kill\"}");
                LineChannel ch = LineChannel.connect("127.0.0.1", relay.port(), 2000)) {
            Handshake.join(ch, key, hello(Msg.ROLE_LAUNCH), 5000);
            try {
                fail("the client read " + ch.receive());
            } catch (LineChannel.ProtocolException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("a line without its authentication code"));
            }
        }
        server.cancel(true);
    }

    @Test
    public void aPlainLineAfterTheHandshakeIsRefused() throws Exception {
        CompletableFuture<String> server = serve(ch -> {
            authenticate(ch, key);
            try {
                return "accepted " + ch.receive();
            } catch (LineChannel.ProtocolException e) {
                return e.getMessage();
            }
        });
        Socket raw = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        try (LineChannel ch = new LineChannel(raw)) {
            Handshake.join(ch, key, hello(Msg.ROLE_COMMAND), 5000);
            OutputStream out = raw.getOutputStream();
            out.write("{\"type\":\"command\",\"verb\":\"kill\"}\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertTrue(server.get(10, TimeUnit.SECONDS), server.get().startsWith("a line without its authentication code"));
        }
    }

    /**
     * A man in the middle on loopback: forwards lines both ways, sends client line number
     * {@code repeat} twice, and after the coordinator's welcome (its second line) writes
     * {@code inject} to the client.
     */
    private static final class Relay implements AutoCloseable {
        private final ServerSocket in = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final java.util.List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

        Relay(int target, int repeat, String inject) throws IOException {
            Thread t = new Thread(() -> {
                try {
                    Socket client = in.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(client);
                    sockets.add(server);
                    Thread up = new Thread(() -> copy(client, server, repeat, null));
                    up.setDaemon(true);
                    up.start();
                    copy(server, client, -1, inject);
                } catch (IOException ignored) {
                    // the test ended
                }
            });
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return in.getLocalPort();
        }

        private static void copy(Socket from, Socket to, int repeat, String inject) {
            try {
                java.io.InputStream r = from.getInputStream();
                OutputStream w = to.getOutputStream();
                java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
                int n = 0;
                for (int b; (b = r.read()) >= 0;) {
                    line.write(b);
                    if (b == '\n') {
                        w.write(line.toByteArray());
                        if (n == repeat) {
                            w.write(line.toByteArray());
                        }
                        if (n == 1 && inject != null) {
                            w.write((inject + "\n").getBytes(StandardCharsets.UTF_8));
                        }
                        w.flush();
                        line.reset();
                        n++;
                    }
                }
            } catch (IOException ignored) {
                // one side closed
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
