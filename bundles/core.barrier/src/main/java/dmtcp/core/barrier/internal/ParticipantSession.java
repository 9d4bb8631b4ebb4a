package dmtcp.core.barrier.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dmtcp.core.barrier.api.Stage;
import dmtcp.core.barrier.protocol.Handshake;
import dmtcp.core.barrier.protocol.LineChannel;
import dmtcp.core.barrier.protocol.Msg;
import dmtcp.core.barrier.protocol.UserKey;
import dmtcp.core.barrier.spi.BarrierHook;
import dmtcp.core.barrier.spi.ImagePlacement;
import dmtcp.core.barrier.spi.RestoredProcess;
import dmtcp.core.barrier.spi.StageContext;
import dmtcp.core.barrier.spi.SubBarrier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A participant's side of the barrier protocol: one connection to the coordinator, a
 * reader thread that dispatches its messages, and a stage thread that runs the plugins'
 * hooks for each stage in layer order (reverse order for resume and restart).
 */
public final class ParticipantSession implements AutoCloseable {

    /** A registered hook with its layer and name, as the whiteboard found it. */
    public record Hook(BarrierHook hook, int layer, String name) {}

    /** What the session reports and asks of its owner. */
    public interface Owner {
        /** The processes this participant speaks for. */
        List<StageContext.Process> processes();

        /** The processes a restart round rebuilt and holds stopped (see {@link StageContext#restored()}). */
        List<RestoredProcess> restored();

        /** The coordinator asked to kill the computation. */
        void kill();

        /** The coordinator connection ended (the coordinator quit or died). */
        void disconnected();
    }

    private final LineChannel channel;
    private final Supplier<List<Hook>> registry;
    private final Owner owner;
    private final Reporter log;
    private final Path checkpointDir;
    private final ExecutorService stageThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dmtcp-participant-stages");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, CompletableFuture<Void>> barriers = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<String>> queries = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private volatile int id;
    private volatile long round;
    private volatile List<Hook> roundHooks = List.of();
    /** In a restart round CHECKPOINTED only marks that every process is rebuilt: no checkpoint hooks run. */
    private volatile boolean restartRound;
    /** Images of the current round: temporary path to target path. */
    private final Map<Path, Path> images = Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    private volatile Supplier<ImagePlacement> placement = () -> null;
    private final ImageCommit commit = new ImageCommit(() -> placement.get());
    private volatile boolean closed;
    private Thread reader;

    public ParticipantSession(LineChannel channel, Supplier<List<Hook>> registry, Owner owner, Reporter log,
            Path checkpointDir) {
        this.log = log;
        this.channel = channel;
        this.registry = registry;
        this.owner = owner;
        this.checkpointDir = checkpointDir;
    }

    /**
     * Authenticates (the {@link Handshake} with this user's key), says hello and waits to
     * be admitted, then starts reading.
     *
     * @param hello the hello message (role, name, host, pid, procs, ...)
     * @return this participant's id
     * @throws Handshake.Refused when the coordinator refused the handshake (e.g. another user's key)
     * @throws Handshake.NotProven when the other end could not prove it is this user's coordinator
     * @throws Refused when the coordinator did not let this participant in
     * @throws IOException when the connection breaks
     */
    public int open(UserKey key, JsonObject hello, int timeoutMillis) throws IOException {
        Handshake.join(channel, key, hello, timeoutMillis);
        channel.setReadTimeout(timeoutMillis);
        JsonObject answer = channel.receive();
        channel.setReadTimeout(0);
        if (answer == null) {
            throw new IOException("coordinator closed the connection before admitting this participant");
        }
        if (!Msg.ADMITTED.equals(Msg.type(answer))) {
            throw new Refused(Msg.str(answer, "reason", answer.toString()));
        }
        id = (int) Msg.num(answer, "id", 0);
        long waiting = Msg.num(answer, "waiting", 0);
        if (waiting > 0) {
            log.info("coordinator is in round " + waiting + "; joining when it ends");
        }
        reader = new Thread(this::readLoop, "dmtcp-participant-reader");
        reader.setDaemon(true);
        reader.start();
        return id;
    }

    public int id() {
        return id;
    }

    /** Tells the coordinator which processes this participant now speaks for. */
    public void updateProcesses() {
        if (closed) {
            return; // this session has left the computation
        }
        JsonObject m = Msg.of(Msg.PROCS);
        m.add("procs", procsJson(owner.processes()));
        send(m);
    }

    public static JsonArray procsJson(List<StageContext.Process> procs) {
        JsonArray a = new JsonArray();
        for (StageContext.Process p : procs) {
            JsonObject o = new JsonObject();
            o.addProperty("pid", p.pid());
            o.addProperty("name", p.name());
            o.addProperty("uid", p.uniqueId());
            a.add(o);
        }
        return a;
    }

    @Override
    public void close() {
        closed = true;
        channel.close();
        stageThread.shutdown();
    }

    // ------------------------------------------------------------------ reading

    private void readLoop() {
        try {
            for (;;) {
                JsonObject m = channel.receive();
                if (m == null) {
                    break;
                }
                dispatch(m);
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                log.warn("coordinator connection broke: " + e.getMessage());
            }
            channel.close();
        }
        failWaits("the coordinator connection ended");
        if (!closed) {
            // resume whatever a round had stopped, then tell the owner
            stageThread.execute(() -> runResume("coordinator connection lost"));
            stageThread.execute(owner::disconnected);
        }
    }

    private void dispatch(JsonObject m) {
        switch (Msg.type(m)) {
            case Msg.ROUND_BEGIN -> {
                long r = Msg.num(m, "round", 0);
                boolean restart = "restart".equals(Msg.str(m, "kind", "checkpoint"));
                stageThread.execute(() -> beginRound(r, restart));
            }
            case Msg.STAGE -> {
                long r = Msg.num(m, "round", 0);
                Stage s = Stage.valueOf(Msg.str(m, "stage", ""));
                stageThread.execute(() -> runStage(r, s));
            }
            case Msg.RELEASE -> barrier(Msg.str(m, "name", "")).complete(null);
            case Msg.REPLY -> {
                CompletableFuture<String> q = queries.remove(Msg.num(m, "req", 0));
                if (q != null) {
                    q.complete(Msg.str(m, "value", null));
                }
            }
            case Msg.ABORT -> {
                String reason = Msg.str(m, "reason", "");
                failWaits("round aborted: " + reason);
                stageThread.execute(() -> runResume("round " + Msg.num(m, "round", 0) + " aborted: " + reason));
            }
            case Msg.ROUND_END -> log.debug("round " + Msg.num(m, "round", 0) + " ended");
            case Msg.KILL -> owner.kill();
            default -> log.warn("unknown message from the coordinator: " + Msg.type(m));
        }
    }

    private CompletableFuture<Void> barrier(String name) {
        return barriers.computeIfAbsent(name, k -> new CompletableFuture<>());
    }

    private void failWaits(String why) {
        IllegalStateException e = new IllegalStateException(why);
        barriers.values().forEach(f -> f.completeExceptionally(e));
        queries.values().forEach(f -> f.completeExceptionally(e));
    }

    // ------------------------------------------------------------------ stages (stage thread)

    private void beginRound(long r, boolean restart) {
        round = r;
        restartRound = restart;
        barriers.clear();
        images.clear();
        List<Hook> hooks = new ArrayList<>(registry.get());
        hooks.sort((a, b) -> Integer.compare(a.layer(), b.layer()));
        roundHooks = List.copyOf(hooks);
        List<String> plan = new ArrayList<>();
        for (Hook h : roundHooks) {
            for (SubBarrier b : h.hook().barriers()) {
                if (b.global()) {
                    plan.add(b.name());
                }
            }
        }
        log.debug("round " + r + ": " + roundHooks.size() + " plugin(s), sub-barriers " + plan);
        JsonObject m = Msg.of(Msg.PLAN);
        m.addProperty("round", r);
        m.add("barriers", Msg.array(plan));
        send(m);
    }

    private void runStage(long r, Stage stage) {
        JsonObject done = Msg.of(Msg.STAGE_DONE);
        done.addProperty("round", r);
        done.addProperty("stage", stage.name());
        Context ctx = new Context(stage, r);
        long t0 = System.nanoTime();
        try {
            if (stage == Stage.REFILLED) {
                commitImages();
            }
            List<Hook> order = new ArrayList<>(roundHooks);
            if (stage.reverseOrder()) {
                Collections.reverse(order);
            }
            boolean hooks = !(restartRound && stage == Stage.CHECKPOINTED);
            for (Hook h : hooks ? order : List.<Hook>of()) {
                try {
                    invoke(h.hook(), stage, ctx);
                } catch (Exception e) {
                    throw new StageFailure(h.name() + " failed in " + stage + ": " + describe(e), e);
                }
            }
            for (Hook h : order) {
                for (SubBarrier b : h.hook().barriers()) {
                    if (b.stage() == stage) {
                        if (b.global()) {
                            ctx.awaitBarrier(b.name(), Duration.ofMinutes(10));
                        }
                        try {
                            b.action().run(ctx);
                        } catch (Exception e) {
                            throw new StageFailure(h.name() + " failed at sub-barrier " + b.name() + ": "
                                    + describe(e), e);
                        }
                    }
                }
            }
            done.addProperty("ok", true);
            if (stage == Stage.CHECKPOINTED) {
                List<String> targets = new ArrayList<>();
                images.values().forEach(p -> targets.add(p.toString()));
                done.add("images", Msg.array(targets));
            }
            log.debug("stage " + stage + " done locally in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
        } catch (Exception e) {
            String msg = e instanceof StageFailure ? e.getMessage() : describe(e);
            log.warn("round " + r + ": " + msg);
            done.addProperty("ok", false);
            done.addProperty("error", msg);
        }
        if (stage == Stage.RUNNING) {
            // the round is over here: nothing is stopped any more, so a later abort or a lost
            // coordinator must not resume again (nor call hooks that have since gone away)
            roundHooks = List.of();
        }
        send(done);
    }

    private static void invoke(BarrierHook h, Stage stage, StageContext ctx) throws Exception {
        switch (stage) {
            case SUSPENDED -> h.suspend(ctx);
            case FD_LEADER_ELECTION -> h.electLeaders(ctx);
            case DRAINED -> h.drain(ctx);
            case CHECKPOINTED -> h.checkpoint(ctx);
            case REFILLED -> h.refill(ctx);
            case RUNNING -> h.resume(ctx);
            case RESTARTING -> h.restart(ctx);
            default -> throw new IllegalStateException("no hook for " + stage);
        }
    }

    /** After an abort or a lost coordinator: every plugin's abort hook (by default: resume), temporary images go. */
    private void runResume(String why) {
        if (roundHooks.isEmpty() && images.isEmpty()) {
            log.debug(why + "; no round in progress here, nothing to resume");
            return;
        }
        log.warn(why + "; resuming");
        List<Hook> order = new ArrayList<>(roundHooks);
        Collections.reverse(order);
        Context ctx = new Context(Stage.RUNNING, round);
        for (Hook h : order) {
            try {
                h.hook().abort(ctx, why);
            } catch (Exception e) {
                log.warn(h.name() + " failed to resume: " + describe(e));
            }
        }
        synchronized (images) {
            for (Path tmp : images.keySet()) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    log.warn("could not delete " + tmp + ": " + e.getMessage());
                }
            }
            images.clear();
        }
        roundHooks = List.of();
    }

    /** The faster way to put images in place that a bundle offers, asked at each commit (null: rename them). */
    public void imagePlacement(Supplier<ImagePlacement> p) {
        placement = p;
    }

    /**
     * Every participant wrote its images: put ours in place (rename is atomic on one file
     * system; the images they replace are removed off the round, see {@link ImageCommit}).
     */
    private void commitImages() throws IOException {
        synchronized (images) {
            for (Map.Entry<Path, Path> e : images.entrySet()) {
                if (!e.getKey().equals(e.getValue())) {
                    commit.replace(e.getKey(), e.getValue());
                }
            }
        }
    }

    private void send(JsonObject m) {
        try {
            channel.send(m);
        } catch (IOException e) {
            log.warn("could not send " + Msg.type(m) + " to the coordinator: " + e.getMessage());
        }
    }

    private static String describe(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getMessage() == null) {
            c = c.getCause();
        }
        return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
    }

    /** The coordinator said no to this participant (it will not be let in by trying again). */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason);
        }
    }

    private static final class StageFailure extends Exception {
        private static final long serialVersionUID = 1L;

        StageFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final class Context implements StageContext {
        private final Stage stage;
        private final long round;

        Context(Stage stage, long round) {
            this.stage = stage;
            this.round = round;
        }

        @Override
        public Stage stage() {
            return stage;
        }

        @Override
        public long round() {
            return round;
        }

        @Override
        public int participantId() {
            return id;
        }

        @Override
        public List<Process> processes() {
            return owner.processes();
        }

        @Override
        public List<RestoredProcess> restored() {
            return owner.restored();
        }

        @Override
        public Path checkpointDir() {
            return checkpointDir;
        }

        @Override
        public void publish(String key, String value) {
            JsonObject m = Msg.of(Msg.PUBLISH);
            m.addProperty("key", key);
            m.addProperty("value", value);
            send(m);
        }

        @Override
        public Optional<String> query(String key) {
            long req = requests.incrementAndGet();
            CompletableFuture<String> f = new CompletableFuture<>();
            queries.put(req, f);
            JsonObject m = Msg.of(Msg.QUERY);
            m.addProperty("req", req);
            m.addProperty("key", key);
            send(m);
            try {
                return Optional.ofNullable(f.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                throw new IllegalStateException("query '" + key + "' got no answer from the coordinator: "
                        + describe(e), e);
            } finally {
                queries.remove(req);
            }
        }

        @Override
        public void awaitBarrier(String name, Duration timeout) throws Exception {
            CompletableFuture<Void> f = barrier(name);
            JsonObject m = Msg.of(Msg.BARRIER);
            m.addProperty("round", round);
            m.addProperty("name", name);
            send(m);
            try {
                f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new java.util.concurrent.TimeoutException("sub-barrier " + name + " not released within "
                        + timeout.toSeconds() + " s");
            } finally {
                barriers.remove(name);
            }
        }

        @Override
        public void addImage(Path temporary, Path target) {
            images.put(temporary, target);
        }

        @Override
        public void progress(long done, long total) {
            long now = System.nanoTime();
            synchronized (this) {
                if (now - lastProgress < 100_000_000L && done < total) {
                    return;
                }
                lastProgress = now;
            }
            JsonObject m = Msg.of(Msg.PROGRESS);
            m.addProperty("round", round);
            m.addProperty("done", Math.max(0, done));
            m.addProperty("total", Math.max(0, total));
            send(m);
        }

        private long lastProgress = System.nanoTime() - 1_000_000_000L;
    }
}
