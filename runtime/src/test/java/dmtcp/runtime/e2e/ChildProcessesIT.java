package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Programs with processes a checkpoint does not include yet (one process per image so far):
 * a program with child processes, and an orphan a program left behind that its launcher (a
 * child subreaper) adopted, are refused at SUSPENDED by name, the round fails for every
 * participant, the previous images stay as they were and every program runs on. A
 * coordinator the launcher started itself is its child too, but no orphan. {@code
 * dmtcp_command --kill} kills every process of the computation: a process tree that keeps
 * forking while it is killed, and the orphans the launcher adopted, leave no survivor.
 */
public class ChildProcessesIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    @Test
    public void aProgramWithChildrenIsRefusedByNameAndTheRoundFailsForEveryone() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path counter = t.compile("counter");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        Path ticks = t.workDir.resolve("ticks");
        Process first = t.start("counter", "dmtcp_checkpoint", "-p", p, "--join", counter.toString(), ticks.toString());
        Tools.waitFor("the counter's launcher", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        t.run("dmtcp_command", "-p", p, "-bc").ok();
        Path image = onlyImage(t.workDir, "counter");
        byte[] good = Files.readAllBytes(image);

        // bash waits for both ends of its pipeline: two children
        String forever = "1000." + ProcessHandle.current().pid();
        t.start("bash", "dmtcp_checkpoint", "-p", p, "--join", "bash", "-c", "sleep " + forever + " | cat");
        Tools.waitFor("bash's launcher", 30, () -> t.status(p).contains("NUM_PEERS=2"));
        long bash = only(Tools.running(List.of("bash", "-c", "sleep " + forever + " | cat")));
        Tools.waitFor("bash's two children", 30, () -> children(bash).size() == 2);
        List<Long> kids = children(bash);
        String names = name(kids.get(0)) + "[" + kids.get(0) + "], " + name(kids.get(1)) + "[" + kids.get(1) + "]";

        Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc");
        assertEquals("the round failed: " + bc, 1, bc.exit());
        assertContains(bc.err(), "bash[" + bash + "] has child processes the checkpoint does not include yet: " + names);
        assertTrue(names, names.contains("sleep[") && names.contains("cat["));

        assertArrayEquals("the counter's previous image is untouched", good, Files.readAllBytes(image));
        try (var s = Files.list(t.workDir)) {
            List<String> images = s.map(f -> f.getFileName().toString()).filter(f -> f.contains("ckpt_")).toList();
            assertEquals("no image and no temporary of the failed round: " + images, List.of(image.getFileName().toString()),
                    images);
        }
        int at = Tools.lastTick(ticks);
        Tools.waitFor("the counter runs on", 30, () -> Tools.lastTick(ticks) > at + 3);
        assertEquals("bash waits for its pipeline, not stopped", "S", state(bash));
        assertEquals("its children too", kids, children(bash));
        for (long k : kids) {
            assertEquals("S", state(k));
        }

        // --kill ends bash's children with it
        t.run("dmtcp_command", "-p", p, "-k").ok();
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        for (long k : kids) {
            Tools.waitFor(name(k) + "[" + k + "] killed with bash", 30, () -> !alive(k));
        }
        t.run("dmtcp_command", "-p", p, "-q").ok();
    }

    @Test
    public void anOrphanAdoptedByTheLauncherIsRefusedButNotTheCoordinatorItStarted() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path counter = t.compile("counter");
        Path ticks = t.workDir.resolve("ticks");
        // this launcher starts its own coordinator: a child of its JVM, and no orphan
        t.start("counter", "dmtcp_checkpoint", "--new-coordinator", counter.toString(), ticks.toString());
        Pattern port = Pattern.compile("new coordinator on port (\\d+)");
        Tools.waitFor("the new coordinator's port", 30, () -> port.matcher(output(t, "counter")).find());
        Matcher m = port.matcher(output(t, "counter"));
        assertTrue(m.find());
        String p = m.group(1);
        Tools.waitFor("the counter's launcher", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        Tools.Result ok = t.run("dmtcp_command", "-p", p, "-bc");
        assertEquals("the coordinator the launcher started is no orphan: " + ok, 0, ok.exit());

        // the subshell exits at once: its sleep is re-parented to the launcher
        Path orphaned = t.workDir.resolve("orphaned");
        // a duration of this run's own: another suite running on the machine has its sleeps too
        String forever = "1000." + ProcessHandle.current().pid();
        List<String> argv = List.of("sh", "-c", "(sleep " + forever + " &); exec " + counter + " " + orphaned);
        t.start("orphan", "dmtcp_checkpoint", "-p", p, "--join", argv.get(0), argv.get(1), argv.get(2));
        Tools.waitFor("the second launcher", 30, () -> t.status(p).contains("NUM_PEERS=2"));
        List<String> sleeper = List.of("sleep", forever);
        Tools.waitFor("the orphan", 30, () -> Tools.running(sleeper).size() == 1);
        long orphan = Tools.running(sleeper).get(0);
        long launcher = ppid(orphan);
        Tools.waitFor("the counter to start", 30, () -> Tools.lastTick(orphaned) >= 0);

        Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc");
        assertEquals("the round failed: " + bc, 1, bc.exit());
        if (Tools.running(argv).isEmpty() && Tools.running(List.of(counter.toString(), orphaned.toString())).contains(launcher)) {
            // through the agent the program itself is the subreaper its orphans come to
            assertContains(bc.err(), "counter[" + launcher + "] has child processes the checkpoint does not include yet: sleep["
                    + orphan + "]");
        } else {
            assertContains(bc.err(), "(orphans adopted by the launcher, pid " + launcher
                    + ") are not included in a checkpoint yet: sleep[" + orphan + "]");
        }
        for (Path f : List.of(ticks, orphaned)) {
            int at = Tools.lastTick(f);
            Tools.waitFor(f.getFileName() + " runs on", 30, () -> Tools.lastTick(f) > at + 3);
        }
        assertEquals("the orphan runs on", "S", state(orphan));

        t.run("dmtcp_command", "-p", p, "-k").ok();
        Tools.waitFor("the adopted orphan killed with the computation", 30, () -> !alive(orphan));
    }

    @Test
    public void killLeavesNoProcessOfTheComputationAlive() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path tree = t.compile("forktree");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        Process launcher = t.start("tree", "dmtcp_checkpoint", "-p", p, "--join", tree.toString());
        List<String> argv = List.of(tree.toString());
        Tools.waitFor("a growing tree", 30, () -> Tools.running(argv).size() >= 40);
        Tools.waitFor("the launcher to join", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        // the program, and the spawner its orphan maker left behind
        Tools.waitFor("the orphan spawner adopted by the launcher", 30, () -> childrenOf(launcher.pid(), argv).size() == 2);

        try {
            t.run("dmtcp_command", "-p", p, "-k").ok();
            assertTrue("the launcher ends with its program", launcher.waitFor(30, TimeUnit.SECONDS));
            Tools.waitFor("no process of the tree left (" + Tools.running(argv).size() + " were)", 30,
                    () -> Tools.running(argv).isEmpty());
            t.run("dmtcp_command", "-p", p, "-q").ok();
        } finally {
            stopAndKill(argv); // what a failed kill left: orphans of init, out of the Cleanup's reach
        }
    }

    /** Stops, then kills, every process running {@code argv}, until none is left (it forks meanwhile). */
    private static void stopAndKill(List<String> argv) throws IOException, InterruptedException {
        for (int pass = 0; pass < 100; pass++) {
            List<ProcessHandle> left = Tools.running(argv).stream().map(ProcessHandle::of).flatMap(java.util.Optional::stream).toList();
            if (left.isEmpty()) {
                return;
            }
            List<String> stop = new ArrayList<>(List.of("kill", "-STOP"));
            left.forEach(h -> stop.add(String.valueOf(h.pid())));
            new ProcessBuilder(stop).start().waitFor();
            left.forEach(ProcessHandle::destroyForcibly);
            Thread.sleep(50);
        }
    }

    private static String output(Tools t, String tag) {
        try {
            return t.output(tag, "err");
        } catch (IOException e) {
            return "";
        }
    }

    private static Path onlyImage(Path dir, String program) throws IOException {
        try (var s = Files.list(dir)) {
            List<Path> l = s.filter(f -> f.getFileName().toString().matches("ckpt_" + program + "_.*\\.dmtcp")).toList();
            assertEquals("one image of " + program + ": " + l, 1, l.size());
            return l.get(0);
        }
    }

    private static long only(List<Long> pids) {
        assertEquals("exactly one: " + pids, 1, pids.size());
        return pids.get(0);
    }

    /** The children of {@code pid} running {@code argv}. */
    private static List<Long> childrenOf(long pid, List<String> argv) {
        List<Long> l = new ArrayList<>(children(pid));
        l.retainAll(Tools.running(argv));
        return l;
    }

    /** Every thread's children of {@code pid}, in pid order. */
    private static List<Long> children(long pid) {
        List<Long> l = new ArrayList<>();
        try (var tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                for (String c : Files.readString(task.resolve("children")).trim().split("\\s+")) {
                    if (!c.isEmpty()) {
                        l.add(Long.parseLong(c));
                    }
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        l.sort(null);
        return l;
    }

    private static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    private static String state(long pid) {
        String[] s = stat(pid);
        return s == null ? "gone" : s[0];
    }

    private static long ppid(long pid) {
        String[] s = stat(pid);
        return s == null ? -1 : Long.parseLong(s[1]);
    }

    private static boolean alive(long pid) {
        String s = state(pid);
        return !s.equals("gone") && !s.equals("Z");
    }

    private static String name(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
