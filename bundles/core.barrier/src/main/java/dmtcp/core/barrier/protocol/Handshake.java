package dmtcp.core.barrier.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.Base64;

/**
 * The mutual authentication every connection starts with (doc/security.md):
 *
 * <pre>
 * coordinator: challenge{version, nonce: Nc}
 * client:      hello{version, role, nonce: Nk, proof: HMAC(key, "client", role, Nc, Nk), ...}
 * coordinator: welcome{proof: HMAC(key, "coordinator", role, Nc, Nk)}   or refused{reason, code}
 * then both:   every line carries HMAC(session key of its direction, sequence number, line)
 * </pre>
 *
 * Both nonces are fresh, so neither proof can be replayed; the labels differ, so neither
 * side's proof can be reflected as the other's. The client acts on nothing before it has
 * checked the coordinator's proof: a program listening on the port without the key can
 * refuse a client, never command it.
 */
public final class Handshake {
    private Handshake() {}

    private static final String DOMAIN = "dmtcp coordinator protocol v" + Msg.VERSION;
    /** {@code refused.code} when the proof did not verify. */
    public static final String BAD_KEY = "bad-key";
    /** {@code refused.code} while too many connections are in their handshake: try again. */
    public static final String BUSY = "busy";

    private static byte[] derive(UserKey key, String label, String role, byte[] coordinatorNonce, byte[] clientNonce) {
        return key.hmac(UserKey.utf8(DOMAIN), UserKey.utf8(label), UserKey.utf8(role), coordinatorNonce, clientNonce);
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    /** The bytes of a base64 field, or null when it is missing or not base64 of {@code length} bytes. */
    static byte[] bytes(JsonObject m, String field, int length) {
        JsonElement e = m.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            return null;
        }
        try {
            byte[] b = Base64.getDecoder().decode(e.getAsString());
            return b.length == length ? b : null;
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    // ------------------------------------------------------------------ client side

    /**
     * Authenticates a client: waits for the coordinator's challenge, sends {@code hello}
     * (its {@code role} set; version, nonce and proof added here), and returns once the
     * coordinator proved it holds the key too; the channel is authenticated from then on.
     *
     * @throws Refused when the coordinator said no
     * @throws NotProven when the other end does not speak the protocol or cannot prove it holds the key
     * @throws IOException when the connection breaks or times out
     */
    public static void join(LineChannel ch, UserKey key, JsonObject hello, int timeoutMillis) throws IOException {
        ch.setReadTimeout(timeoutMillis);
        JsonObject challenge;
        try {
            challenge = ch.receive();
        } catch (java.net.SocketTimeoutException e) {
            throw new NotProven("it sent no challenge within " + timeoutMillis / 1000 + " s (an older DMTCP?)");
        }
        if (challenge == null) {
            throw new NotProven("it closed the connection without a challenge");
        }
        if (Msg.REFUSED.equals(Msg.type(challenge))) {
            throw new Refused(challenge, key);
        }
        if (!Msg.CHALLENGE.equals(Msg.type(challenge))) {
            throw new NotProven("it sent " + Msg.type(challenge) + " instead of a challenge");
        }
        JsonElement version = challenge.get("version");
        if (version == null || !version.isJsonPrimitive() || !version.getAsJsonPrimitive().isNumber()
                || version.getAsDouble() != Msg.VERSION) {
            throw new NotProven("it speaks protocol version " + version + ", this is version " + Msg.VERSION);
        }
        byte[] coordinatorNonce = bytes(challenge, "nonce", UserKey.NONCE_BYTES);
        if (coordinatorNonce == null) {
            throw new NotProven("its challenge has no valid nonce");
        }
        String role = Msg.str(hello, "role", "");
        byte[] clientNonce = UserKey.randomBytes(UserKey.NONCE_BYTES);
        hello.addProperty("version", Msg.VERSION);
        hello.addProperty("nonce", b64(clientNonce));
        hello.addProperty("proof", b64(derive(key, "client", role, coordinatorNonce, clientNonce)));
        ch.send(hello);
        JsonObject answer = ch.receive();
        ch.setReadTimeout(0);
        if (answer == null) {
            throw new NotProven("it closed the connection before answering hello");
        }
        if (Msg.REFUSED.equals(Msg.type(answer))) {
            throw new Refused(answer, key);
        }
        byte[] proof = bytes(answer, "proof", 32);
        if (!Msg.WELCOME.equals(Msg.type(answer)) || proof == null
                || !UserKey.same(proof, derive(key, "coordinator", role, coordinatorNonce, clientNonce))) {
            throw new NotProven("it could not prove it holds this user's key " + key.display()
                    + " (another user's coordinator, or another program on that port)");
        }
        ch.authenticate(derive(key, "client->coordinator", role, coordinatorNonce, clientNonce),
                derive(key, "coordinator->client", role, coordinatorNonce, clientNonce));
    }

    /** The coordinator refused this client; the message says why (naming the key for a bad key). */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;
        private final String code;

        Refused(JsonObject refusal, UserKey key) {
            super("refused: " + Msg.str(refusal, "reason", "no reason given")
                    + (BAD_KEY.equals(Msg.str(refusal, "code", "")) ? " (this user's key " + key.display()
                            + " is not the coordinator's)" : ""));
            this.code = Msg.str(refusal, "code", "");
        }

        /** Whether trying again later may succeed (the coordinator was busy). */
        public boolean retry() {
            return BUSY.equals(code);
        }
    }

    /** The other end is not a coordinator holding this user's key. */
    public static final class NotProven extends IOException {
        private static final long serialVersionUID = 1L;

        NotProven(String why) {
            super("is not this user's coordinator: " + why);
        }
    }

    // ------------------------------------------------------------------ coordinator side

    /** The coordinator's half of one connection's handshake. */
    public static final class Server {
        private final UserKey key;
        private final byte[] nonce = UserKey.randomBytes(UserKey.NONCE_BYTES);
        /** The verified hello's nonce and role, which the session keys are derived from. */
        private byte[] clientNonceOf;
        private String roleOf;

        public Server(UserKey key) {
            this.key = key;
        }

        /** The first line the coordinator sends on every connection. */
        public JsonObject challenge() {
            JsonObject c = Msg.of(Msg.CHALLENGE);
            c.addProperty("version", Msg.VERSION);
            c.addProperty("nonce", b64(nonce));
            return c;
        }

        /**
         * Checks the client's proof (a constant-time comparison). Call it only on a hello
         * whose version and role were checked.
         *
         * @return the welcome to send, or null when the proof is missing or wrong
         */
        public JsonObject verify(JsonObject hello) {
            String role = Msg.str(hello, "role", "");
            byte[] clientNonce = bytes(hello, "nonce", UserKey.NONCE_BYTES);
            byte[] proof = bytes(hello, "proof", 32);
            if (clientNonce == null || proof == null
                    || !UserKey.same(proof, derive(key, "client", role, nonce, clientNonce))) {
                return null;
            }
            clientNonceOf = clientNonce;
            roleOf = role;
            JsonObject w = Msg.of(Msg.WELCOME);
            w.addProperty("proof", b64(derive(key, "coordinator", role, nonce, clientNonce)));
            return w;
        }

        /** After the welcome went out: every later line is authenticated. */
        public void authenticate(LineChannel ch) {
            if (clientNonceOf == null) {
                throw new IllegalStateException("authenticate before a verified hello");
            }
            ch.authenticate(derive(key, "coordinator->client", roleOf, nonce, clientNonceOf),
                    derive(key, "client->coordinator", roleOf, nonce, clientNonceOf));
        }

        /** A refusal, sent before authentication. */
        public static JsonObject refusal(String reason, String code) {
            JsonObject no = Msg.of(Msg.REFUSED);
            no.addProperty("reason", reason);
            if (code != null) {
                no.addProperty("code", code);
            }
            return no;
        }
    }
}
