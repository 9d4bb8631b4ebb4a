package dmtcp.core.barrier.internal;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dmtcp.core.barrier.api.Coordinator;
import dmtcp.core.barrier.api.RoundResult;
import dmtcp.core.barrier.protocol.LineChannel;
import dmtcp.core.barrier.protocol.Msg;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The coordinator's TCP server: accepts participants (launchers, restarters) and
 * dmtcp_command clients, feeds the {@link BarrierEngine}, and answers commands.
 */
public final class CoordinatorServer implements Coordinator, AutoCloseable {

    /** Settings, from the command line, the environment or ConfigAdmin. */
    public record Settings(String bindAddress, int port, boolean exitOnLast, int intervalSeconds,
            Path checkpointDir, long stageTimeoutMillis, String restartCommand) {}

    private final Settings settings;
    private final BarrierEngine engine;
    private final ServerSocket server;
    private final Runnable stopCoordinator;
    private final String computationId;
    private final Reporter log;
    /** Every open connection (participants and command clients), closed with the server. */
    private final Set<LineChannel> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * Binds the port and starts accepting.
     *
     * @param stopCoordinator called when the coordinator must end (quit, exit on last client)
     */
    public CoordinatorServer(Settings settings, Reporter log, Runnable stopCoordinator)
            throws IOException {
        this.settings = settings;
        this.log = log;
        this.stopCoordinator = stopCoordinator;
        this.computationId = UUID.randomUUID().toString().substring(0, 8);
        this.engine = new BarrierEngine(log, new BarrierEngine.Listener() {
            @Override
            public void checkpointCommitted(RoundResult result, List<Map<String, Object>> members) {
                if (!result.images().isEmpty()) {
                    Path script = RestartScript.write(settings.checkpointDir(), settings.restartCommand(),
                            Hosts.name(), port(), result.images());
                    log.info("restart script written: " + script);
                }
            }

            @Override
            public void lastParticipantLeft() {
                if (settings.exitOnLast()) {
                    log.info("last participant left and --exit-on-last is set: exiting");
                    stopSoon();
                }
            }
        }, settings.stageTimeoutMillis());
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
            InetAddress addr = settings.bindAddress() == null || settings.bindAddress().isEmpty()
                    ? InetAddress.getLoopbackAddress() : InetAddress.getByName(settings.bindAddress());
            s.bind(new InetSocketAddress(addr, settings.port()), 128);
        } catch (IOException e) {
            s.close();
            engine.close();
            throw new IOException("cannot listen on " + settings.bindAddress() + ":" + settings.port() + ": "
                    + e.getMessage(), e);
        }
        this.server = s;
        engine.setInterval(settings.intervalSeconds());
        Thread accept = new Thread(this::acceptLoop, "dmtcp-coordinator-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public BarrierEngine engine() {
        return engine;
    }

    @Override
    public int port() {
        return server.getLocalPort();
    }

    public String computationId() {
        return computationId;
    }

    @Override
    public CompletableFuture<RoundResult> checkpoint() {
        return engine.checkpoint();
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("Host", Hosts.name() + " (" + server.getInetAddress().getHostAddress() + ")");
        s.put("Port", port());
        int interval = engine.interval();
        s.put("Checkpoint Interval", interval == 0 ? "disabled (checkpoint manually instead)" : interval + " s");
        s.put("Exit on last client", settings.exitOnLast() ? 1 : 0);
        s.put("Computation Id", computationId);
        s.put("Checkpoint Dir", settings.checkpointDir().toAbsolutePath().toString());
        s.putAll(engine.snapshot());
        return s;
    }

    @Override
    public List<Map<String, Object>> list() {
        return engine.list();
    }

    @Override
    public int kill() {
        return engine.kill();
    }

    @Override
    public void quit() {
        engine.kill();
        stopSoon();
    }

    @Override
    public void setInterval(int seconds) {
        engine.setInterval(seconds);
        log.info("checkpoint interval set to " + (seconds == 0 ? "off" : seconds + " s"));
    }

    /**
     * Stops accepting and closes every connection, so that participants see the
     * coordinator go (and resume on their own) even when this JVM lives on, e.g. when the
     * coordinator's configuration is deleted or its bundle stopped.
     */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        for (LineChannel ch : connections) {
            ch.close();
        }
        engine.close();
    }

    private void stopSoon() {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(200); // let replies and kill messages reach their peers
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            stopCoordinator.run();
        }, "dmtcp-coordinator-stop");
        t.setDaemon(true);
        t.start();
    }


    // --------------------------------------------------------------- connections

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "dmtcp-coordinator-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket socket) {
        LineChannel ch;
        try {
            ch = new LineChannel(socket);
        } catch (IOException e) {
            return;
        }
        connections.add(ch);
        if (closed) { // close() ran between accept and add
            connections.remove(ch);
            ch.close();
            return;
        }
        try {
            ch.setReadTimeout(10_000);
            JsonObject hello = ch.receive();
            ch.setReadTimeout(0);
            if (hello == null) {
                return;
            }
            if (!Msg.HELLO.equals(Msg.type(hello)) || Msg.num(hello, "version", 0) != Msg.VERSION) {
                JsonObject no = Msg.of(Msg.REFUSED);
                no.addProperty("reason", "expected hello with protocol version " + Msg.VERSION + ", got " + hello);
                ch.send(no);
                return;
            }
            if (Msg.ROLE_COMMAND.equals(Msg.str(hello, "role", ""))) {
                serveCommands(ch);
            } else {
                serveParticipant(ch, hello);
            }
        } catch (IOException e) {
            if (!closed) {
                log.debug("connection from " + ch.remote() + " ended: " + e.getMessage());
            }
        } finally {
            connections.remove(ch);
            ch.close();
        }
    }

    private void serveParticipant(LineChannel ch, JsonObject hello) throws IOException {
        BarrierEngine.Peer peer = new BarrierEngine.Peer() {
            @Override
            public void send(JsonObject m) {
                try {
                    ch.send(m);
                } catch (IOException e) {
                    ch.close(); // the reader sees the end and reports the disconnect
                }
            }

            @Override
            public void disconnect() {
                ch.close();
            }

            @Override
            public String remoteHost() {
                return ch.remoteHost();
            }
        };
        int id = engine.join(peer, hello).join();
        if (id < 0) {
            return; // refused; the reason was sent
        }
        try {
            for (;;) {
                JsonObject m = ch.receive();
                if (m == null) {
                    break;
                }
                engine.message(id, m);
            }
        } finally {
            if (!closed) { // a closed engine takes no more events
                engine.disconnected(id);
            }
        }
    }

    private void serveCommands(LineChannel ch) throws IOException {
        ch.send(Msg.of(Msg.WELCOME));
        for (;;) {
            JsonObject cmd = ch.receive();
            if (cmd == null) {
                return;
            }
            ch.send(answer(Msg.str(cmd, "verb", ""), Msg.str(cmd, "value", "")));
        }
    }

    private static final Gson GSON = new Gson();

    /** Runs one dmtcp_command verb; the reply has ok, text (for people) and data (for --json). */
    JsonObject answer(String verb, String value) {
        JsonObject r = Msg.of(Msg.RESULT);
        boolean ok = true;
        String text;
        Object data;
        switch (verb) {
            case Msg.CMD_STATUS -> {
                Map<String, Object> s = status();
                data = s;
                text = Reports.status(s);
            }
            case Msg.CMD_LIST -> {
                List<Map<String, Object>> l = list();
                data = l;
                text = Reports.list(l);
            }
            case Msg.CMD_CHECKPOINT -> {
                if (engine.size() == 0) {
                    ok = false;
                    text = "no processes to checkpoint";
                } else {
                    engine.checkpoint();
                    text = "checkpoint started";
                }
                data = Map.of("started", ok);
            }
            case Msg.CMD_BCHECKPOINT -> {
                RoundResult res = engine.checkpoint().join();
                ok = res.ok();
                text = res.message();
                data = res;
            }
            case Msg.CMD_KILL -> {
                int n = kill();
                text = "kill sent to " + n + " participant(s)";
                data = Map.of("participants", n);
            }
            case Msg.CMD_QUIT -> {
                int n = engine.size();
                quit();
                text = "killing " + n + " participant(s) and stopping the coordinator";
                data = Map.of("participants", n);
            }
            case Msg.CMD_INTERVAL -> {
                int seconds;
                try {
                    seconds = Integer.parseInt(value.trim());
                } catch (NumberFormatException e) {
                    seconds = -1;
                }
                if (seconds < 0) {
                    ok = false;
                    text = "interval must be a whole number of seconds (0 = off), got '" + value + "'";
                    data = Map.of();
                } else {
                    setInterval(seconds);
                    text = "checkpoint interval set to " + (seconds == 0 ? "off" : seconds + " s");
                    data = Map.of("interval", seconds);
                }
            }
            default -> {
                ok = false;
                text = "unknown command '" + verb + "'";
                data = Map.of();
            }
        }
        r.addProperty("ok", ok);
        r.addProperty("text", text);
        r.add("data", GSON.toJsonTree(data));
        return r;
    }
}
