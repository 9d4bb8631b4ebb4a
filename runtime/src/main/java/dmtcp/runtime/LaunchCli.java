package dmtcp.runtime;

import java.nio.file.Path;
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
            "answers on this host (unless --join). Exits with PROG's exit status."},
        footerHeading = "%nEnvironment variables:%n",
        footer = {Options.ENV_HOST, Options.ENV_PORT,
            "  DMTCP_GZIP                 0 to write uncompressed images (default: 1)",
            Options.ENV_CKPT, Options.ENV_TMP,
            "  DMTCP_SIGCKPT              accepted for compatibility; checkpoints use ptrace, not a signal",
            Options.ENV_LOG, Options.ENV_PLUGINS})
final class LaunchCli implements Callable<Integer> {

    @Mixin
    CoordinatorAddress coordinator = new CoordinatorAddress();

    @Option(names = {"-j", "--join", "--join-coordinator"},
            description = "Join an existing coordinator; fail if none answers.")
    boolean join;

    @Option(names = "--new-coordinator",
            description = "Start a new coordinator on PORT (a free port when PORT is 0 or not given); fail if PORT is taken.")
    boolean newCoordinator;

    @Option(names = {"-i", "--interval"}, paramLabel = "N", converter = Options.Seconds.class,
            defaultValue = "${env:DMTCP_CHECKPOINT_INTERVAL:-0}",
            description = "Checkpoint interval for a coordinator this command starts (default ${DEFAULT-VALUE} = off).")
    int interval;

    @Option(names = {"-c", "--ckptdir", "--checkpoint-dir"}, paramLabel = "DIR",
            defaultValue = "${env:DMTCP_CHECKPOINT_DIR:-.}", description = "Where images go (DMTCP_CHECKPOINT_DIR; default ./).")
    Path checkpointDir;

    @Option(names = "--tmpdir", paramLabel = "DIR", description = "Temporary files (DMTCP_TMPDIR; default $TMPDIR or /tmp).")
    Path tmpDir;

    @Option(names = "--no-gzip", description = "Write uncompressed images (DMTCP_GZIP=0).")
    boolean noGzip;

    @Option(names = "--gzip", description = "Compress images with gzip (the default; DMTCP_GZIP=1).")
    boolean gzip;

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
        if (tmpDir != null) {
            System.setProperty("dmtcp.tmpdir", tmpDir.toString());
        }
        boolean compress = gzip || (!noGzip && !"0".equals(System.getenv("DMTCP_GZIP")));
        Session s = new Session("dmtcp_checkpoint", coordinator.host, coordinator.port, join, newCoordinator, newCoordinatorPort(), interval,
                checkpointDir);
        s.ensureCoordinator();
        Map<String, String> props = new HashMap<>();
        props.put("dmtcp.role", "launch");
        props.put("dmtcp.gzip", String.valueOf(compress));
        s.init(props);
        List<String> argv = new java.util.ArrayList<>();
        argv.add(program);
        argv.addAll(arguments);
        try {
            s.launch("launch", new Class<?>[] {String[].class}, (Object) argv.toArray(new String[0]));
        } catch (IllegalStateException e) {
            System.err.println("dmtcp_checkpoint: cannot run '" + program + "': " + e.getMessage());
            s.abandon();
            return 127;
        }
        Timing.mark("program spawned");
        s.start();
        return s.waitAndStop();
    }

    /** --new-coordinator: the port given with -p or DMTCP_PORT, else 0 (a free one). */
    private int newCoordinatorPort() {
        boolean given = System.getenv("DMTCP_PORT") != null || spec.commandLine().getParseResult().hasMatchedOption("-p");
        return given ? coordinator.port : 0;
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
}
