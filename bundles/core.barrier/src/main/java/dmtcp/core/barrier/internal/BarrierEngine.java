package dmtcp.core.barrier.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dmtcp.core.barrier.api.RoundResult;
import dmtcp.core.barrier.api.Stage;
import dmtcp.core.barrier.protocol.Msg;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The coordinator's barrier engine: who takes part in the computation, and the state
 * machine of checkpoint and restart rounds (doc/barrier-protocol.md). Every event (a
 * join, a message, a disconnect, a timeout, a command) is handled on one thread, so the
 * state needs no locks and the order of events is the order of handling.
 *
 * <p>A round snapshots its members when it begins; a participant joining meanwhile is
 * held back and admitted when the round ends. A member that leaves, fails a stage or
 * does not answer within the stage timeout aborts the round: the others resume, and the
 * failure names the culprit. A member that did not answer is also dropped (disconnected),
 * and so is one that breaks the protocol: neither can wedge a later round.
 *
 * <p>Every message reaching {@link #message} was validated against {@link Schema}; an
 * event that still throws drops the member it came from, never the engine thread.
 */
public final class BarrierEngine implements AutoCloseable {

    /** The engine's view of one connection. */
    public interface Peer {
        /** Sends a message; a broken connection is reported later as a disconnect. */
        void send(JsonObject message);

        /** Closes the connection. */
        void disconnect();

        /** The peer's address, for listings. */
        String remoteHost();

        /** Whether the peer connected from this host (its committed images can be checked here). */
        boolean onThisHost();
    }

    /** What the engine tells its owner besides its log; called on the engine's thread. */
    public interface Listener {
        /**
         * Every participant of checkpoint round {@code round} has written its images (under
         * temporary names): prepare the restart script naming them.
         *
         * @throws IOException aborts the round (nothing is committed yet), with its message as the reason
         */
        default void imagesWritten(long round, List<String> images) throws IOException {}

        /**
         * Checkpoint round {@code round} ended well: put the prepared restart script in place.
         *
         * @throws IOException makes the round's result a failure (its images are already committed)
         */
        default void roundCommitted(long round) throws IOException {}

        /** Checkpoint round {@code round} was aborted: discard what imagesWritten prepared. */
        default void roundAborted(long round) {}

        /** The last participant left (for --exit-on-last). */
        default void lastParticipantLeft() {}
    }

    static final class Member {
        final int id;
        final Peer peer;
        final String role;
        String name;
        final String host;
        final long launcherPid;
        JsonArray procs;
        String state = Stage.RUNNING.name();
        Set<String> plan = Set.of();
        /** restart role: images this restarter holds, and the computation's total. */
        final int images;
        final int expect;
        /** A restarter whose restart round has begun: it is never restarted again. */
        boolean restarted;
        /** Bytes this member has put into the key/value store this round. */
        long stored;
        /** Its progress in the round's current stage (StageContext.progress): bytes done, of total, since when. */
        long progressDone;
        long progressTotal;
        long progressSince;
        Stage progressStage;

        Member(int id, Peer peer, JsonObject hello) {
            this.id = id;
            this.peer = peer;
            this.role = Msg.str(hello, "role", Msg.ROLE_LAUNCH);
            this.name = Msg.str(hello, "name", "?");
            this.host = Msg.str(hello, "host", peer.remoteHost());
            this.launcherPid = Msg.num(hello, "pid", 0);
            JsonElement p = hello.get("procs");
            this.procs = p != null && p.isJsonArray() ? p.getAsJsonArray() : new JsonArray();
            this.images = (int) Msg.num(hello, "images", 0);
            this.expect = (int) Msg.num(hello, "expect", 0);
        }

        String describe() {
            return "participant " + id + " (" + name + pidList() + "@" + host + ")";
        }

        String pidList() {
            List<String> pids = new ArrayList<>();
            for (JsonElement e : procs) {
                pids.add(String.valueOf(Msg.num(e.getAsJsonObject(), "pid", 0)));
            }
            return pids.isEmpty() ? "" : "[" + String.join(",", pids) + "]";
        }
    }

    private final class Round {
        final long number;
        final boolean restart;
        final List<Stage> stages;
        final Map<Integer, Member> members = new LinkedHashMap<>();
        final Set<Integer> waiting = new LinkedHashSet<>();
        final Map<String, Set<Integer>> arrivals = new HashMap<>();
        final List<String> images = new ArrayList<>();
        /** Who reported each image, to name it when the image is refused. */
        final Map<String, Member> imageOwners = new HashMap<>();
        final List<CompletableFuture<RoundResult>> waiters = new ArrayList<>();
        final long started = System.nanoTime();
        /** -1 while the members are sending their plans. */
        int stageIndex = -1;
        long stageStarted = System.nanoTime();
        ScheduledFuture<?> timeout;

        Round(long number, boolean restart, List<Member> who) {
            this.number = number;
            this.restart = restart;
            this.stages = restart ? Stage.RESTART : Stage.CHECKPOINT;
            for (Member m : who) {
                members.put(m.id, m);
            }
        }

        String phase() {
            return stageIndex < 0 ? "round start" : "stage " + stages.get(stageIndex);
        }
    }

    /** Bytes of keys and values the store holds at most; a publish beyond it drops its sender. */
    static final long STORE_LIMIT = 64L << 20;

    private final ScheduledExecutorService loop;
    /** How long a checkpoint waits for launchers that announced themselves and have not joined. */
    static final long ANNOUNCED_WAIT_MILLIS = 30_000;
    /** Announced launchers (their token) and when they announced, in nanoTime. */
    private final Map<String, Long> announced = new java.util.HashMap<>();
    /** Checkpoints asked for while launchers were announced. */
    private final List<CompletableFuture<RoundResult>> deferred = new ArrayList<>();
    private java.util.concurrent.ScheduledFuture<?> deferTimeout;
    private final Reporter log;
    private final Listener listener;
    private final Map<Integer, Member> members = new LinkedHashMap<>();
    private final Map<Integer, Member> pending = new LinkedHashMap<>();
    private final Map<String, String> store = new HashMap<>();
    private long storeBytes;
    /** The coordinator's uid: every committed image must be owned by it. */
    private final int uid = dmtcp.core.barrier.protocol.UserKey.currentUid();
    private Round round;
    private long rounds;
    private int nextId = 1;
    private boolean everJoined;
    private long stageTimeoutMillis;
    private int intervalSeconds;
    private ScheduledFuture<?> intervalTask;
    private RoundResult last;

    public BarrierEngine(Reporter log, Listener listener, long stageTimeoutMillis) {
        this.log = log;
        this.listener = listener;
        this.stageTimeoutMillis = stageTimeoutMillis;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dmtcp-barrier-engine");
            t.setDaemon(true);
            return t;
        });
    }

    // ---------------------------------------------------------------- public events

    /**
     * An authenticated participant said hello (validated against {@link Schema}); the
     * engine answers {@code admitted} or {@code refused}.
     *
     * @return its id once it is admitted or queued, -1 when refused
     */
    public CompletableFuture<Integer> join(Peer peer, JsonObject hello) {
        return submit(() -> {
            String running = stillRunning(hello);
            if (running != null) {
                JsonObject no = Msg.of(Msg.REFUSED);
                no.addProperty("reason", running);
                peer.send(no);
                log.warn("refused a restarter: " + running);
                return -1;
            }
            Member m = new Member(nextId++, peer, hello);
            boolean wasAnnounced = announced.remove(Msg.str(hello, "announce", "")) != null;
            String who = m.describe();
            everJoined = true;
            JsonObject admitted = Msg.of(Msg.ADMITTED);
            admitted.addProperty("id", m.id);
            if (round != null) {
                pending.put(m.id, m);
                admitted.addProperty("waiting", round.number);
                peer.send(admitted);
                log.info(who + " joined during round " + round.number + ": admitted when it ends");
            } else {
                members.put(m.id, m);
                peer.send(admitted);
                log.info(who + " joined as " + m.role);
                maybeStartRestart();
            }
            if (wasAnnounced) {
                startDeferred();
            }
            return m.id;
        });
    }

    /** Why a restarter may not join (a process of its images still runs here), or null. */
    private String stillRunning(JsonObject hello) {
        if (!Msg.ROLE_RESTART.equals(Msg.str(hello, "role", ""))) {
            return null;
        }
        Set<String> uids = new HashSet<>(Msg.strings(hello, "uids"));
        for (Member m : all()) {
            for (JsonElement e : m.procs) {
                JsonObject p = e.getAsJsonObject();
                if (uids.contains(Msg.str(p, "uid", ""))) {
                    return "process " + Msg.str(p, "name", "?") + " (unique id " + Msg.str(p, "uid", "")
                            + ") is still running as pid " + Msg.num(p, "pid", 0) + " under " + m.describe()
                            + "; stop it first (dmtcp_command --kill)";
                }
            }
        }
        return null;
    }

    /** A message from participant {@code id}, valid by {@link Schema#participant}. */
    public void message(int id, JsonObject msg) {
        post(() -> {
            try {
                handle(id, msg);
            } catch (RuntimeException e) {
                Member m = find(id);
                if (m != null) {
                    drop(m, "its " + Msg.type(msg) + " message could not be handled (" + e + ")");
                }
            }
        });
    }

    /** Participant {@code id} broke the protocol ({@code why}): it is dropped. */
    public void invalid(int id, String why) {
        post(() -> {
            Member m = find(id);
            if (m != null) {
                drop(m, "it broke the protocol: " + why);
            }
        });
    }

    /** Participant {@code id}'s connection ended. */
    public void disconnected(int id) {
        post(() -> leave(id));
    }

    /**
     * A launcher said it is about to spawn its program and join ({@code token}, its
     * announcement): a checkpoint asked for before it joins waits for it, so that a program
     * whose first line the user has seen is in the round (see doc/barrier-protocol.md).
     */
    public void announce(String token) {
        post(() -> announced.put(token, System.nanoTime()));
    }

    /** The announcement's connection ended (the launcher joined, or died, or gave up). */
    public void unannounce(String token) {
        post(() -> {
            if (announced.remove(token) != null) {
                startDeferred();
            }
        });
    }

    /** Whether {@code token} is announced and its participant has not joined. */
    public boolean isAnnounced(String token) {
        return call(() -> announced.containsKey(token));
    }

    /** Launchers announced and not yet joined. */
    public int announced() {
        return call(announced::size);
    }

    /**
     * The checkpoints asked for while launchers were announced: once every announced launcher
     * joined or went away (or {@link #ANNOUNCED_WAIT_MILLIS} passed), one round for all.
     */
    private void startDeferred() {
        if (deferred.isEmpty() || round != null) {
            return;
        }
        if (!announced.isEmpty()) {
            long oldest = announced.values().stream().mapToLong(Long::longValue).min().orElse(System.nanoTime());
            if (System.nanoTime() - oldest < ANNOUNCED_WAIT_MILLIS * 1_000_000L) {
                return;
            }
            log.warn(announced.size() + " launcher(s) announced " + ANNOUNCED_WAIT_MILLIS / 1000
                    + " s ago have not joined: checkpointing without them");
            announced.clear();
        }
        if (deferTimeout != null) {
            deferTimeout.cancel(false);
            deferTimeout = null;
        }
        List<CompletableFuture<RoundResult>> w = new ArrayList<>(deferred);
        deferred.clear();
        if (members.isEmpty()) {
            w.forEach(f -> f.complete(new RoundResult(rounds, false, "no processes to checkpoint", List.of(), 0)));
            return;
        }
        Round r = begin(false, List.copyOf(members.values()));
        r.waiters.addAll(w);
    }

    /** Starts a checkpoint round, or returns the running round's outcome. */
    public CompletableFuture<RoundResult> checkpoint() {
        CompletableFuture<RoundResult> result = new CompletableFuture<>();
        post(() -> {
            if (round != null) {
                if (round.restart) {
                    result.complete(new RoundResult(round.number, false,
                            "a restart is in progress; checkpoint again once it is done", List.of(), 0));
                } else {
                    round.waiters.add(result);
                }
                return;
            }
            if (!announced.isEmpty()) {
                deferred.add(result);
                if (deferTimeout == null) {
                    log.info("the checkpoint waits for " + announced.size() + " launcher(s) about to join");
                    deferTimeout = loop.schedule(() -> post(this::startDeferred), ANNOUNCED_WAIT_MILLIS + 10,
                            TimeUnit.MILLISECONDS);
                }
                return;
            }
            if (members.isEmpty()) {
                result.complete(new RoundResult(rounds, false, "no processes to checkpoint", List.of(), 0));
                return;
            }
            Round r = begin(false, List.copyOf(members.values()));
            r.waiters.add(result);
        });
        return result;
    }

    /** Sends kill to every participant; returns how many were told. */
    public int kill() {
        return call(() -> {
            int n = 0;
            for (Member m : all()) {
                m.peer.send(Msg.of(Msg.KILL));
                n++;
            }
            log.info("kill sent to " + n + " participant(s)");
            return n;
        });
    }

    /** Sets the stage timeout; a stage in progress gets the new timeout from now. */
    public void setStageTimeoutMillis(long millis) {
        post(() -> {
            stageTimeoutMillis = millis;
            if (round != null) {
                armTimeout();
            }
        });
    }

    /** Checkpoints every {@code seconds} while there are participants; 0 turns it off. */
    public void setInterval(int seconds) {
        post(() -> {
            intervalSeconds = Math.max(0, seconds);
            if (intervalTask != null) {
                intervalTask.cancel(false);
                intervalTask = null;
            }
            if (intervalSeconds > 0) {
                intervalTask = loop.scheduleWithFixedDelay(this::intervalTick, intervalSeconds, intervalSeconds,
                        TimeUnit.SECONDS);
            }
        });
    }

    public int interval() {
        return call(() -> intervalSeconds);
    }

    /** Number of participants, including those waiting for the current round to end. */
    public int size() {
        return call(() -> members.size() + pending.size());
    }

    /** True when no round is in progress. */
    public boolean idle() {
        return call(() -> round == null);
    }

    /** The outcome of the last finished round, or null. */
    public RoundResult lastResult() {
        return call(() -> last);
    }

    /**
     * How far the round in progress is, for the people waiting: its number, stage, seconds
     * since it began, and each participant that reported progress in this stage (name,
     * bytes done and total, rate in bytes/s). Null when no round runs.
     */
    public Map<String, Object> progress() {
        return call(() -> round == null ? null : progressOf(round));
    }

    private Map<String, Object> progressOf(Round round) {
        Map<String, Object> p = new LinkedHashMap<>();
        Stage st = round.stageIndex < 0 ? null : round.stages.get(round.stageIndex);
        p.put("round", round.number);
        p.put("stage", st == null ? "start" : st.name());
        p.put("seconds", (System.nanoTime() - round.started) / 1e9);
        List<Map<String, Object>> who = new ArrayList<>();
        long now = System.nanoTime();
        for (Member m : round.members.values()) {
            if (m.progressStage != st || m.progressTotal <= 0) {
                continue;
            }
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("participant", m.name + m.pidList() + "@" + m.host);
            w.put("done", m.progressDone);
            w.put("total", m.progressTotal);
            double secs = (now - m.progressSince) / 1e9;
            w.put("bytesPerSecond", secs > 0.05 ? (long) (m.progressDone / secs) : 0L);
            who.add(w);
        }
        p.put("participants", who);
        return p;
    }

    /** Engine facts for status: peers, running, current round and stage. */
    public Map<String, Object> snapshot() {
        return call(() -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("NUM_PEERS", members.size() + pending.size());
            if (!announced.isEmpty()) {
                s.put("Launchers about to join", announced.size());
            }
            s.put("RUNNING", round == null && !members.isEmpty() ? "yes" : "no");
            s.put("Round", round == null ? "none in progress" : round.number + " (" + round.phase() + ")");
            if (round != null) {
                String done = Reports.progressLine(progressOf(round));
                if (!done.isEmpty()) {
                    s.put("Progress", done);
                }
            }
            s.put("Rounds completed", rounds);
            s.put("Last round", last == null ? "none" : (last.ok() ? "ok: " : "FAILED: ") + last.message());
            return s;
        });
    }

    /** One row per participant, in id order. */
    public List<Map<String, Object>> list() {
        return call(() -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Member m : all()) {
                rows.add(row(m));
            }
            return rows;
        });
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }

    // ---------------------------------------------------------------- internals (engine thread)

    private static Map<String, Object> row(Member m) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", m.id);
        r.put("name", m.name);
        r.put("host", m.host);
        r.put("role", m.role);
        r.put("launcherPid", m.launcherPid);
        List<Map<String, Object>> procs = new ArrayList<>();
        for (JsonElement e : m.procs) {
            JsonObject p = e.getAsJsonObject();
            Map<String, Object> pr = new LinkedHashMap<>();
            pr.put("pid", Msg.num(p, "pid", 0));
            pr.put("name", Msg.str(p, "name", "?"));
            procs.add(pr);
        }
        r.put("procs", procs);
        r.put("state", m.state);
        return r;
    }

    private List<Member> all() {
        List<Member> a = new ArrayList<>(members.values());
        a.addAll(pending.values());
        return a;
    }

    private Member find(int id) {
        Member m = members.get(id);
        return m != null ? m : pending.get(id);
    }

    private void handle(int id, JsonObject msg) {
        Member m = find(id);
        if (m == null) {
            return;
        }
        String type = Msg.type(msg);
        switch (type) {
            case Msg.PLAN -> onPlan(m, msg);
            case Msg.STAGE_DONE -> onStageDone(m, msg);
            case Msg.BARRIER -> onBarrier(m, msg);
            case Msg.PUBLISH -> onPublish(m, msg);
            case Msg.QUERY -> {
                JsonObject reply = Msg.of(Msg.REPLY);
                reply.addProperty("req", Msg.num(msg, "req", 0));
                reply.addProperty("value", store.get(Msg.str(msg, "key", "")));
                m.peer.send(reply);
            }
            case Msg.PROGRESS -> {
                if (round != null && Msg.num(msg, "round", -1) == round.number && round.stageIndex >= 0) {
                    Stage st = round.stages.get(round.stageIndex);
                    if (m.progressStage != st) {
                        m.progressStage = st;
                        m.progressSince = System.nanoTime();
                    }
                    m.progressDone = Msg.num(msg, "done", 0);
                    m.progressTotal = Msg.num(msg, "total", 0);
                }
            }
            case Msg.PROCS -> {
                JsonElement p = msg.get("procs");
                if (p != null && p.isJsonArray()) {
                    m.procs = p.getAsJsonArray();
                    if ("?".equals(m.name) && m.procs.size() > 0) {
                        m.name = Msg.str(m.procs.get(0).getAsJsonObject(), "name", "?");
                    }
                }
            }
            default -> drop(m, "it sent an unknown message type '" + type + "'");
        }
    }

    private void onPublish(Member m, JsonObject msg) {
        String key = Msg.str(msg, "key", "");
        String value = Msg.str(msg, "value", null);
        String old = store.get(key);
        long delta = key.length() + (value == null ? 0 : value.length())
                - (store.containsKey(key) ? key.length() + (old == null ? 0 : old.length()) : 0);
        if (storeBytes + delta > STORE_LIMIT) {
            drop(m, "its publish of '" + abbreviate(key) + "' would grow the key/value store beyond "
                    + (STORE_LIMIT >> 20) + " MiB");
            return;
        }
        storeBytes += delta;
        store.put(key, value);
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    private boolean current(Member m, JsonObject msg) {
        return round != null && round.members.containsKey(m.id) && Msg.num(msg, "round", -1) == round.number;
    }

    private void onPlan(Member m, JsonObject msg) {
        if (!current(m, msg) || round.stageIndex >= 0) {
            return;
        }
        m.plan = new HashSet<>(Msg.strings(msg, "barriers"));
        round.waiting.remove(m.id);
        if (round.waiting.isEmpty()) {
            nextStage();
        }
    }

    private void onStageDone(Member m, JsonObject msg) {
        if (!current(m, msg) || round.stageIndex < 0) {
            return;
        }
        Stage stage = round.stages.get(round.stageIndex);
        if (!stage.name().equals(Msg.str(msg, "stage", ""))) {
            return;
        }
        if (!Msg.bool(msg, "ok", false)) {
            abort(m.describe() + " failed in " + stage + ": " + Msg.str(msg, "error", "no reason given"));
            return;
        }
        m.state = stage.name();
        for (String image : Msg.strings(msg, "images")) {
            String problem = ImagePaths.problem(image);
            Member other = round.imageOwners.get(image);
            if (problem == null && other != null) {
                problem = "it is also " + other.describe() + "'s";
            }
            if (problem != null) {
                abort(m.describe() + " reported an image the coordinator does not accept: "
                        + RestartScript.quote(image.replaceAll("\\p{Cntrl}", "?")) + ": " + problem);
                return;
            }
            round.images.add(image);
            round.imageOwners.put(image, m);
        }
        round.waiting.remove(m.id);
        if (round.waiting.isEmpty()) {
            nextStage();
        }
    }

    private void onBarrier(Member m, JsonObject msg) {
        if (!current(m, msg)) {
            return;
        }
        String name = Msg.str(msg, "name", "");
        if (!m.plan.contains(name)) {
            drop(m, "it waits at sub-barrier '" + abbreviate(name) + "', which its plan did not declare");
            return;
        }
        Set<Integer> arrived = round.arrivals.computeIfAbsent(name, k -> new HashSet<>());
        arrived.add(m.id);
        Set<Integer> required = round.members.values().stream()
                .filter(x -> x.plan.contains(name) || x.id == m.id)
                .map(x -> x.id).collect(Collectors.toSet());
        if (arrived.containsAll(required)) {
            log.debug("sub-barrier " + name + " released for " + required.size() + " participant(s)");
            JsonObject rel = Msg.of(Msg.RELEASE);
            rel.addProperty("round", round.number);
            rel.addProperty("name", name);
            for (int id : required) {
                round.members.get(id).peer.send(rel);
            }
            round.arrivals.remove(name);
        }
    }

    private void leave(int id) {
        Member m = find(id);
        if (m == null) {
            return; // dropped already
        }
        log.info(m.describe() + " left");
        remove(m, round == null ? null : m.describe() + " disconnected during " + round.phase() + " of round "
                + round.number);
    }

    /** Disconnects a member that broke the protocol or did not answer, and aborts the round it was in. */
    private void drop(Member m, String why) {
        log.warn("dropped " + m.describe() + ": " + why);
        m.peer.disconnect();
        remove(m, round == null ? null : m.describe() + " was dropped during " + round.phase() + " of round "
                + round.number + ": " + why);
    }

    /** Forgets a member; aborts the round it was in with {@code abortReason}. */
    private void remove(Member m, String abortReason) {
        members.remove(m.id);
        pending.remove(m.id);
        if (round != null && round.members.remove(m.id) != null) {
            abort(abortReason);
        }
        if (members.isEmpty() && pending.isEmpty() && everJoined) {
            listener.lastParticipantLeft();
        }
    }

    private void intervalTick() {
        if (round == null && !members.isEmpty()) {
            log.info("interval checkpoint (every " + intervalSeconds + " s)");
            begin(false, List.copyOf(members.values()));
        }
    }

    /** Starts a restart round once the restarters of a computation hold all its images. */
    private void maybeStartRestart() {
        if (round != null) {
            return;
        }
        List<Member> restarters = members.values().stream()
                .filter(m -> Msg.ROLE_RESTART.equals(m.role) && !m.restarted && m.expect > 0)
                .collect(Collectors.toList());
        if (restarters.isEmpty()) {
            return;
        }
        int have = restarters.stream().mapToInt(m -> m.images).sum();
        int expect = restarters.get(0).expect;
        if (have >= expect) {
            for (Member m : restarters) {
                m.state = Stage.RESTARTING.name();
                m.restarted = true;
            }
            begin(true, restarters);
        } else {
            log.info("restart: " + have + " of " + expect + " images present, waiting for the other restarters");
        }
    }

    private Round begin(boolean restart, List<Member> who) {
        round = new Round(++rounds, restart, who);
        store.clear();
        log.info((restart ? "restart" : "checkpoint") + " round " + round.number + " begins with "
                + who.size() + " participant(s)");
        JsonObject begin = Msg.of(Msg.ROUND_BEGIN);
        begin.addProperty("round", round.number);
        begin.addProperty("kind", restart ? "restart" : "checkpoint");
        round.waiting.addAll(round.members.keySet());
        for (Member m : who) {
            m.plan = Set.of();
            m.progressStage = null;
            m.peer.send(begin);
        }
        armTimeout();
        return round;
    }

    private void nextStage() {
        Round r = round;
        long now = System.nanoTime();
        if (r.stageIndex >= 0) {
            Stage reached = r.stages.get(r.stageIndex);
            log.info("round " + r.number + ": " + reached + " reached by "
                    + r.members.size() + " participant(s) in " + millis(now - r.stageStarted) + " ms");
            String failure = r.restart ? null : afterStage(r, reached);
            if (failure != null) {
                abort(failure);
                return;
            }
        } else {
            log.debug("round " + r.number + ": plans received in " + millis(now - r.stageStarted) + " ms");
        }
        r.stageIndex++;
        r.stageStarted = now;
        if (r.stageIndex == r.stages.size()) {
            finish();
            return;
        }
        Stage stage = r.stages.get(r.stageIndex);
        JsonObject msg = Msg.of(Msg.STAGE);
        msg.addProperty("round", r.number);
        msg.addProperty("stage", stage.name());
        r.waiting.addAll(r.members.keySet());
        r.arrivals.clear();
        log.debug("round " + r.number + ": entering " + stage);
        for (Member m : r.members.values()) {
            m.peer.send(msg);
        }
        armTimeout();
    }

    /**
     * What a checkpoint round does between stages: once every image is written, the
     * restart script is prepared; once they are committed, each must be a regular file of
     * the coordinator's user.
     *
     * @return why the round must abort, or null
     */
    private String afterStage(Round r, Stage reached) {
        if (reached == Stage.CHECKPOINTED && !r.images.isEmpty()) {
            try {
                listener.imagesWritten(r.number, List.copyOf(r.images));
            } catch (IOException | RuntimeException e) {
                return e.getMessage();
            }
        } else if (reached == Stage.REFILLED) {
            for (String image : r.images) {
                Member owner = r.imageOwners.get(image);
                String problem = owner.peer.onThisHost() ? ImagePaths.committedProblem(image, uid) : null;
                if (problem != null) {
                    return owner.describe() + " committed an image the restart script will not name: "
                            + RestartScript.quote(image) + ": " + problem;
                }
            }
        }
        return null;
    }

    /**
     * When the stage does not finish in time, the round is aborted and every member that
     * did not answer is dropped: a member that is gone or wedged would otherwise wedge every
     * later round too.
     */
    private void armTimeout() {
        Round r = round;
        if (r.timeout != null) {
            r.timeout.cancel(false);
        }
        int stageIndex = r.stageIndex;
        r.timeout = loop.schedule(() -> {
            if (round == r && r.stageIndex == stageIndex && !r.waiting.isEmpty()) {
                List<Member> culprits = r.waiting.stream().map(r.members::get).collect(Collectors.toList());
                String reason = r.phase() + " of round " + r.number + " timed out after " + stageTimeoutMillis
                        + " ms waiting for " + culprits.stream().map(Member::describe).collect(Collectors.joining(", "));
                for (Member m : culprits) {
                    log.warn("dropped " + m.describe() + ": it did not answer within the stage timeout");
                    m.peer.disconnect();
                    members.remove(m.id);
                    pending.remove(m.id);
                    r.members.remove(m.id);
                }
                abort(reason);
                if (members.isEmpty() && pending.isEmpty()) {
                    listener.lastParticipantLeft();
                }
            }
        }, stageTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void finish() {
        Round r = round;
        round = null;
        if (r.timeout != null) {
            r.timeout.cancel(false);
        }
        for (Member m : r.members.values()) {
            m.state = Stage.RUNNING.name();
            JsonObject end = Msg.of(Msg.ROUND_END);
            end.addProperty("round", r.number);
            m.peer.send(end);
        }
        long ms = millis(System.nanoTime() - r.started);
        String what = r.restart ? "restart" : "checkpoint";
        String message = what + " round " + r.number + " done in " + ms + " ms: " + r.members.size()
                + " participant(s), " + r.images.size() + " image(s)";
        boolean ok = true;
        if (!r.restart && !r.images.isEmpty()) {
            try {
                listener.roundCommitted(r.number);
            } catch (IOException | RuntimeException e) {
                ok = false;
                message = what + " round " + r.number + " FAILED after its images were committed: " + e.getMessage();
            }
        }
        RoundResult result = new RoundResult(r.number, ok, message, ok ? r.images : List.of(), ms);
        last = result;
        if (ok) {
            log.info(message);
        } else {
            log.warn(message);
        }
        r.waiters.forEach(w -> w.complete(result));
        admitPending();
    }

    private void abort(String reason) {
        Round r = round;
        round = null;
        if (r.timeout != null) {
            r.timeout.cancel(false);
        }
        JsonObject abort = Msg.of(Msg.ABORT);
        abort.addProperty("round", r.number);
        abort.addProperty("reason", reason);
        for (Member m : r.members.values()) {
            m.state = Stage.RUNNING.name();
            m.peer.send(abort);
        }
        if (!r.restart) {
            listener.roundAborted(r.number);
        }
        long ms = millis(System.nanoTime() - r.started);
        String message = (r.restart ? "restart" : "checkpoint") + " round " + r.number + " aborted: " + reason;
        log.warn(message + "; the previous checkpoint stays valid");
        RoundResult result = new RoundResult(r.number, false, message, List.of(), ms);
        last = result;
        r.waiters.forEach(w -> w.complete(result));
        admitPending();
    }

    private void admitPending() {
        if (pending.isEmpty()) {
            maybeStartRestart();
            return;
        }
        for (Member m : pending.values()) {
            members.put(m.id, m);
            log.info(m.describe() + " admitted after the round");
        }
        pending.clear();
        maybeStartRestart();
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** Queues an event; events after {@link #close()} are dropped (the coordinator is stopping). */
    private void post(Runnable event) {
        try {
            loop.execute(event);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // closed: nothing left to coordinate
        }
    }

    private <T> CompletableFuture<T> submit(Callable<T> c) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (loop.isShutdown()) {
            f.completeExceptionally(new IllegalStateException("the coordinator is stopping"));
            return f;
        }
        post(() -> {
            try {
                f.complete(c.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private <T> T call(Callable<T> c) {
        try {
            return submit(c).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("barrier engine did not answer in 30 s", e);
        }
    }
}
