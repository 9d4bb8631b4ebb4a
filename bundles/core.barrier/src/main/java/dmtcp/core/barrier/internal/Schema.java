package dmtcp.core.barrier.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dmtcp.core.barrier.api.Stage;
import dmtcp.core.barrier.protocol.Msg;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The schema of every message the coordinator receives: for each type, the fields the
 * engine reads, with their types and ranges. A message is checked here before the engine
 * sees it, so the engine never meets a missing field, a string where a number belongs, a
 * pid of 0 or a negative count (doc/barrier-protocol.md, "Limits"). Fields the engine
 * does not read are ignored.
 */
final class Schema {
    private Schema() {}

    /** What a field may hold. */
    private enum Kind {
        STRING, BOOL,
        /** a pid: 1 to 2^31-1 */
        PID,
        /** a count: 0 to 2^31-1 */
        COUNT,
        /** a round number or request id: 0 to 2^63-1 */
        NUMBER,
        /** the name of a {@link Stage} */
        STAGE,
        /** an array of strings */
        STRINGS,
        /** an array of process objects ({@link #PROC}) */
        PROCS
    }

    private record Field(String name, Kind kind, boolean required) {}

    private static Field req(String name, Kind kind) {
        return new Field(name, kind, true);
    }

    private static Field opt(String name, Kind kind) {
        return new Field(name, kind, false);
    }

    /** A process a participant speaks for. */
    private static final List<Field> PROC = List.of(req("pid", Kind.PID), opt("name", Kind.STRING),
            opt("uid", Kind.STRING));

    /** A participant's hello (version, nonce and proof are the handshake's). */
    private static final List<Field> PARTICIPANT_HELLO = List.of(opt("name", Kind.STRING), opt("host", Kind.STRING),
            opt("pid", Kind.PID), opt("procs", Kind.PROCS), opt("images", Kind.COUNT), opt("expect", Kind.COUNT),
            opt("uids", Kind.STRINGS), opt("announce", Kind.STRING));

    /** A launcher's announcement (see {@link Msg#ROLE_ANNOUNCE}). */
    private static final List<Field> ANNOUNCE_HELLO = List.of(req("announce", Kind.STRING), opt("name", Kind.STRING),
            opt("host", Kind.STRING), opt("pid", Kind.PID));

    private static final Map<String, List<Field>> PARTICIPANT = Map.of(
            Msg.PLAN, List.of(req("round", Kind.NUMBER), opt("barriers", Kind.STRINGS)),
            Msg.STAGE_DONE, List.of(req("round", Kind.NUMBER), req("stage", Kind.STAGE), req("ok", Kind.BOOL),
                    opt("error", Kind.STRING), opt("images", Kind.STRINGS)),
            Msg.BARRIER, List.of(req("round", Kind.NUMBER), req("name", Kind.STRING)),
            Msg.PUBLISH, List.of(req("key", Kind.STRING), opt("value", Kind.STRING)),
            Msg.QUERY, List.of(req("req", Kind.NUMBER), req("key", Kind.STRING)),
            Msg.PROCS, List.of(req("procs", Kind.PROCS)),
            Msg.PROGRESS, List.of(req("round", Kind.NUMBER), req("done", Kind.NUMBER), req("total", Kind.NUMBER)));

    private static final Map<String, List<Field>> COMMAND = Map.of(
            Msg.COMMAND, List.of(req("verb", Kind.STRING), opt("value", Kind.STRING)));

    static final Set<String> ROLES = Set.of(Msg.ROLE_LAUNCH, Msg.ROLE_RESTART, Msg.ROLE_COMMAND, Msg.ROLE_ANNOUNCE);

    /**
     * What the handshake needs of a hello before it checks the proof.
     *
     * @return null, or why the hello is refused
     */
    static String helloHeader(JsonObject hello) {
        if (!Msg.HELLO.equals(Msg.type(hello))) {
            return "expected hello, got " + show(hello.get("type"));
        }
        JsonElement v = hello.get("version");
        if (v == null || integer(v) == null || integer(v).longValue() != Msg.VERSION) {
            return "protocol version " + show(v) + " is not this coordinator's (" + Msg.VERSION + ")";
        }
        JsonElement role = hello.get("role");
        if (!isString(role) || !ROLES.contains(role.getAsString())) {
            return "role " + show(role) + " is not one of " + String.join(", ", ROLES.stream().sorted().toList());
        }
        return null;
    }

    /** The rest of an authenticated hello; null when it is valid. */
    static String hello(JsonObject hello) {
        String role = Msg.str(hello, "role", "");
        if (Msg.ROLE_COMMAND.equals(role)) {
            return null;
        }
        return fields("", hello, Msg.ROLE_ANNOUNCE.equals(role) ? ANNOUNCE_HELLO : PARTICIPANT_HELLO);
    }

    /** A participant's message after the handshake; null when it is valid. */
    static String participant(JsonObject m) {
        return message(m, PARTICIPANT);
    }

    /** A dmtcp_command client's message after the handshake; null when it is valid. */
    static String command(JsonObject m) {
        return message(m, COMMAND);
    }

    private static String message(JsonObject m, Map<String, List<Field>> schema) {
        JsonElement type = m.get("type");
        List<Field> fields = isString(type) ? schema.get(type.getAsString()) : null;
        if (fields == null) {
            return "message type " + show(type) + " is not one of " + String.join(", ", schema.keySet().stream().sorted().toList());
        }
        String problem = fields("", m, fields);
        return problem == null ? null : type.getAsString() + ": " + problem;
    }

    private static String fields(String prefix, JsonObject o, List<Field> fields) {
        for (Field f : fields) {
            JsonElement e = o.get(f.name());
            String where = prefix + f.name();
            if (e == null || e.isJsonNull()) {
                if (f.required()) {
                    return "field '" + where + "' is missing";
                }
                continue;
            }
            String problem = value(where, e, f.kind());
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String value(String where, JsonElement e, Kind kind) {
        switch (kind) {
            case STRING -> {
                return isString(e) ? null : "field '" + where + "' must be a string, got " + show(e);
            }
            case BOOL -> {
                return e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() ? null
                        : "field '" + where + "' must be true or false, got " + show(e);
            }
            case PID -> {
                return range(where, e, 1, Integer.MAX_VALUE);
            }
            case COUNT -> {
                return range(where, e, 0, Integer.MAX_VALUE);
            }
            case NUMBER -> {
                return range(where, e, 0, Long.MAX_VALUE);
            }
            case STAGE -> {
                if (isString(e)) {
                    for (Stage s : Stage.values()) {
                        if (s.name().equals(e.getAsString())) {
                            return null;
                        }
                    }
                }
                return "field '" + where + "' must name a stage, got " + show(e);
            }
            case STRINGS -> {
                if (!e.isJsonArray()) {
                    return "field '" + where + "' must be an array of strings, got " + show(e);
                }
                JsonArray a = e.getAsJsonArray();
                for (int i = 0; i < a.size(); i++) {
                    if (!isString(a.get(i))) {
                        return "field '" + where + "[" + i + "]' must be a string, got " + show(a.get(i));
                    }
                }
                return null;
            }
            case PROCS -> {
                if (!e.isJsonArray()) {
                    return "field '" + where + "' must be an array of processes, got " + show(e);
                }
                JsonArray a = e.getAsJsonArray();
                for (int i = 0; i < a.size(); i++) {
                    if (!a.get(i).isJsonObject()) {
                        return "field '" + where + "[" + i + "]' must be a process object, got " + show(a.get(i));
                    }
                    String problem = fields(where + "[" + i + "].", a.get(i).getAsJsonObject(), PROC);
                    if (problem != null) {
                        return problem;
                    }
                }
                return null;
            }
            default -> throw new IllegalStateException("no rule for " + kind);
        }
    }

    private static String range(String where, JsonElement e, long min, long max) {
        BigDecimal n = integer(e);
        if (n == null || n.compareTo(BigDecimal.valueOf(min)) < 0 || n.compareTo(BigDecimal.valueOf(max)) > 0) {
            return "field '" + where + "' must be a whole number from " + min + " to " + max + ", got " + show(e);
        }
        return null;
    }

    /** The value of a JSON number that is a whole number, else null. */
    private static BigDecimal integer(JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            return null;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.getAsString().length() > 24) {
            return null; // longer than any number a field may hold; BigDecimal would take long to say so
        }
        try {
            BigDecimal d = p.getAsBigDecimal();
            return d.signum() == 0 || d.stripTrailingZeros().scale() <= 0 ? d : null;
        } catch (NumberFormatException | ArithmeticException notANumber) {
            return null; // NaN, Infinity (gson reads them leniently)
        }
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    /** A value as the error shows it: JSON, at most 40 characters. */
    private static String show(JsonElement e) {
        String s = e == null ? "nothing" : e.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
