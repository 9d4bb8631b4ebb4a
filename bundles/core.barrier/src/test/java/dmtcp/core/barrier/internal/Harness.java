package dmtcp.core.barrier.internal;

import com.google.gson.JsonObject;
import dmtcp.core.barrier.protocol.Handshake;
import dmtcp.core.barrier.protocol.LineChannel;
import dmtcp.core.barrier.protocol.Msg;
import dmtcp.core.barrier.protocol.UserKey;
import dmtcp.core.barrier.spi.BarrierHook;
import dmtcp.core.barrier.spi.StageContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real coordinator on a loopback port and real participant sessions talking to it over TCP. */
final class Harness implements AutoCloseable {
    final List<String> log = new CopyOnWriteArrayList<>();
    final CoordinatorServer server;
    final Path dir;
    /** This test's user key (in the test's folder, not the user's real one). */
    final Path keyFile;
    final UserKey key;
    private final List<Participant> participants = new ArrayList<>();
    private final List<LineChannel> raws = new CopyOnWriteArrayList<>();
    volatile boolean stopped;

    Harness(Path dir, long stageTimeoutMillis, int interval) throws IOException {
        this(dir, dir, stageTimeoutMillis, interval);
    }

    /** A coordinator whose checkpoint directory (where the restart script goes) is {@code coordinatorDir}. */
    Harness(Path dir, Path coordinatorDir, long stageTimeoutMillis, int interval) throws IOException {
        this.dir = dir;
        Reporter events = new Reporter() {
            @Override
            public void info(String m) {
                log.add("INFO " + m);
            }

            @Override
            public void warn(String m) {
                log.add("WARN " + m);
            }

            @Override
            public void debug(String m) {
                log.add("DEBUG " + m);
            }
        };
        keyFile = dir.resolve("keys").resolve("key");
        key = UserKey.loadOrCreate(keyFile);
        server = new CoordinatorServer(new CoordinatorServer.Settings("", 0, false, interval, coordinatorDir, stageTimeoutMillis,
                "dmtcp_restart", keyFile), events, () -> stopped = true);
    }

    Participant join(String name, BarrierHook... hooks) throws IOException {
        Participant p = new Participant(name);
        for (int i = 0; i < hooks.length; i++) {
            p.hooks.add(new ParticipantSession.Hook(hooks[i], i, name + "-hook" + i));
        }
        p.open(this);
        participants.add(p);
        return p;
    }

    /** A participant that says {@code hello} (e.g. a {@link #restarter}), with the given hooks. */
    Participant join(JsonObject hello, List<ParticipantSession.Hook> hooks) throws IOException {
        Participant p = new Participant(Msg.str(hello, "name", "?"));
        p.hello = hello;
        p.hooks.addAll(hooks);
        p.open(this);
        participants.add(p);
        return p;
    }

    /** A restarter's hello: it holds all {@code images} of the computation, of the processes {@code uids}. */
    static JsonObject restarter(String name, List<String> uids) {
        JsonObject hello = hello(name);
        hello.addProperty("role", Msg.ROLE_RESTART);
        hello.addProperty("images", uids.size());
        hello.addProperty("expect", uids.size());
        hello.add("uids", Msg.array(uids));
        return hello;
    }

    /**
     * A participant that speaks the protocol itself (the test writes and reads its lines):
     * authenticated with this harness's key, hello sent.
     */
    LineChannel raw(JsonObject hello) throws IOException {
        LineChannel ch = LineChannel.connect("127.0.0.1", server.port(), 2000);
        raws.add(ch);
        Handshake.join(ch, key, hello, 5000);
        return ch;
    }

    /** A raw participant's hello: role launch, the given name, no processes. */
    static JsonObject hello(String name) {
        JsonObject hello = Msg.of(Msg.HELLO);
        hello.addProperty("role", Msg.ROLE_LAUNCH);
        hello.addProperty("name", name);
        hello.addProperty("host", "testhost");
        return hello;
    }

    @Override
    public void close() {
        raws.forEach(LineChannel::close);
        for (Participant p : participants) {
            p.session.close();
        }
        server.close();
    }

    /** One participant: a session whose hooks the test chooses. */
    static final class Participant implements ParticipantSession.Owner {
        final String name;
        final List<ParticipantSession.Hook> hooks = new CopyOnWriteArrayList<>();
        final List<String> messages = Collections.synchronizedList(new ArrayList<>());
        volatile boolean killed;
        JsonObject hello;
        ParticipantSession session;
        int id;

        Participant(String name) {
            this.name = name;
        }

        void open(Harness h) throws IOException {
            LineChannel ch = LineChannel.connect("127.0.0.1", h.server.port(), 2000);
            Reporter reporter = new Reporter() {
                @Override
                public void info(String m) {
                    messages.add(m);
                }

                @Override
                public void warn(String m) {
                    messages.add(m);
                }

                @Override
                public void debug(String m) {
                }
            };
            session = new ParticipantSession(ch, () -> List.copyOf(hooks), this, reporter, h.dir);
            id = session.open(h.key, hello != null ? hello : hello(name), 5000);
        }

        /** Drops the connection as a crashed launcher would. */
        void crash() {
            session.close();
        }

        @Override
        public List<StageContext.Process> processes() {
            return List.of();
        }

        @Override
        public List<dmtcp.core.barrier.spi.RestoredProcess> restored() {
            return List.of();
        }

        @Override
        public void kill() {
            killed = true;
        }

        @Override
        public void disconnected() {
        }
    }

    /** A hook that records every call as "<tag>:<method>". */
    static class Recorder implements BarrierHook {
        final String tag;
        final List<String> calls;

        Recorder(String tag, List<String> calls) {
            this.tag = tag;
            this.calls = calls;
        }

        void record(String what) {
            calls.add(tag + ":" + what);
        }

        @Override
        public void suspend(StageContext ctx) throws Exception {
            record("suspend");
        }

        @Override
        public void electLeaders(StageContext ctx) throws Exception {
            record("electLeaders");
        }

        @Override
        public void drain(StageContext ctx) throws Exception {
            record("drain");
        }

        @Override
        public void checkpoint(StageContext ctx) throws Exception {
            record("checkpoint");
        }

        @Override
        public void refill(StageContext ctx) throws Exception {
            record("refill");
        }

        @Override
        public void resume(StageContext ctx) throws Exception {
            record("resume");
        }

        @Override
        public void restart(StageContext ctx) throws Exception {
            record("restart");
        }
    }
}
