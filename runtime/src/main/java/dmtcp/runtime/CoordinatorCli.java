package dmtcp.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** dmtcp_coordinator: runs the barrier engine, in the foreground with a console, or as a daemon. */
@Command(name = "dmtcp_coordinator", sortOptions = false,
        description = {"Coordinates checkpoints of the processes started with dmtcp_checkpoint.",
            "Console keys (not with --daemon): h help, c checkpoint, l list, s status, k kill, q quit,",
            "i N interval; any other line runs as a Gogo shell command (dmtcp:plugins, lb, ...)."},
        footerHeading = "%nEnvironment variables:%n",
        footer = {Options.ENV_PORT, Options.ENV_KEY,
            "  DMTCP_CHECKPOINT_INTERVAL  seconds between automatic checkpoints (default: 0, off)",
            "  DMTCP_CHECKPOINT_DIR       where dmtcp_restart_script.sh is written (default: ./)",
            Options.ENV_TMP,
            "  DMTCP_BIND                 address to listen on (default: loopback only)",
            "  DMTCP_STAGE_TIMEOUT        seconds a stage may take before the round is aborted (default: 300)",
            Options.ENV_LOG, Options.ENV_PLUGINS, Options.ENV_JVM})
final class CoordinatorCli implements Callable<Integer> {

    @Option(names = {"-p", "--port", "--coord-port"}, paramLabel = "PORT", converter = Options.Port.class,
            defaultValue = "${env:DMTCP_PORT:-7779}",
            description = "Port to listen on (DMTCP_PORT; default ${DEFAULT-VALUE}); 0 picks a free port and prints it on stdout.")
    int port;

    @Option(names = "--port-file", paramLabel = "FILE", description = "Write the port number to FILE once listening.")
    Path portFile;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "${env:DMTCP_BIND:-}",
            description = "Address to listen on (DMTCP_BIND); default loopback. Use 0.0.0.0 to serve other hosts.")
    String bind;

    @Option(names = "--daemon", description = "Run in the background, without a console.")
    boolean daemon;

    @Option(names = "--daemon-child", hidden = true)
    boolean daemonChild;

    /** Set by a launcher or restarter that starts a coordinator for itself (see Daemon.spawn). */
    @Option(names = "--owner-pid", hidden = true)
    long ownerPid;

    @Option(names = "--exit-on-last", description = "Exit when the last client disconnects.")
    boolean exitOnLast;

    @Option(names = {"-i", "--interval"}, paramLabel = "N", converter = Options.Seconds.class,
            defaultValue = "${env:DMTCP_CHECKPOINT_INTERVAL:-0}",
            description = "Checkpoint every N seconds (DMTCP_CHECKPOINT_INTERVAL; default ${DEFAULT-VALUE} = off).")
    int interval;

    @Option(names = {"-c", "--ckptdir", "--checkpoint-dir"}, paramLabel = "DIR",
            defaultValue = "${env:DMTCP_CHECKPOINT_DIR:-.}",
            description = "Where dmtcp_restart_script.sh is written (DMTCP_CHECKPOINT_DIR; default ./).")
    Path checkpointDir;

    @Option(names = "--tmpdir", paramLabel = "DIR", description = "Runtime files go to the private folder DIR/dmtcp-USER (DMTCP_TMPDIR; default $XDG_RUNTIME_DIR/dmtcp, else ~/.cache/dmtcp).")
    Path tmpDir;

    @Option(names = "--stage-timeout", paramLabel = "SECONDS", converter = Options.Seconds.class,
            defaultValue = "${env:DMTCP_STAGE_TIMEOUT:-300}",
            description = "Abort a round whose stage takes longer (DMTCP_STAGE_TIMEOUT; default ${DEFAULT-VALUE}).")
    int stageTimeout;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    static int run(String[] args) {
        return Options.execute(new CoordinatorCli(), args);
    }

    @Override
    public Integer call() throws IOException {
        if (tmpDir != null) {
            System.setProperty("dmtcp.tmpdir", tmpDir.toString());
        }
        if (stageTimeout == 0) {
            throw new IllegalArgumentException("--stage-timeout must be at least 1 second");
        }
        InetAddress listen = bindAddress();
        if (port != 0) {
            checkPortFree(listen);
        }
        if (daemon && !daemonChild) {
            return Daemon.startCoordinator(port, bind, exitOnLast, interval, checkpointDir, stageTimeout,
                    portFile, port == 0);
        }
        Map<String, String> props = new HashMap<>();
        props.put("dmtcp.role", "coordinator");
        props.put("dmtcp.port", String.valueOf(port));
        props.put("dmtcp.bind", bind);
        props.put("dmtcp.exitOnLast", String.valueOf(exitOnLast));
        props.put("dmtcp.interval", String.valueOf(interval));
        props.put("dmtcp.checkpointDir", checkpointDir.toAbsolutePath().normalize().toString());
        props.put("dmtcp.stageTimeout", String.valueOf(stageTimeout));
        props.put("dmtcp.restartCommand", Env.home().resolve("bin/dmtcp_restart").toString());
        props.put("dmtcp.announcePort", String.valueOf(port == 0 && !daemonChild));
        props.put("dmtcp.portFile", portFile == null ? "" : portFile.toAbsolutePath().toString());
        props.put("dmtcp.ownerPid", String.valueOf(ownerPid));
        props.put("dmtcp.console", String.valueOf(!daemon));
        if (!daemon) {
            System.err.println("dmtcp_coordinator starting..."
                    + (port == 0 ? "" : " port " + port) + "  (type h<return> for help)");
        }
        Runtime rt = Runtime.init(props);
        rt.start();
        rt.awaitStop();
        return Integer.parseInt(System.getProperty("dmtcp.exitStatus", "0"));
    }

    /** The --bind address: loopback by default; a name that does not resolve, or an address not of this host, is refused. */
    private InetAddress bindAddress() {
        if (bind == null || bind.isEmpty()) {
            return InetAddress.getLoopbackAddress();
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(bind);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("--bind " + bind + ": no such host");
        }
        try {
            if (!a.isAnyLocalAddress() && !a.isLoopbackAddress() && java.net.NetworkInterface.getByInetAddress(a) == null) {
                throw new IllegalArgumentException("--bind " + bind + ": " + a.getHostAddress()
                        + " is not an address of this host (use one of its interfaces' addresses, or 0.0.0.0 for all)");
            }
        } catch (java.net.SocketException e) {
            throw new IllegalStateException("--bind " + bind + ": cannot list this host's addresses: " + e.getMessage());
        }
        return a;
    }

    private void checkPortFree(InetAddress a) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(a, port));
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on port " + port + ": " + e.getMessage()
                    + " (is another coordinator running? try --port 0)");
        }
    }
}
