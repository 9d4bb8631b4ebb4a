package dmtcp.runtime;

import dmtcp.core.boot.Restart;
import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * dmtcp_restart: restarts processes from their images. Before anything starts, every
 * image is checked (a file of this user's that nobody else could have put there, see
 * {@link ImageOwner}; a DMTCP image of a known version; its process not still running
 * here, and not running anywhere under another restarter of this user, see
 * {@link Restart#lock}; of several images of one process only the newest); then the restarter joins the coordinator, which runs the
 * restart round once the restarters hold every image; at RESTARTING the processes are
 * rebuilt as children of this restarter, which then supervises them like dmtcp_checkpoint.
 */
@Command(name = "dmtcp_restart", sortOptions = false,
        description = {"Restarts processes from checkpoint images (ckpt_*.dmtcp) and keeps them under checkpoint control.",
            "Exits with the first restored program's exit status."},
        footerHeading = "%nEnvironment variables:%n",
        footer = {Options.ENV_HOST, Options.ENV_PORT, Options.ENV_KEY, Options.ENV_CKPT, Options.ENV_TMP, Options.ENV_LOG, Options.ENV_PLUGINS,
            Options.ENV_AGENT, Options.ENV_JVM})
final class RestartCli implements Callable<Integer> {

    @Mixin
    CoordinatorAddress coordinator = new CoordinatorAddress();

    @Mixin
    ParticipantOptions options = new ParticipantOptions();

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--allow-foreign-images",
            description = "Restart images of another user, or in a folder other users could write, with a warning "
                    + "(refused by default: a restarted image runs as you). No environment variable sets it: it is asked "
                    + "for each time.")
    boolean allowForeign;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Checkpoint images to restart.")
    List<Path> images;

    static int run(String[] args) {
        return Options.execute(new RestartCli(), args);
    }

    @Override
    public Integer call() throws Exception {
        for (Path p : images) {
            try {
                dmtcp.image.format.api.ImageReader.checkFile(p);
            } catch (java.io.IOException e) {
                System.err.println("dmtcp_restart: " + e.getMessage());
                return 1;
            }
        }
        String foreign = ImageOwner.check(images, allowForeign, System.err);
        if (foreign != null) {
            System.err.println("dmtcp_restart: " + foreign + "; nothing was restarted");
            return 1;
        }
        List<Path> paths = images.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        boolean given = System.getenv("DMTCP_PORT") != null || spec.commandLine().getParseResult().hasMatchedOption("-p");
        Session s = options.session("dmtcp_restart", coordinator, given);
        Map<String, String> props = new HashMap<>();
        props.put("dmtcp.role", "restart");
        props.put("dmtcp.gzip", String.valueOf(options.compress()));
        s.init(props);
        Restart restart = s.bootstrap().restart(paths);
        Optional<String> refused = restart.refusal();
        if (refused.isPresent()) {
            System.err.println("dmtcp_restart: " + refused.get() + "; nothing was restarted");
            return 1;
        }
        for (String skipped : restart.keepNewest()) {
            System.err.println("dmtcp_restart: " + skipped);
        }
        Optional<String> locked = restart.lock(Env.runtimeDir());
        if (locked.isPresent()) {
            System.err.println("dmtcp_restart: " + locked.get() + "; nothing was restarted");
            return 1;
        }
        // read when the framework starts (Felix falls back to system properties)
        System.setProperty("dmtcp.images", restart.images().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        // the coordinator refuses the restarter while a process of these images still runs
        System.setProperty("dmtcp.restartIds", String.join(",", restart.uniqueIds()));
        // rebuilds the processes (held stopped) while the coordinator is found and the runtime starts
        restart.restoreAhead(s.providers());
        Timing.mark("restore begun");
        s.ensureCoordinator();
        s.start();
        return s.waitAndStop();
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public String toString() {
        return images.stream().map(Path::toString).collect(Collectors.joining(" "));
    }
}
