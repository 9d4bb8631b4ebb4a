package dmtcp.runtime;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * dmtcp_checkpoint (alias dmtcp_launch): runs PROG under checkpoint control. The program
 * is spawned as soon as the framework's bundles are installed, before the framework
 * starts, so it does not wait for the runtime to boot; the launcher then joins the
 * coordinator as a participant, passes PROG's exit status through, and exits with it.
 */
@Command(name = "dmtcp_checkpoint", sortOptions = false,
        description = {"Runs PROG under checkpoint control (also installed as dmtcp_launch).",
            "Connects to the coordinator at HOST:PORT, starting one in the background when none",
            "answers on this host (unless --join). Exits with PROG's exit status: through this",
            "user's agent, PROG is this command's own process (see doc/architecture.md)."},
        footerHeading = "%nEnvironment variables:%n",
        footer = {Options.ENV_HOST, Options.ENV_PORT, Options.ENV_KEY,
            "  DMTCP_GZIP                 0 to write uncompressed images (default: 1)",
            Options.ENV_CKPT, Options.ENV_TMP,
            "  DMTCP_SIGCKPT              accepted for compatibility; checkpoints use ptrace, not a signal",
            Options.ENV_LOG, Options.ENV_PLUGINS, Options.ENV_AGENT, Options.ENV_JVM})
final class LaunchCli implements Callable<Integer> {

    @Mixin
    CoordinatorAddress coordinator = new CoordinatorAddress();

    @Mixin
    ParticipantOptions options = new ParticipantOptions();

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "PROG", description = "The program to run.")
    String program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Its arguments.")
    List<String> arguments = List.of();

    static int run(String[] args) {
        return Options.execute(new LaunchCli(), args, true);
    }

    @Override
    public Integer call() throws Exception {
        Session s = options.session("dmtcp_checkpoint", coordinator, portGiven());
        s.ensureCoordinator();
        // a coordinator that answers already: say we are coming, while the bundles install
        Announcement announced = s.startedCoordinator() ? null
                : Announcement.start(coordinator.host, coordinator.port);
        Map<String, String> props = new HashMap<>();
        props.put("dmtcp.role", "launch");
        props.put("dmtcp.gzip", String.valueOf(options.compress()));
        if (announced != null) {
            props.put("dmtcp.announce", announced.token());
        }
        s.init(props);
        if (announced != null) {
            announced.await(2000); // the program runs only once a checkpoint would wait for it
        }
        List<String> argv = new java.util.ArrayList<>();
        argv.add(program);
        argv.addAll(arguments);
        try {
            s.bootstrap().launch(argv, Env.runtimeDir());
        } catch (dmtcp.core.boot.BootException e) {
            System.err.println("dmtcp_checkpoint: cannot run '" + program + "': " + e.getMessage());
            s.abandon();
            return 127;
        }
        Timing.mark("program spawned");
        s.start();
        return s.waitAndStop();
    }

    /** -p or DMTCP_PORT given: --new-coordinator uses that port, else a free one. */
    private boolean portGiven() {
        return System.getenv("DMTCP_PORT") != null || spec.commandLine().getParseResult().hasMatchedOption("-p");
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
}
