package dmtcp.core.barrier.internal;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dmtcp.core.barrier.api.Coordinator;
import dmtcp.core.barrier.api.RoundResult;
import dmtcp.core.barrier.protocol.Handshake;
import dmtcp.core.barrier.protocol.LineChannel;
import dmtcp.core.barrier.protocol.Msg;
import dmtcp.core.barrier.protocol.UserKey;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The coordinator's TCP server: accepts participants (launchers, restarters) and
 * dmtcp_command clients, feeds the {@link BarrierEngine}, and answers commands.
 *
 * <p>Every connection first passes the {@link Handshake} with this user's key; nothing it
 * sends reaches the engine before that, and every message after it is checked against
 * {@link Schema}. At most {@link #MAX_HANDSHAKES} connections may be in their handshake at
 * once, each for at most {@link #HANDSHAKE_MILLIS} ms, and a line is at most
 * {@link LineChannel#MAX_LINE} bytes, so no client can make the coordinator hold more than
 * a bounded amount of memory or wait for ever (doc/security.md, doc/barrier-protocol.md).
 */
public final class CoordinatorServer implements Coordinator, AutoCloseable {
    static final int MAX_HANDSHAKES = 64;
    static final int HANDSHAKE_MILLIS = 10_000;
    private volatile int handshakeMillis = HANDSHAKE_MILLIS;

    /**
     * Settings, from the command line, the environment or ConfigAdmin.
     *
     * @param keyFile this user's key (null: {@link UserKey#defaultPath()})
     */
    public record Settings(String bindAddress, int port, boolean exitOnLast, int intervalSeconds,
            Path checkpointDir, long stageTimeoutMillis, String restartCommand, Path keyFile) {}

    private final Settings settings;
    private final BarrierEngine engine;
    private final ServerSocket server;
    private final Runnable stopCoordinator;
    private final String computationId;
    private final Reporter log;
    private final UserKey key;
    private final RestartScript script;
    /** Every open connection (participants and command clients), closed with the server. */
    private final Set<LineChannel> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger handshakes = new AtomicInteger();
    /** Closes connections whose handshake takes longer than HANDSHAKE_MILLIS. */
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dmtcp-coordinator-deadlines");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    /**
     * Reads (or creates) the key, binds the port and starts accepting.
     *
     * @param stopCoordinator called when the coordinator must end (quit, exit on last client)
     * @throws IOException when the key cannot be read or the port not bound; the message is one line
     */
    public CoordinatorServer(Settings settings, Reporter log, Runnable stopCoordinator)
            throws IOException {
        this.settings = settings;
        this.log = log;
        this.stopCoordinator = stopCoordinator;
        this.computationId = UUID.randomUUID().toString().substring(0, 8);
        this.key = UserKey.loadOrCreate(settings.keyFile() != null ? settings.keyFile() : UserKey.defaultPath());
        this.script = new RestartScript(settings.checkpointDir(), settings.restartCommand(), Hosts.name());
        this.engine = new BarrierEngine(log, new BarrierEngine.Listener() {
            @Override
            public void imagesWritten(long round, List<String> images) throws IOException {
                script.prepare(port(), images);
            }

            @Override
            public void roundCommitted(long round) throws IOException {
                log.info("restart script written: " + script.commit());
            }

            @Override
            public void roundAborted(long round) {
                script.discard();
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
            deadlines.shutdownNow();
            throw new IOException("cannot listen on " + settings.bindAddress() + ":" + settings.port() + ": "
                    + e.getMessage(), e);
        }
        this.server = s;
        engine.setInterval(settings.intervalSeconds());
        Thread accept = new Thread(this::acceptLoop, "dmtcp-coordinator-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** How long a connection may take to authenticate (tests shorten it). */
    void setHandshakeMillis(int millis) {
        handshakeMillis = millis;
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
        deadlines.shutdownNow();
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

    /**
     * One connection: the handshake (bounded in number and time), then the participant
     * or command protocol. Whatever a client does, this thread ends and the connection
     * closes; nothing it sends reaches the engine unauthenticated or unvalidated.
     */
    private void serve(Socket socket) {
        LineChannel ch;
        try {
            ch = new LineChannel(socket);
        } catch (IOException e) {
            return;
        }
        connections.add(ch);
        boolean inHandshake = true;
        handshakes.incrementAndGet();
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> deadline = null;
        try {
            if (closed) { // close() ran between accept and add
                return;
            }
            if (handshakes.get() > MAX_HANDSHAKES) {
                refuse(ch, "too many connections in their handshake; try again", Handshake.BUSY,
                        "more than " + MAX_HANDSHAKES + " connections in their handshake");
                return;
            }
            deadline = deadlines.schedule(() -> {
                late.set(true);
                ch.close();
            }, handshakeMillis, TimeUnit.MILLISECONDS);
            JsonObject hello = handshake(ch, late);
            if (hello == null) {
                return;
            }
            deadline.cancel(false);
            handshakes.decrementAndGet();
            inHandshake = false;
            if (Msg.ROLE_COMMAND.equals(Msg.str(hello, "role", ""))) {
                serveCommands(ch);
            } else if (Msg.ROLE_ANNOUNCE.equals(Msg.str(hello, "role", ""))) {
                serveAnnouncement(ch, Msg.str(hello, "announce", ""));
            } else {
                serveParticipant(ch, hello);
            }
        } catch (IOException e) {
            if (!closed) {
                log.debug("connection from " + ch.remote() + " ended: " + e.getMessage());
            }
        } finally {
            if (inHandshake) {
                handshakes.decrementAndGet();
                if (deadline != null) {
                    deadline.cancel(false);
                }
            }
            connections.remove(ch);
            ch.close();
        }
    }

    /**
     * A launcher's announcement: held while its connection is open, until its participant
     * joined (then this side closes it, within a second) or the launcher went away (a
     * launcher that dies closes it). Nothing is read from it but its end: a line sent on it
     * ends it as well.
     */
    private void serveAnnouncement(LineChannel ch, String token) throws IOException {
        engine.announce(token);
        try {
            ch.setReadTimeout(1000);
            for (;;) {
                try {
                    ch.receive();
                    return;
                } catch (java.net.SocketTimeoutException e) {
                    if (!engine.isAnnounced(token)) {
                        return; // its participant joined
                    }
                }
            }
        } finally {
            engine.unannounce(token);
        }
    }

    /**
     * The coordinator's side of the {@link Handshake}: challenge, a hello whose version,
     * role and proof are right and whose fields fit the {@link Schema}, welcome.
     *
     * @return the verified hello, or null after refusing the client (and logging who it was)
     */
    private JsonObject handshake(LineChannel ch, AtomicBoolean late) throws IOException {
        Handshake.Server hs = new Handshake.Server(key);
        JsonObject hello;
        try {
            ch.send(hs.challenge());
            hello = ch.receive();
        } catch (LineChannel.ProtocolException e) {
            refuse(ch, "not a hello: " + e.getMessage(), null, e.getMessage());
            return null;
        } catch (IOException e) {
            if (late.get()) {
                log.warn("refused " + peer(ch) + ": no hello within " + handshakeMillis + " ms");
                return null;
            }
            throw e;
        }
        if (hello == null) {
            log.debug("connection from " + ch.remote() + " closed before its hello (a probe)");
            return null;
        }
        String bad = Schema.helloHeader(hello);
        if (bad != null) {
            refuse(ch, bad, null, bad);
            return null;
        }
        JsonObject welcome = hs.verify(hello);
        if (welcome == null) {
            refuse(ch, "authentication failed", Handshake.BAD_KEY, "bad key");
            return null;
        }
        String invalid = Schema.hello(hello);
        if (invalid != null) {
            refuse(ch, "invalid hello: " + invalid, null, "invalid hello from this user: " + invalid);
            return null;
        }
        ch.send(welcome);
        hs.authenticate(ch);
        return hello;
    }

    /** Sends an (unauthenticated) refusal and logs who was refused and why. */
    private void refuse(LineChannel ch, String reason, String code, String logReason) {
        log.warn("refused " + peer(ch) + ": " + logReason);
        try {
            ch.send(Handshake.Server.refusal(reason, code));
        } catch (IOException gone) {
            // it left already
        }
    }

    /** The peer as a refusal's log line names it: address, and for this host its user. */
    private static String peer(LineChannel ch) {
        return LocalPeers.describe(ch.remoteAddress(), ch.localAddress());
    }

    private void serveParticipant(LineChannel ch, JsonObject hello) throws IOException {
        Outbox outbox = new Outbox(ch);
        boolean onThisHost = LocalPeers.uidOf(ch.remoteAddress(), ch.localAddress()) != null;
        BarrierEngine.Peer peer = new BarrierEngine.Peer() {
            @Override
            public void send(JsonObject m) {
                outbox.send(m);
            }

            @Override
            public void disconnect() {
                ch.close();
            }

            @Override
            public String remoteHost() {
                return ch.remoteHost();
            }

            @Override
            public boolean onThisHost() {
                return onThisHost;
            }
        };
        int id;
        try {
            id = engine.join(peer, hello).join();
        } catch (java.util.concurrent.CompletionException e) {
            log.warn("could not admit a participant from " + ch.remote() + ": " + e.getCause());
            outbox.close();
            return;
        }
        if (id < 0) {
            outbox.close();
            return; // refused; the reason was sent
        }
        try {
            for (;;) {
                JsonObject m = ch.receive();
                if (m == null) {
                    break;
                }
                String invalid = Schema.participant(m);
                if (invalid != null) {
                    engine.invalid(id, invalid);
                    break;
                }
                engine.message(id, m);
            }
        } catch (LineChannel.ProtocolException e) {
            engine.invalid(id, e.getMessage());
        } finally {
            outbox.close();
            if (!closed) { // a closed engine takes no more events
                engine.disconnected(id);
            }
        }
    }

    private void serveCommands(LineChannel ch) throws IOException {
        for (;;) {
            JsonObject cmd;
            try {
                cmd = ch.receive();
            } catch (LineChannel.ProtocolException e) {
                log.warn("disconnected the command client " + ch.remote() + ": " + e.getMessage());
                return;
            }
            if (cmd == null) {
                return;
            }
            String invalid = Schema.command(cmd);
            if (invalid != null) {
                log.warn("disconnected the command client " + ch.remote() + ": " + invalid);
                return;
            }
            String verb = Msg.str(cmd, "verb", "");
            CompletableFuture<RoundResult> round = null;
            if (Msg.CMD_BCHECKPOINT.equals(verb)) {
                round = engine.checkpoint();
                awaitRound(ch, round);
            }
            ch.send(answer(verb, Msg.str(cmd, "value", ""), round));
        }
    }

    /** How long a round runs before a -bc client is sent its progress, and how often. */
    static final long PROGRESS_AFTER_MILLIS = Long.getLong("dmtcp.progressAfterMillis", 1000);
    static final long PROGRESS_EVERY_MILLIS = 250;

    /**
     * Waits for the round a -bc started, sending its client a {@link Msg#PROGRESS} line (text
     * and data) every 250 ms once it has run a second, whenever a participant reported more.
     */
    private void awaitRound(LineChannel ch, CompletableFuture<RoundResult> round) throws IOException {
        long start = System.nanoTime();
        String last = "";
        for (;;) {
            try {
                round.get(PROGRESS_EVERY_MILLIS, TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.TimeoutException e) {
                // still running
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                return; // answer() reports it
            }
            if ((System.nanoTime() - start) / 1_000_000 < PROGRESS_AFTER_MILLIS) {
                continue;
            }
            Map<String, Object> p = engine.progress();
            String text = Reports.progressLine(p);
            if (text.isEmpty() || text.equals(last)) {
                continue;
            }
            last = text;
            JsonObject m = Msg.of(Msg.PROGRESS);
            m.addProperty("text", text);
            m.add("data", GSON.toJsonTree(p));
            ch.send(m);
        }
    }

    private static final Gson GSON = new Gson();

    /** Runs one dmtcp_command verb; the reply has ok, text (for people) and data (for --json). */
    JsonObject answer(String verb, String value) {
        return answer(verb, value, null);
    }

    /** As {@link #answer(String, String)}; {@code round}: the round a -bc already started and waited for. */
    private JsonObject answer(String verb, String value, CompletableFuture<RoundResult> round) {
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
                if (engine.size() == 0 && engine.announced() == 0) {
                    ok = false;
                    text = "no processes to checkpoint";
                } else {
                    engine.checkpoint();
                    text = "checkpoint started";
                }
                data = Map.of("started", ok);
            }
            case Msg.CMD_BCHECKPOINT -> {
                RoundResult res = (round != null ? round : engine.checkpoint()).join();
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
