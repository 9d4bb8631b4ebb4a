package dmtcp.runtime;

import java.util.Arrays;

/**
 * Entry point of dmtcp.jar. The first argument names the tool, as the scripts in bin/
 * pass it: {@code coordinator}, {@code launch} (dmtcp_checkpoint, dmtcp_launch),
 * {@code command}, {@code restart}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: java -jar dmtcp.jar coordinator|launch|command|restart|inspect|check [options]");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Arrays.asList("launch", "checkpoint", "restart").contains(args[0])
                && Arrays.stream(rest).noneMatch(a -> a.equals("--help") || a.startsWith("--tmpdir"))) {
            Runtime.initEarly(args[0].equals("restart") ? "restart" : "launch");
        }
        int status = switch (args[0]) {
            case "coordinator" -> CoordinatorCli.run(rest);
            case "launch", "checkpoint" -> LaunchCli.run(rest);
            case "command" -> CommandCli.run(rest);
            case "restart" -> RestartCli.run(rest);
            case "inspect" -> InspectCli.run(rest);
            case "check" -> CheckCli.run(rest);
            case "agent" -> Agent.run(rest);
            default -> {
                System.err.println("dmtcp.jar: unknown tool '" + args[0] + "' (coordinator, launch, command, restart)");
                yield 2;
            }
        };
        System.exit(status);
    }
}
