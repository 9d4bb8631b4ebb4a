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

    /** Protocol version sent in every hello; a coordinator refuses others. */
    public static final int VERSION = 1;

    // participant or client -> coordinator
    public static final String HELLO = "hello";
    public static final String PLAN = "plan";
    public static final String STAGE_DONE = "stage-done";
    public static final String BARRIER = "barrier";
    public static final String PUBLISH = "publish";
    public static final String QUERY = "query";
    public static final String PROCS = "procs";
    public static final String COMMAND = "command";

    // coordinator -> participant or client
    public static final String WELCOME = "welcome";
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

    public static String str(JsonObject o, String key, String dflt) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? dflt : e.getAsString();
    }

    public static long num(JsonObject o, String key, long dflt) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? dflt : e.getAsLong();
    }

    public static boolean bool(JsonObject o, String key, boolean dflt) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? dflt : e.getAsBoolean();
    }

    public static List<String> strings(JsonObject o, String key) {
        List<String> out = new ArrayList<>();
        JsonElement e = o.get(key);
        if (e != null && e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                out.add(x.getAsString());
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
