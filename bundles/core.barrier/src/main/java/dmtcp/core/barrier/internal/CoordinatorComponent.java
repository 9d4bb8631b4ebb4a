package dmtcp.core.barrier.internal;

import dmtcp.core.barrier.api.Coordinator;
import dmtcp.core.barrier.api.RoundResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/** The coordinator, when this framework was started as dmtcp_coordinator (configuration {@value #PID}). */
@Component(configurationPid = CoordinatorComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = Coordinator.class, immediate = true)
public class CoordinatorComponent implements Coordinator {
    static final String PID = "dmtcp.coordinator";

    /** The configuration's properties. */
    public @interface Config {
        String bind() default "";

        int port() default 7779;

        boolean exitOnLast() default false;

        int interval() default 0;

        String checkpointDir() default ".";

        long stageTimeoutSeconds() default 300;

        String restartCommand() default "dmtcp_restart";

        /** Print the port on stdout once listening (DMTCP does this for --port 0). */
        boolean announcePort() default false;

        String portFile() default "";

        /** This user's key file; empty: DMTCP_KEY_FILE, else ~/.config/dmtcp/key (doc/security.md). */
        String keyFile() default "";

        /**
         * The launcher or restarter that started this coordinator for itself (0: none). When
         * it is gone and no participant is connected, nobody will come: the coordinator exits
         * (with --exit-on-last it otherwise waits for a first participant that never joins
         * when its starter dies first, or its program ends before the starter joined).
         */
        long ownerPid() default 0;
    }

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private CoordinatorServer server;

    @Activate
    void activate(Config config, BundleContext context) throws IOException {
        CoordinatorServer.Settings settings = new CoordinatorServer.Settings(config.bind(), config.port(),
                config.exitOnLast(), config.interval(), Path.of(config.checkpointDir()),
                config.stageTimeoutSeconds() * 1000, config.restartCommand(),
                config.keyFile().isEmpty() ? null : Path.of(config.keyFile()));
        try {
            server = new CoordinatorServer(settings, new LoggerReporter(log), () -> stopFramework(context, 0));
        } catch (IOException e) {
            // a bad key file or a port in use: one line, and the coordinator stops. Not
            // rethrown, or SCR would log it once more with its exception class
            System.err.println("dmtcp_coordinator: " + e.getMessage());
            stopFramework(context, 1);
            return;
        }
        int port = server().port();
        if (!config.portFile().isEmpty()) {
            Files.writeString(Path.of(config.portFile()), port + "\n");
        }
        if (config.announcePort()) {
            System.out.println(port);
            System.out.flush();
        }
        log.info("coordinator listening on port {} (computation {})", port, server.computationId());
        if (config.ownerPid() > 0) {
            CoordinatorServer srv = server;
            Runnable ownerGone = () -> {
                if (srv.engine().size() == 0) {
                    log.info("the process that started this coordinator ({}) is gone and no participant is connected: exiting",
                            config.ownerPid());
                    stopFramework(context, 0);
                }
            };
            ProcessHandle.of(config.ownerPid()).ifPresentOrElse(h -> h.onExit().thenRun(ownerGone), ownerGone);
        }
    }

    @Deactivate
    void deactivate() {
        if (server != null) {
            server.close();
        }
    }

    /** Stops the whole framework; the launcher exits with {@code status} (system property dmtcp.exitStatus). */
    static void stopFramework(BundleContext context, int status) {
        System.setProperty("dmtcp.exitStatus", String.valueOf(status));
        Thread t = new Thread(() -> {
            try {
                context.getBundle(0).stop();
            } catch (BundleException | IllegalStateException e) {
                System.exit(status);
            }
        }, "dmtcp-stop");
        t.start();
    }

    /** The server, or why there is none (it failed to start; the framework is stopping). */
    private CoordinatorServer server() {
        CoordinatorServer s = server;
        if (s == null) {
            throw new IllegalStateException("the coordinator did not start");
        }
        return s;
    }

    @Override
    public CompletableFuture<RoundResult> checkpoint() {
        return server().checkpoint();
    }

    @Override
    public Map<String, Object> status() {
        return server().status();
    }

    @Override
    public List<Map<String, Object>> list() {
        return server().list();
    }

    @Override
    public int kill() {
        return server().kill();
    }

    @Override
    public void quit() {
        server().quit();
    }

    @Override
    public void setInterval(int seconds) {
        server().setInterval(seconds);
    }

    @Override
    public int port() {
        return server().port();
    }
}
