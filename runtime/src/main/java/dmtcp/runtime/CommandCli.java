package dmtcp.runtime;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dmtcp.core.barrier.protocol.Handshake;
import dmtcp.core.barrier.protocol.LineChannel;
import dmtcp.core.barrier.protocol.Msg;
import dmtcp.core.barrier.protocol.UserKey;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * dmtcp_command: a plain client of the coordinator. It does not boot the OSGi framework,
 * so it answers in a fraction of a second.
 */
@Command(name = "dmtcp_command", sortOptions = false,
        description = {"Sends a command to the DMTCP coordinator.",
            "DMTCP's one-letter forms work too: dmtcp_command s|l|c|bc|k|q|h, dmtcp_command i N."},
        footerHeading = "%nEnvironment variables:%n",
        footer = {Options.ENV_HOST, Options.ENV_PORT, Options.ENV_KEY, Options.ENV_AGENT, Options.ENV_JVM,
            "%nExit status: 0 on success; 1 when the coordinator cannot be reached or the command failed",
            "(for --bcheckpoint: the checkpoint failed); 2 on a usage error."})
final class CommandCli implements Callable<Integer> {

    @Mixin
    CoordinatorAddress coordinator = new CoordinatorAddress();

    @Option(names = "--json", description = "Print the coordinator's answer as JSON.")
    boolean json;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    static final class Verb {
        @Option(names = {"-c", "--checkpoint"}, description = "Start a checkpoint; return at once.")
        boolean checkpoint;

        @Option(names = {"-bc", "--bcheckpoint"}, description = {"Checkpoint and wait until the round ends; the exit status tells whether it succeeded.",
            "A round longer than a second shows its progress on stderr (bytes written, rate, time left)."})
        boolean bcheckpoint;

        @Option(names = {"-s", "--status"}, description = "Print the coordinator's status.")
        boolean status;

        @Option(names = {"-l", "--list"}, description = "List the processes under checkpoint control.")
        boolean list;

        @Option(names = {"-k", "--kill"}, description = "Kill every process of the computation.")
        boolean kill;

        @Option(names = {"-q", "--quit"}, description = "Kill the computation and stop the coordinator.")
        boolean quit;

        @Option(names = {"-i", "--interval"}, paramLabel = "N", converter = Options.Seconds.class,
                description = "Checkpoint every N seconds (0 = off).")
        Integer interval;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Verb verb;

    @Parameters(arity = "0..2", paramLabel = "LETTER", description = "DMTCP's short form: s, l, c, bc, k, q, h, or i N.")
    List<String> letters;

    static int run(String[] args) {
        Quick q = Quick.parse(args, System.getenv());
        if (q != null) {
            return send(q.host, q.port, q.json, q.cmd);
        }
        return Options.execute(new CommandCli(), args);
    }

    /**
     * The common command lines, read without picocli: building picocli's model of this
     * command (annotations read through reflection and proxies) took ~80 ms of a 0.25 s
     * call. Anything else (--help, a usage error, an unusual spelling) goes to picocli,
     * which gives the messages; so this parser only accepts, and never explains.
     */
    static final class Quick {
        String host;
        int port;
        boolean json;
        String[] cmd;

        /** The parsed line, or null: let picocli parse it. */
        static Quick parse(String[] args, java.util.Map<String, String> env) {
            Quick q = new Quick();
            q.host = env.getOrDefault("DMTCP_HOST", "localhost");
            String port = env.getOrDefault("DMTCP_PORT", "7779");
            List<String> letters = new java.util.ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String value = null;
                int eq = a.indexOf('=');
                String name = a.startsWith("--") && eq > 0 ? a.substring(0, eq) : a;
                if (a.startsWith("--") && eq > 0) {
                    value = a.substring(eq + 1);
                }
                switch (name) {
                    case "-h", "--host", "--coord-host", "-p", "--port", "--coord-port", "-i", "--interval" -> {
                        if (value == null) {
                            if (i + 1 >= args.length) {
                                return null;
                            }
                            value = args[++i];
                        }
                        if (name.equals("-h") || name.endsWith("-host")) {
                            q.host = value;
                        } else if (name.equals("-p") || name.endsWith("-port")) {
                            port = value;
                        } else if (!verb(q, Msg.CMD_INTERVAL, seconds(value))) {
                            return null;
                        }
                    }
                    case "--json" -> {
                        if (value != null) {
                            return null;
                        }
                        q.json = true;
                    }
                    case "-c", "--checkpoint" -> { if (!verb(q, Msg.CMD_CHECKPOINT, "")) return null; }
                    case "-bc", "--bcheckpoint" -> { if (!verb(q, Msg.CMD_BCHECKPOINT, "")) return null; }
                    case "-s", "--status" -> { if (!verb(q, Msg.CMD_STATUS, "")) return null; }
                    case "-l", "--list" -> { if (!verb(q, Msg.CMD_LIST, "")) return null; }
                    case "-k", "--kill" -> { if (!verb(q, Msg.CMD_KILL, "")) return null; }
                    case "-q", "--quit" -> { if (!verb(q, Msg.CMD_QUIT, "")) return null; }
                    default -> {
                        if (a.startsWith("-") || value != null) {
                            return null;
                        }
                        letters.add(a);
                    }
                }
            }
            if (!letters.isEmpty()) {
                if (q.cmd != null || letters.size() > 2) {
                    return null;
                }
                String l = letters.get(0);
                String v = switch (l) {
                    case "c" -> Msg.CMD_CHECKPOINT;
                    case "bc" -> Msg.CMD_BCHECKPOINT;
                    case "s" -> Msg.CMD_STATUS;
                    case "l" -> Msg.CMD_LIST;
                    case "k" -> Msg.CMD_KILL;
                    case "q" -> Msg.CMD_QUIT;
                    case "i" -> Msg.CMD_INTERVAL;
                    default -> null;
                };
                if (v == null || (letters.size() == 2) != v.equals(Msg.CMD_INTERVAL)) {
                    return null;
                }
                q.cmd = new String[] {v, v.equals(Msg.CMD_INTERVAL) ? seconds(letters.get(1)) : ""};
                if (q.cmd[1] == null) {
                    return null;
                }
            }
            if (q.cmd == null || q.host.isEmpty()) {
                return null;
            }
            try {
                q.port = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                return null;
            }
            return q.port < 0 || q.port > 65535 ? null : q;
        }

        private static boolean verb(Quick q, String verb, String value) {
            if (q.cmd != null || value == null) {
                return false;
            }
            q.cmd = new String[] {verb, value};
            return true;
        }

        /** A count of seconds as the coordinator takes it, or null. */
        private static String seconds(String v) {
            try {
                int s = Integer.parseInt(v);
                return s < 0 ? null : String.valueOf(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    @Override
    public Integer call() {
        String[] cmd = chooseVerb();
        if (cmd == null) {
            return 2;
        }
        if (cmd[0].equals("help")) {
            new picocli.CommandLine(this).usage(System.out);
            return 0;
        }
        return send(coordinator.host, coordinator.port, json, cmd);
    }

    /** Sends {@code cmd} (verb, value) to the coordinator and prints its answer; the exit status. */
    private static int send(String host, int port, boolean json, String[] cmd) {
        String where = host + ":" + port;
        JsonObject reply;
        try (LineChannel ch = LineChannel.connect(host, port, 3000)) {
            UserKey key;
            try {
                key = UserKey.loadOrCreate(UserKey.defaultPath());
            } catch (IOException e) {
                System.err.println("dmtcp_command: " + e.getMessage());
                return 1;
            }
            JsonObject hello = Msg.of(Msg.HELLO);
            hello.addProperty("role", Msg.ROLE_COMMAND);
            try {
                Handshake.join(ch, key, hello, 10_000);
            } catch (Handshake.Refused e) {
                System.err.println("dmtcp_command: the coordinator at " + where + " " + e.getMessage());
                return 1;
            } catch (Handshake.NotProven e) {
                System.err.println("dmtcp_command: " + where + " " + e.getMessage());
                return 1;
            }
            JsonObject c = Msg.of(Msg.COMMAND);
            c.addProperty("verb", cmd[0]);
            c.addProperty("value", cmd[1]);
            ch.send(c);
            ch.setReadTimeout(cmd[0].equals(Msg.CMD_BCHECKPOINT) ? 0 : 30_000);
            Progress progress = new Progress(json);
            for (;;) {
                reply = ch.receive();
                if (reply == null || !Msg.PROGRESS.equals(Msg.type(reply))) {
                    break;
                }
                progress.show(reply);
            }
            progress.end();
        } catch (IOException e) {
            System.err.println("dmtcp_command: no coordinator at " + where + " (" + e.getMessage() + ")");
            return 1;
        }
        if (reply == null) {
            System.err.println("dmtcp_command: the coordinator at " + where + " closed the connection");
            return 1;
        }
        boolean ok = Msg.bool(reply, "ok", false);
        if (json) {
            JsonObject out = new JsonObject();
            out.addProperty("ok", ok);
            out.addProperty("command", cmd[0]);
            out.addProperty("text", Msg.str(reply, "text", ""));
            out.add("data", reply.get("data"));
            System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(out));
        } else if (ok) {
            System.out.println(Msg.str(reply, "text", ""));
        } else {
            System.err.println("dmtcp_command: " + Msg.str(reply, "text", "failed"));
        }
        return ok ? 0 : 1;
    }

    /**
     * The progress the coordinator sends while a -bc round runs longer than a second, on
     * stderr: on a terminal one line rewritten in place (carriage return), elsewhere one
     * plain line per report; with --json each report's figures as one JSON line.
     */
    static final class Progress {
        private final boolean json;
        private final boolean terminal = System.console() != null;
        private int width;

        Progress(boolean json) {
            this.json = json;
        }

        void show(JsonObject m) {
            if (json) {
                System.err.println(m.get("data"));
            } else if (terminal) {
                String t = Msg.str(m, "text", "");
                System.err.print("\r" + t + " ".repeat(Math.max(0, width - t.length())));
                width = t.length();
            } else {
                System.err.println(Msg.str(m, "text", ""));
            }
            System.err.flush();
        }

        void end() {
            if (width > 0) {
                System.err.println();
            }
        }
    }

    /** The verb and its value, from an option or DMTCP's letters; null after printing a usage error. */
    private String[] chooseVerb() {
        if (verb != null && letters != null) {
            return usageError("give either an option or a letter, not both");
        }
        if (verb != null) {
            if (verb.checkpoint) {
                return new String[] {Msg.CMD_CHECKPOINT, ""};
            }
            if (verb.bcheckpoint) {
                return new String[] {Msg.CMD_BCHECKPOINT, ""};
            }
            if (verb.status) {
                return new String[] {Msg.CMD_STATUS, ""};
            }
            if (verb.list) {
                return new String[] {Msg.CMD_LIST, ""};
            }
            if (verb.kill) {
                return new String[] {Msg.CMD_KILL, ""};
            }
            if (verb.quit) {
                return new String[] {Msg.CMD_QUIT, ""};
            }
            return new String[] {Msg.CMD_INTERVAL, String.valueOf(verb.interval)};
        }
        if (letters == null) {
            return usageError("no command given");
        }
        String l = letters.get(0);
        if (letters.size() == 2 && !l.equals("i")) {
            return usageError("unexpected argument '" + letters.get(1) + "'");
        }
        return switch (l) {
            case "c" -> new String[] {Msg.CMD_CHECKPOINT, ""};
            case "bc" -> new String[] {Msg.CMD_BCHECKPOINT, ""};
            case "s" -> new String[] {Msg.CMD_STATUS, ""};
            case "l" -> new String[] {Msg.CMD_LIST, ""};
            case "k" -> new String[] {Msg.CMD_KILL, ""};
            case "q" -> new String[] {Msg.CMD_QUIT, ""};
            case "h", "?" -> new String[] {"help", ""};
            case "i" -> {
                if (letters.size() < 2) {
                    yield usageError("i needs a number of seconds");
                }
                try {
                    yield new String[] {Msg.CMD_INTERVAL, String.valueOf(new Options.Seconds().convert(letters.get(1)))};
                } catch (RuntimeException e) {
                    yield usageError(e.getMessage());
                }
            }
            default -> usageError("unknown command '" + l + "'");
        };
    }

    private static String[] usageError(String message) {
        System.err.println("dmtcp_command: " + message);
        System.err.println("Try 'dmtcp_command --help' for more information.");
        return null;
    }
}
