package dmtcp.runtime;

import dmtcp.core.boot.Bootstrap;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;

/**
 * What dmtcp_checkpoint and dmtcp_restart share: finding or starting the coordinator,
 * booting the runtime beside the programs, and waiting for them.
 */
final class Session {
    private final String tool;
    private final String host;
    private final int port;
    private final boolean join;
    private final boolean newCoordinator;
    private final int newPort;
    private final int interval;
    private final Path checkpointDir;
    private Process started;
    private Runtime rt;
    /** Where what the user should read goes: stderr, or the agent's client (its reply). */
    private java.util.function.Consumer<String> say = System.err::println;

    Session(String tool, String host, int port, boolean join, boolean newCoordinator, int newPort, int interval,
            Path checkpointDir) {
        this.tool = tool;
        this.host = host;
        this.port = port;
        this.join = join;
        this.newCoordinator = newCoordinator;
        this.newPort = newPort;
        this.interval = interval;
        this.checkpointDir = checkpointDir;
    }

    /** Sends what this session tells the user to {@code sink} instead of stderr (the agent's client). */
    void sayTo(java.util.function.Consumer<String> sink) {
        say = sink;
    }

    /** The coordinator this session started in the background, or null. */
    Process startedProcess() {
        return started;
    }

    /** Finds the coordinator, or starts one (in the background, --exit-on-last) when allowed. */
    void ensureCoordinator() throws IOException {
        if (newCoordinator) {
            started = Daemon.spawn(newPort, "", true, interval, checkpointDir, 300, null, true, true);
        } else if (!answers(host, port)) {
            if (join) {
                throw new IllegalStateException("no coordinator answers at " + host + ":" + port + " (--join given)");
            }
            if (!isLocal(host)) {
                throw new IllegalStateException("no coordinator answers at " + host + ":" + port
                        + "; start dmtcp_coordinator there first");
            }
            say.accept(tool + ": no coordinator at " + host + ":" + port
                    + ", starting one in the background (--exit-on-last)");
            started = Daemon.spawn(port, "", true, interval, checkpointDir, 300, null, false, true);
        }
        declareCoordinator();
    }

    /**
     * A coordinator this session started is this JVM's child but no process of the
     * computation: told to the bootstrap (once both exist), so that it is never taken for an
     * orphan the program left behind, nor killed with the computation.
     */
    private void declareCoordinator() {
        if (started == null || rt == null) {
            return;
        }
        bootstrap().helper(started.pid());
    }

    /** Whether this session started the coordinator (it was not there to answer). */
    boolean startedCoordinator() {
        return started != null;
    }

    /** Nothing will join: stop a coordinator this session started, so it does not wait forever. */
    void abandon() {
        if (started != null) {
            started.destroy();
        }
    }

    /** Installs the runtime's bundles (the framework does not start yet). */
    void init(Map<String, String> props) {
        props.put("dmtcp.host", host);
        props.put("dmtcp.checkpointDir", checkpointDir.toAbsolutePath().normalize().toString());
        Timing.mark("options parsed");
        rt = Runtime.init(props);
        Timing.mark("framework initialised, bundles installed");
        declareCoordinator();
    }

    /**
     * What the runtime's bundles do before the framework starts (spawn, restore ahead,
     * probe): the one {@link Bootstrap} they offer, typed; see {@link Runtime#bootstrap()}.
     */
    Bootstrap bootstrap() {
        return rt.bootstrap();
    }

    /** The installed bundles' implementations of {@code type}, before the framework starts ({@link Runtime#load}). */
    dmtcp.core.boot.Providers providers() {
        return rt;
    }

    /** Starts the framework (the participant joins the coordinator) once the coordinator's port is known. */
    void start() throws IOException {
        int coordPort = port;
        if (newCoordinator) {
            coordPort = Daemon.awaitPort(started, 30);
            if (coordPort < 0) {
                System.err.println(tool + ": the new coordinator did not start: " + Daemon.lastLine(Daemon.logOf(started))
                        + "; running without checkpoints");
            } else if (newPort == 0) {
                System.err.println(tool + ": new coordinator on port " + coordPort);
            }
        }
        // the framework reads this when it starts (Felix falls back to system properties)
        System.setProperty("dmtcp.port", String.valueOf(coordPort));
        rt.start();
        Timing.mark("framework started");
    }

    /** Waits for the programs, stops the runtime; the first program's status, or 1 if they never came. */
    int waitAndStop() throws Exception {
        int status = bootstrap().awaitPrograms();
        String failure = bootstrap().failure().orElse(null);
        Timing.mark("programs ended");
        rt.stop();
        Timing.mark("framework stopped");
        if (failure != null && status == 1) {
            System.err.println(tool + ": " + failure);
        }
        return status;
    }

    static boolean answers(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean isLocal(String host) {
        try {
            InetAddress a = InetAddress.getByName(host);
            return a.isLoopbackAddress() || a.isAnyLocalAddress() || java.net.NetworkInterface.getByInetAddress(a) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
