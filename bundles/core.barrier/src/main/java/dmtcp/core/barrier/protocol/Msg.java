package dmtcp.core.barrier.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Message types and field names of the coordinator protocol, and small helpers to
 * build and read them. doc/barrier-protocol.md describes each exchange.
 */
public final class Msg {
    private Msg() {}

    /**
     * Protocol version, in the coordinator's challenge and every hello; either side refuses
     * others. 2: the authenticated handshake and authenticated lines (doc/security.md).
     */
    public static final int VERSION = 2;

    // coordinator -> any connection, first
    public static final String CHALLENGE = "challenge";

    // participant or client -> coordinator
    public static final String HELLO = "hello";
    public static final String PLAN = "plan";
    public static final String STAGE_DONE = "stage-done";
    public static final String BARRIER = "barrier";
    public static final String PUBLISH = "publish";
    public static final String QUERY = "query";
    public static final String PROCS = "procs";
    /**
     * A participant's progress in a long stage (round, done and total bytes); and, to a
     * dmtcp_command waiting for a round (-bc), the coordinator's summary of it (text, data)
     * before the result.
     */
    public static final String PROGRESS = "progress";
    public static final String COMMAND = "command";

    // coordinator -> participant or client
    /** The answer to a hello whose proof verified; carries the coordinator's proof. */
    public static final String WELCOME = "welcome";
    /** A participant is let into the computation (after welcome): its id, and the round it waits for. */
    public static final String ADMITTED = "admitted";
    public static final String REFUSED = "refused";
    public static final String ROUND_BEGIN = "round-begin";
    public static final String STAGE = "stage";
    public static final String RELEASE = "release";
    public static final String REPLY = "reply";
    public static final String ABORT = "abort";
    public static final String ROUND_END = "round-end";
    public static final String KILL = "kill";
    public static final String RESULT = "result";

    // roles in hello
    public static final String ROLE_LAUNCH = "launch";
    public static final String ROLE_RESTART = "restart";
    public static final String ROLE_COMMAND = "command";
    /**
     * A launcher about to spawn its program: the connection stays open, saying "I am about to
     * join", until its participant joined (its hello carries the same {@code announce} token)
     * or the launcher went away. A checkpoint asked for meanwhile waits for it.
     */
    public static final String ROLE_ANNOUNCE = "announce";

    // command verbs
    public static final String CMD_STATUS = "status";
    public static final String CMD_LIST = "list";
    public static final String CMD_CHECKPOINT = "checkpoint";
    public static final String CMD_BCHECKPOINT = "bcheckpoint";
    public static final String CMD_KILL = "kill";
    public static final String CMD_QUIT = "quit";
    public static final String CMD_INTERVAL = "interval";

    public static JsonObject of(String type) {
        JsonObject o = new JsonObject();
        o.addProperty("type", type);
        return o;
    }

    public static String type(JsonObject o) {
        return str(o, "type", "");
    }

    // The readers below never throw: a field of another type reads as the default (the
    // coordinator validates every message against its schema before it reads one,
    // internal.Schema; a client reads these from a peer it may not trust yet).

    public static String str(JsonObject o, String key, String dflt) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : dflt;
    }

    public static long num(JsonObject o, String key, long dflt) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsLong() : dflt;
    }

    public static boolean bool(JsonObject o, String key, boolean dflt) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() ? e.getAsBoolean() : dflt;
    }

    public static List<String> strings(JsonObject o, String key) {
        List<String> out = new ArrayList<>();
        JsonElement e = o.get(key);
        if (e != null && e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                if (x.isJsonPrimitive() && x.getAsJsonPrimitive().isString()) {
                    out.add(x.getAsString());
                }
            }
        }
        return out;
    }

    public static JsonArray array(Iterable<String> values) {
        JsonArray a = new JsonArray();
        for (String v : values) {
            a.add(v);
        }
        return a;
    }
}
