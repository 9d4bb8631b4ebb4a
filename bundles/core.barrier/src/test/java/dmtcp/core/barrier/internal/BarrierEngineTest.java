package dmtcp.core.barrier.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonObject;
import dmtcp.core.barrier.api.RoundResult;
import dmtcp.core.barrier.protocol.LineChannel;
import dmtcp.core.barrier.protocol.Msg;
import dmtcp.core.barrier.api.Stage;
import dmtcp.core.barrier.spi.StageContext;
import dmtcp.core.barrier.spi.SubBarrier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class BarrierEngineTest {
    private static final List<String> ROUND = List.of("suspend", "electLeaders", "drain", "checkpoint", "refill", "resume");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Harness h;

    @Before
    public void setUp() throws Exception {
        h = new Harness(tmp.getRoot().toPath(), 5000, 0);
    }

    @After
    public void tearDown() {
        h.close();
    }

    private static RoundResult await(java.util.concurrent.CompletableFuture<RoundResult> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private static List<String> of(List<String> calls, String tag) {
        return calls.stream().filter(c -> c.startsWith(tag + ":")).map(c -> c.substring(tag.length() + 1))
                .collect(Collectors.toList());
    }

    private void awaitMembers(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (h.server.engine().size() != n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, h.server.engine().size());
    }

    @Test
    public void everyParticipantPassesEveryStageInOrder() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        for (String n : List.of("a", "b", "c")) {
            h.join(n, new Harness.Recorder(n, calls));
        }
        RoundResult r = await(h.server.checkpoint());
        assertTrue(r.message(), r.ok());
        for (String n : List.of("a", "b", "c")) {
            assertEquals(ROUND, of(calls, n));
        }
        // a global barrier: nobody enters a stage before everybody finished the previous one
        for (int stage = 1; stage < ROUND.size(); stage++) {
            int firstOfNext = calls.indexOf("a:" + ROUND.get(stage));
            for (String n : List.of("b", "c")) {
                int f = calls.indexOf(n + ":" + ROUND.get(stage));
                firstOfNext = Math.min(firstOfNext, f);
            }
            for (String n : List.of("a", "b", "c")) {
                assertTrue(n + " finished " + ROUND.get(stage - 1) + " before anyone entered " + ROUND.get(stage),
                        calls.indexOf(n + ":" + ROUND.get(stage - 1)) < firstOfNext);
            }
        }
        // the coordinator logged each stage transition, in order, with a duration
        List<String> reached = h.log.stream().filter(l -> l.contains(" reached by ")).collect(Collectors.toList());
        assertEquals(6, reached.size());
        List<Stage> order = Stage.CHECKPOINT;
        for (int i = 0; i < order.size(); i++) {
            assertTrue(reached.get(i), reached.get(i).matches("INFO round 1: " + order.get(i) + " reached by 3 participant\\(s\\) in \\d+ ms"));
        }
    }

    @Test
    public void hooksRunInLayerOrderAndResumeInReverse() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        Harness.Participant p = h.join("p");
        p.hooks.add(new ParticipantSession.Hook(new Harness.Recorder("high", calls), 20, "high"));
        p.hooks.add(new ParticipantSession.Hook(new Harness.Recorder("low", calls), -5, "low"));
        p.hooks.add(new ParticipantSession.Hook(new Harness.Recorder("mid", calls), 0, "mid"));
        assertTrue(await(h.server.checkpoint()).ok());
        assertEquals(List.of("low:suspend", "mid:suspend", "high:suspend"), calls.subList(0, 3));
        assertEquals(List.of("high:resume", "mid:resume", "low:resume"), calls.subList(15, 18));
    }

    /**
     * A restart round builds up from the bottom: restart and refill in layer order (the
     * process plugin, layer 0, rebuilds first), and only resume in reverse (it releases last).
     */
    @Test
    public void aRestartRoundRunsRestartAndRefillInLayerOrderAndResumeInReverse() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        h.join(Harness.restarter("r", List.of("u1")), List.of(
                new ParticipantSession.Hook(new Harness.Recorder("high", calls), 20, "high"),
                new ParticipantSession.Hook(new Harness.Recorder("process", calls), 0, "process"),
                new ParticipantSession.Hook(new Harness.Recorder("mid", calls), 10, "mid")));
        waitFor(() -> calls.contains("process:resume"));
        assertEquals(List.of("process:restart", "mid:restart", "high:restart",
                "process:refill", "mid:refill", "high:refill",
                "high:resume", "mid:resume", "process:resume"), List.copyOf(calls));
    }

    /** A failed restart round calls every hook's abort (not resume), with the reason, in reverse layer order. */
    @Test
    public void aFailedRestartRoundCallsAbortWithTheReason() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        class Aborting extends Harness.Recorder {
            Aborting(String tag, List<String> journal) {
                super(tag, journal);
            }

            @Override
            public void abort(StageContext ctx, String reason) {
                record("abort " + ctx.stage() + " " + reason);
            }
        }
        Harness.Recorder failing = new Aborting("failing", calls) {
            @Override
            public void refill(StageContext ctx) {
                record("refill");
                throw new IllegalStateException("boom in refill");
            }
        };
        h.join(Harness.restarter("r", List.of("u1")), List.of(
                new ParticipantSession.Hook(new Aborting("process", calls), 0, "process"),
                new ParticipantSession.Hook(failing, 10, "failing")));
        waitFor(() -> calls.stream().anyMatch(c -> c.startsWith("process:abort")));
        assertEquals(List.of("process:restart", "failing:restart", "process:refill", "failing:refill"), calls.subList(0, 4));
        assertEquals(6, calls.size());
        assertTrue(calls.get(4), calls.get(4).matches("failing:abort RUNNING round \\d+ aborted: .*failing failed in REFILLED: boom in refill"));
        assertTrue(calls.get(5), calls.get(5).startsWith("process:abort RUNNING round "));
    }

    @Test
    public void aParticipantThatDisconnectsAbortsTheRoundAndTheOthersResume() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        h.join("good", new Harness.Recorder("good", calls));
        Harness.Participant[] bad = new Harness.Participant[1];
        bad[0] = h.join("bad", new Harness.Recorder("bad", calls) {
            @Override
            public void drain(StageContext ctx) {
                record("drain");
                bad[0].crash();
            }
        });
        RoundResult r = await(h.server.checkpoint());
        assertFalse(r.ok());
        assertTrue(r.message(), r.message().contains("participant " + bad[0].id + " (bad@testhost) disconnected during stage DRAINED"));
        // the round's result completes when the coordinator sends abort: the survivor resumes after that
        waitFor(() -> of(calls, "good").contains("resume"));
        assertFalse(of(calls, "good").contains("checkpoint"));
        assertTrue(h.log.stream().anyMatch(l -> l.startsWith("WARN ") && l.contains("aborted") && l.contains("previous checkpoint stays valid")));
        // the survivor goes on: the next round succeeds without the culprit
        awaitMembers(1);
        calls.clear();
        RoundResult next = await(h.server.checkpoint());
        assertTrue(next.message(), next.ok());
        assertEquals(ROUND, of(calls, "good"));
    }

    @Test
    public void aFailingHookAbortsTheRoundNamingThePluginAndKeepsThePreviousImage() throws Exception {
        Path image = h.dir.resolve("ckpt_prog.dmtcp");
        Files.writeString(image, "previous good image");
        List<String> calls = new CopyOnWriteArrayList<>();
        h.join("writer", new Harness.Recorder("w", calls) {
            @Override
            public void checkpoint(StageContext ctx) throws Exception {
                Path t = Files.writeString(image.resolveSibling(image.getFileName() + ".tmp"), "half written");
                ctx.addImage(t, image);
            }
        });
        h.join("broken", new Harness.Recorder("b", calls) {
            @Override
            public void checkpoint(StageContext ctx) throws Exception {
                throw new java.io.IOException("disk full");
            }
        });
        RoundResult r = await(h.server.checkpoint());
        assertFalse(r.ok());
        assertTrue(r.message(), r.message().contains("broken-hook0 failed in CHECKPOINTED: disk full"));
        waitFor(() -> !Files.exists(image.resolveSibling("ckpt_prog.dmtcp.tmp")));
        assertEquals("previous good image", Files.readString(image));
        assertFalse(Files.exists(h.dir.resolve(RestartScript.NAME)));
    }

    @Test
    public void imagesAreRenamedOnlyOnceEveryoneWroteAndTheRestartScriptNamesThem() throws Exception {
        List<Path> images = new ArrayList<>();
        for (String n : List.of("x", "y")) {
            Path image = h.dir.resolve("ckpt_" + n + ".dmtcp");
            images.add(image);
            h.join(n, new Harness.Recorder(n, new ArrayList<>()) {
                @Override
                public void checkpoint(StageContext ctx) throws Exception {
                    Path t = Files.writeString(h.dir.resolve("ckpt_" + n + ".dmtcp.tmp"), "image of " + n);
                    ctx.addImage(t, image);
                    assertFalse("renamed before every participant wrote", Files.exists(image));
                }
            });
        }
        RoundResult r = await(h.server.checkpoint());
        assertTrue(r.message(), r.ok());
        assertEquals(2, r.images().size());
        for (Path image : images) {
            assertEquals("image of " + image.getFileName().toString().substring(5, 6), Files.readString(image));
            assertTrue(r.images().contains(image.toString()));
        }
        String script = Files.readString(h.dir.resolve(RestartScript.NAME));
        assertTrue(script, script.startsWith("#!/bin/bash"));
        for (Path image : images) {
            assertTrue(script.contains("'" + image + "'"));
        }
        assertTrue(Files.isExecutable(h.dir.resolve(RestartScript.NAME)));
    }

    @Test
    public void aParticipantJoiningDuringARoundWaitsForTheNextOne() throws Exception {
        CountDownLatch inSuspend = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> calls = new CopyOnWriteArrayList<>();
        h.join("slow", new Harness.Recorder("slow", calls) {
            @Override
            public void suspend(StageContext ctx) throws Exception {
                record("suspend");
                inSuspend.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
        });
        var first = h.server.checkpoint();
        assertTrue(inSuspend.await(10, TimeUnit.SECONDS));
        Harness.Participant late = h.join("late", new Harness.Recorder("late", calls));
        assertTrue(late.messages.stream().anyMatch(m -> m.contains("joining when it ends")));
        release.countDown();
        RoundResult r1 = await(first);
        assertTrue(r1.message(), r1.ok());
        assertTrue(r1.message(), r1.message().contains("1 participant(s)"));
        assertEquals(List.of(), of(calls, "late"));
        RoundResult r2 = await(h.server.checkpoint());
        assertTrue(r2.message(), r2.ok());
        assertTrue(r2.message().contains("2 participant(s)"));
        assertEquals(ROUND, of(calls, "late"));
    }

    @Test
    public void aStageThatTakesTooLongIsAbortedNamingWhoDidNotAnswerAndItIsDropped() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        CountDownLatch inDrain = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        h.join("quick", new Harness.Recorder("quick", calls));
        Harness.Participant stuck = h.join("stuck", new Harness.Recorder("stuck", calls) {
            @Override
            public void drain(StageContext ctx) throws Exception {
                inDrain.countDown();
                never.await(); // wedged until the test ends (the session's close interrupts it)
            }
        });
        // the short timeout only for the stage the stuck participant is known to be in
        // (set earlier, a loaded machine could time out a stage before it)
        h.server.engine().setStageTimeoutMillis(60_000);
        try {
            stuckRound(calls, inDrain, stuck);
        } finally {
            never.countDown();
        }
    }

    private void stuckRound(List<String> calls, CountDownLatch inDrain, Harness.Participant stuck) throws Exception {
        var round = h.server.checkpoint();
        assertTrue(inDrain.await(20, TimeUnit.SECONDS));
        h.server.engine().setStageTimeoutMillis(400); // re-arms the running stage's timer
        RoundResult r = await(round);
        assertFalse(r.ok());
        assertTrue(r.message(), r.message().contains("stage DRAINED of round 1 timed out after 400 ms waiting for participant "
                + stuck.id + " (stuck@testhost)"));
        waitFor(() -> of(calls, "quick").contains("resume"));
        // the member that did not answer is gone: it cannot wedge the next round
        assertTrue(h.log.toString(), h.log.contains("WARN dropped participant " + stuck.id
                + " (stuck@testhost): it did not answer within the stage timeout"));
        awaitMembers(1);
        h.server.engine().setStageTimeoutMillis(20_000);
        calls.clear();
        RoundResult next = await(h.server.checkpoint());
        assertTrue(next.message(), next.ok());
        assertEquals(ROUND, of(calls, "quick"));
    }

    @Test
    public void theIntervalTimerCheckpointsRepeatedly() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        h.join("p", new Harness.Recorder("p", calls));
        h.server.setInterval(1);
        waitFor(() -> of(calls, "p").stream().filter("resume"::equals).count() >= 2);
        h.server.setInterval(0);
        assertEquals(0, h.server.engine().interval()); // the engine took it: no tick is scheduled any more
        // a round that had begun still finishes: wait until the engine is idle and the participant resumed
        waitFor(() -> h.server.engine().idle());
        long rounds = h.server.engine().lastResult().round();
        waitFor(() -> of(calls, "p").stream().filter("resume"::equals).count() == rounds);
        // and no further round begins (a negative: this sleep can only miss a failure, never cause one)
        Thread.sleep(1500);
        assertEquals(rounds, h.server.engine().lastResult().round());
        assertTrue(h.server.engine().idle());
        assertTrue(h.log.stream().anyMatch(l -> l.contains("interval checkpoint (every 1 s)")));
    }

    @Test
    public void globalSubBarriersWaitForEveryoneAndTheStoreIsShared() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        for (String n : List.of("a", "b")) {
            h.join(n, new Harness.Recorder(n, calls) {
                @Override
                public void electLeaders(StageContext ctx) throws Exception {
                    if (n.equals("b")) {
                        Thread.sleep(300); // b publishes late: a must still see it after the barrier
                    }
                    ctx.publish("owner-of-" + n, "participant-" + ctx.participantId());
                }

                @Override
                public List<SubBarrier> barriers() {
                    return List.of(SubBarrier.global("test:PUBLISHED", Stage.FD_LEADER_ELECTION, ctx -> {
                        String other = n.equals("a") ? "b" : "a";
                        record("sees " + other + "=" + ctx.query("owner-of-" + other).orElse("nothing"));
                    }), SubBarrier.local("test:LOCAL", Stage.DRAINED, ctx -> record("local")));
                }
            });
        }
        RoundResult r = await(h.server.checkpoint());
        assertTrue(r.message(), r.ok());
        assertTrue(calls.toString(), of(calls, "a").stream().anyMatch(c -> c.matches("sees b=participant-\\d+")));
        assertTrue(calls.toString(), of(calls, "b").stream().anyMatch(c -> c.matches("sees a=participant-\\d+")));
        assertTrue(of(calls, "a").contains("local"));
        assertTrue(of(calls, "b").contains("local"));
    }

    @Test
    public void killReachesEveryParticipantAndNoProcessesMeansNoRound() throws Exception {
        RoundResult none = await(h.server.checkpoint());
        assertFalse(none.ok());
        assertEquals("no processes to checkpoint", none.message());
        Harness.Participant a = h.join("a");
        Harness.Participant b = h.join("b");
        assertEquals(2, h.server.kill());
        waitFor(() -> a.killed && b.killed);
    }

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }

    private LineChannel announce(String token) throws Exception {
        JsonObject a = Msg.of(Msg.HELLO);
        a.addProperty("role", Msg.ROLE_ANNOUNCE);
        a.addProperty("announce", token);
        LineChannel ch = h.raw(a);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (h.server.engine().announced() != 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, h.server.engine().announced());
        return ch;
    }

    /**
     * A launcher that announced itself before spawning its program: a checkpoint asked for
     * before its participant joined waits for it and includes it.
     */
    @Test
    public void aCheckpointWaitsForALauncherThatAnnouncedItself() throws Exception {
        LineChannel ch = announce("launcher-1");
        java.util.concurrent.CompletableFuture<RoundResult> f = h.server.checkpoint();
        Thread.sleep(300);
        assertFalse("the round waits for the announced launcher", f.isDone());
        List<String> calls = new CopyOnWriteArrayList<>();
        JsonObject hello = Harness.hello("late");
        hello.addProperty("announce", "launcher-1");
        h.join(hello, List.of(new ParticipantSession.Hook(new Harness.Recorder("late", calls), 0, "late")));
        RoundResult r = await(f);
        assertTrue(r.message(), r.ok());
        assertEquals(ROUND, of(calls, "late"));
        assertEquals(0, h.server.engine().announced());
        // the coordinator ends the announcement's connection once its participant joined
        ch.setReadTimeout(5000);
        assertEquals(null, ch.receive());
        ch.close();
    }

    /** An announced launcher that goes away (killed before it joined) no longer holds a checkpoint back. */
    @Test
    public void anAnnouncementThatEndsReleasesTheCheckpoint() throws Exception {
        LineChannel ch = announce("launcher-2");
        java.util.concurrent.CompletableFuture<RoundResult> f = h.server.checkpoint();
        Thread.sleep(200);
        assertFalse(f.isDone());
        ch.close();
        RoundResult r = await(f);
        assertFalse(r.ok());
        assertEquals("no processes to checkpoint", r.message());
    }
}
