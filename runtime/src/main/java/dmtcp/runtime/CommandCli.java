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
        footer = {Options.ENV_HOST, Options.ENV_PORT, Options.ENV_KEY,
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

        @Option(names = {"-bc", "--bcheckpoint"}, description = "Checkpoint and wait until the round ends; the exit status tells whether it succeeded.")
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
        return Options.execute(new CommandCli(), args);
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
        String where = coordinator.host + ":" + coordinator.port;
        JsonObject reply;
        try (LineChannel ch = LineChannel.connect(coordinator.host, coordinator.port, 3000)) {
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
            reply = ch.receive();
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
