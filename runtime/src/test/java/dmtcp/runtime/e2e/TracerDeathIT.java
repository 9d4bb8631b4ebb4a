package dmtcp.runtime.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The launcher (the program's tracer) killed with SIGKILL during a checkpoint never takes
 * the program with it: verifier.c holds 500 MiB it checks and rewrites continuously, and
 * its launcher is killed right after {@code dmtcp_command -c}, while the image is being
 * written (the temporary file growing) and near its end (400 MiB written), with the raw and
 * with the gzip image. Each time the program must go on passing its own checks. The
 * temporary image a dead launcher left is removed by the next round in that folder (which
 * succeeds, in the end). (Before the fix the program died of SIGTRAP: see mem.native's README,
 * "The tracer may die at any moment".)
 */
public class TracerDeathIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    private static final String MIB = "500";

    /** When the launcher is killed. */
    private enum Moment {
        /** As soon as dmtcp_command -c returned. */
        REQUESTED,
        /** Once the temporary image exists and grows. */
        WRITING,
        /** Once the temporary image holds 400 MiB. */
        NEAR_THE_END
    }

    @Test
    public void withTheRawImage() throws Exception {
        killTheLauncherAtEachMoment("--no-gzip");
    }

    @Test
    public void withTheGzipImage() throws Exception {
        killTheLauncherAtEachMoment("--gzip");
    }

    /** The tracer is the launcher JVM (no agent: DMTCP_AGENT=0), the program its child. */
    @Test
    public void theJvmLauncherWithTheRawImage() throws Exception {
        agent = false;
        killTheLauncherAtEachMoment("--no-gzip");
    }

    /** Whether programs go through the agent (the tracer killed is the agent) or the JVM launcher. */
    private boolean agent = true;

    private final List<Long> orphans = new ArrayList<>();

    private void killTheLauncherAtEachMoment(String codec) throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        t.env.put("DMTCP_AGENT", agent ? "1" : "0");
        Path verifier = t.compile("verifier");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        try {
            for (Moment m : Moment.values()) {
                // a moment can be missed (the image committed before the look saw 400 MiB): try again
                for (int attempt = 1; !killDuring(t, p, verifier, codec, m, attempt); attempt++) {
                    assertTrue(m + " missed 3 times", attempt < 3);
                }
            }
            List<String> stale = temporaries(t.workDir);
            assertEquals("the last dead writer's temporary is still there: " + stale, 1, stale.size());

            // the next round in that folder removes them
            Path counter = t.compile("counter");
            t.start("counter", "dmtcp_checkpoint", "-p", p, "--join", counter.toString(), t.workDir.resolve("ticks").toString());
            Tools.waitFor("the counter's launcher", 30, () -> t.status(p).contains("NUM_PEERS=1"));
            t.run("dmtcp_command", "-p", p, "-bc").ok();
            assertEquals("no temporary left", List.of(), temporaries(t.workDir));
            Tools.waitFor("the counter's launcher to say it removed the stale temporary", 10,
                    () -> { try { return t.output("counter", "err").contains("removed " + t.workDir.resolve(stale.get(0))); }
                            catch (java.io.IOException e) { return false; } });
            t.run("dmtcp_command", "-p", p, "-q").ok();
        } finally {
            for (long pid : orphans) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * Launches the verifier, asks for a checkpoint, SIGKILLs the launcher at {@code m}, and
     * checks that the program runs on correct; then kills it. False if the moment was missed.
     */
    private boolean killDuring(Tools t, String p, Path verifier, String codec, Moment m, int attempt) throws Exception {
        String tag = "launch-" + codec + "-" + m + "-" + attempt;
        Path out = t.workDir.resolve(tag + ".out");
        Process launcher = t.start(tag, "dmtcp_checkpoint", "-p", p, "--join", codec, verifier.toString(), MIB);
        Tools.waitFor("the verifier's first pass", 60, () -> passes(out) >= 1);
        Tools.waitFor("the launcher to join", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        long program = Tools.running(List.of(verifier.toString(), MIB)).get(0);
        orphans.add(program);
        List<String> before = temporaries(t.workDir);

        t.run("dmtcp_command", "-p", p, "-c").ok();
        switch (m) {
            case REQUESTED -> { }
            case WRITING -> {
                long[] seen = {0};
                Tools.waitFor("a growing temporary image", 60, () -> {
                    long now = newTemporarySize(t.workDir, before);
                    boolean growing = seen[0] > 0 && now > seen[0];
                    seen[0] = Math.max(seen[0], now);
                    return growing;
                });
            }
            case NEAR_THE_END -> {
                // looked at as fast as it goes: the last 100 MiB take some 0.1 s
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                boolean seen = false;
                for (long size; (size = newTemporarySize(t.workDir, before)) < 400L << 20 && System.nanoTime() < deadline; ) {
                    if (size >= 0) {
                        seen = true;
                    } else if (seen) {
                        break; // renamed into place: missed
                    }
                    Thread.onSpinWait();
                }
            }
        }
        if (agent) {
            assertEquals("the program is the launched process", launcher.pid(), program);
            ProcessHandle tracer = ProcessHandle.of(agentPid(t)).orElseThrow();
            tracer.destroyForcibly();
            assertTrue(tracer.onExit().orTimeout(30, TimeUnit.SECONDS).thenApply(h -> true).join());
        } else {
            launcher.destroyForcibly();
            assertTrue(launcher.waitFor(30, TimeUnit.SECONDS));
            assertEquals("the launcher died of SIGKILL", 128 + 9, launcher.exitValue());
        }
        long written = newTemporarySize(t.workDir, before);
        System.out.println("TracerDeathIT " + codec + " " + m + " (attempt " + attempt + "): " + (agent ? "agent" : "launcher")
                + " killed with " + (written < 0 ? "no temporary image" : (written >> 20) + " MiB of the image written"));
        boolean landed = m == Moment.REQUESTED || newTemporarySize(t.workDir, before) >= (m == Moment.WRITING ? 1 : 400L << 20);
        if (m != Moment.REQUESTED) {
            List<String> left = new ArrayList<>(before);
            left.retainAll(temporaries(t.workDir));
            assertEquals("this round removed the temporaries earlier dead writers left before it wrote", List.of(), left);
        }

        int at = passes(out);
        Tools.waitFor("the verifier passing its checks after its launcher died at " + m + " (" + codec + ")", 60, () -> {
            assertFalse(tail(out), contents(out).contains("CORRUPT"));
            assertTrue("the program is alive: " + tail(out), alive(program));
            return passes(out) >= at + 3;
        });
        Tools.waitFor("the coordinator to drop the dead launcher", 30, () -> t.status(p).contains("NUM_PEERS=0"));
        ProcessHandle.of(program).ifPresent(ProcessHandle::destroyForcibly);
        Tools.waitFor("the verifier killed", 30, () -> !alive(program));
        if (!landed) {
            // the image was committed first: not the moment wanted; its leftovers go with it
            for (String f : temporaries(t.workDir)) {
                if (!before.contains(f)) {
                    Files.delete(t.workDir.resolve(f));
                }
            }
        }
        return landed;
    }

    /** The size of a temporary image that was not there {@code before}, -1 if there is none. */
    private static long newTemporarySize(Path dir, List<String> before) {
        for (String f : temporaries(dir)) {
            if (!before.contains(f)) {
                try {
                    return Files.size(dir.resolve(f));
                } catch (IOException e) {
                    return -1; // renamed into place meanwhile
                }
            }
        }
        return -1;
    }

    private static List<String> temporaries(Path dir) {
        try (var s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).filter(f -> f.matches("\\.ckpt_.*\\.tmp")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String contents(Path out) {
        try {
            return Files.exists(out) ? Files.readString(out) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(Path out) {
        String s = contents(out);
        return s.substring(Math.max(0, s.length() - 300));
    }

    /** How many "pass N ok" lines the verifier printed. */
    private static int passes(Path out) {
        return (int) contents(out).lines().filter(l -> l.matches("pass \\d+ ok")).count();
    }

    /** The pid in this test's agent.pid (the agent serving its private folder). */
    private static long agentPid(Tools t) throws Exception {
        Path f = t.workDir.resolve("tmp").resolve("dmtcp-" + System.getProperty("user.name")).resolve("agent.pid");
        return Long.parseLong(Files.readString(f).split(" ")[0]);
    }

    private static boolean alive(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }
}
