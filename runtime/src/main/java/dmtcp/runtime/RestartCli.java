package dmtcp.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * dmtcp_restart: restarts a computation from its images. The image format and the
 * restore engine arrive with issue 3; until then this checks its arguments and refuses
 * every image with a message saying so, never starting anything.
 */
@Command(name = "dmtcp_restart", sortOptions = false,
        description = {"Restarts processes from checkpoint images (ckpt_*.dmtcp)."},
        footerHeading = "%nEnvironment variables:%n",
        footer = {Options.ENV_HOST, Options.ENV_PORT, Options.ENV_CKPT, Options.ENV_TMP, Options.ENV_LOG})
final class RestartCli implements Callable<Integer> {

    @Option(names = {"-h", "--host", "--coord-host"}, paramLabel = "HOST",
            defaultValue = "${env:DMTCP_HOST:-localhost}", description = "Coordinator host (DMTCP_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port", "--coord-port"}, paramLabel = "PORT", converter = Options.Port.class,
            defaultValue = "${env:DMTCP_PORT:-7779}", description = "Coordinator port (DMTCP_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = {"-j", "--join", "--join-coordinator"}, description = "Join an existing coordinator; fail if none answers.")
    boolean join;

    @Option(names = "--new-coordinator", description = "Start a new coordinator for the restarted computation.")
    boolean newCoordinator;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Checkpoint images to restart.")
    List<Path> images;

    static int run(String[] args) {
        return Options.execute(new RestartCli(), args);
    }

    @Override
    public Integer call() {
        for (Path p : images) {
            if (!Files.isRegularFile(p)) {
                System.err.println("dmtcp_restart: " + p + ": no such image file");
                return 1;
            }
            if (!Files.isReadable(p)) {
                System.err.println("dmtcp_restart: " + p + ": not readable");
                return 1;
            }
        }
        System.err.println("dmtcp_restart: " + images.get(0)
                + ": this build cannot restore images yet (the image format and restore engine land with issue 3); nothing was started");
        return 1;
    }
}
