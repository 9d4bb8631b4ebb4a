package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Where the commands keep their files, as a hostile user and as a long day of use see
 * it: nothing is loaded from or kept in a folder another user can write, and what a run
 * leaves behind is removed when it ends (or by the next start, when it was killed).
 */
public class RuntimeFilesIT {
    /** A second ordinary account (.ci/run creates it), the one that attacks. */
    static final String OTHER = System.getProperty("dmtcp.e2e.other", "dmtcpother");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    private static boolean exists(String user) throws Exception {
        return new ProcessBuilder("id", user).start().waitFor() == 0;
    }

    private static void as(String user, String... cmd) throws Exception {
        List<String> c = new ArrayList<>(List.of("runuser", "-u", user, "--"));
        c.addAll(List.of(cmd));
        assertEquals(String.join(" ", c), 0, new ProcessBuilder(c).inheritIO().start().waitFor());
    }

    /**
     * Another user creates the victim's folder in a shared temporary folder before the
     * victim ever ran a command, and plants the runtime's bundles plus one of theirs in it,
     * where earlier versions unpacked and loaded bundles from. The victim's command refuses
     * the folder, names its owner, and runs nothing: neither the program nor the planted
     * plugin (which would log every stage into the victim's file).
     */
    @Test
    public void aPrivateFolderAnotherUserPlantedIsRefusedAndNothingOfItRuns() throws Exception {
        Assume.assumeTrue("runs as root (it needs two other users)", "root".equals(System.getProperty("user.name")));
        Assume.assumeTrue(CommandLineIT.USER + " and " + OTHER + " exist (.ci/run creates them)",
                exists(CommandLineIT.USER) && exists(OTHER));
        Files.setAttribute(tmp.getRoot().toPath(), "unix:mode", 0755);
        Path shared = tmp.newFolder("shared").toPath();
        Tools.sharedLikeTmp(shared);
        Path work = tmp.newFolder("victim").toPath();
        Tools.sharedLikeTmp(work);
        Tools victim = new Tools(CommandLineIT.USER, work);
        Path counter = victim.compile("counter");

        // the attacker's folder, named as the victim's would be, with the bundles where the
        // unpacking launcher looked for them (keyed by dmtcp.jar's size and mtime)
        Path jar = Tools.HOME.resolve("runtime/target/dmtcp.jar");
        String key = Long.toHexString(Files.size(jar)) + "-" + Long.toHexString(Files.getLastModifiedTime(jar).toMillis());
        Path planted = shared.resolve("dmtcp-" + CommandLineIT.USER);
        Path bundles = planted.resolve("bundles-" + key);
        as(OTHER, "mkdir", "-p", bundles.toString());
        Path installed = Tools.HOME.resolve("runtime/target/bundles");
        List<String> index = new ArrayList<>();
        try (Stream<Path> s = Files.list(installed)) {
            for (Path b : (Iterable<Path>) s.sorted()::iterator) {
                if (b.toString().endsWith(".jar")) {
                    as(OTHER, "cp", b.toString(), bundles.toString());
                    index.add(b.getFileName().toString());
                }
            }
        }
        Path plugin = Path.of(System.getProperty("dmtcp.example.plugin"));
        as(OTHER, "cp", plugin.toString(), bundles.resolve("zz-planted.jar").toString());
        index.add("zz-planted.jar");
        Path list = shared.resolve("index.txt");
        Files.write(list, index);
        as(OTHER, "cp", list.toString(), bundles.resolve("index.txt").toString());
        as(OTHER, "chmod", "-R", "a+rwX", planted.toString());

        Path stages = work.resolve("stages.log");
        Path ticks = work.resolve("ticks");
        victim.env.put("DMTCP_TMPDIR", shared.toString());
        victim.env.put("DMTCP_STAGE_LOG", stages.toString());
        Tools.Result r = victim.run("dmtcp_checkpoint", "--new-coordinator", counter.toString(), ticks.toString());
        assertNotEquals(r.err(), 0, r.exit());
        assertContains(r.err(), "refusing the private folder " + planted);
        int otherUid = Integer.parseInt(new String(new ProcessBuilder("id", "-u", OTHER).start().getInputStream().readAllBytes()).trim());
        assertContains(r.err(), "belongs to uid " + otherUid);
        assertEquals("one line: " + r.err(), 1, r.err().strip().lines().count());
        assertFalse("the program did not run", Files.exists(ticks));
        assertFalse("the planted plugin did not run", Files.exists(stages));
    }

    /** An installation whose bundle folder every user may write is not loaded from. */
    @Test
    public void bundlesAreLoadedOnlyFromAnInstallationNoOtherUserCanWrite() throws Exception {
        Path inst = tmp.newFolder("inst").toPath();
        Files.createDirectories(inst.resolve("runtime/target"));
        copyTree(Tools.HOME.resolve("bin"), inst.resolve("bin"));
        Files.copy(Tools.HOME.resolve("runtime/target/dmtcp.jar"), inst.resolve("runtime/target/dmtcp.jar"));
        copyTree(Tools.HOME.resolve("runtime/target/bundles"), inst.resolve("runtime/target/bundles"));
        Path bundles = inst.resolve("runtime/target/bundles");
        Files.setAttribute(bundles, "unix:mode", 0777);
        Path work = tmp.newFolder("work").toPath();
        Path out = work.resolve("ran");
        List<String> cmd = List.of(inst.resolve("bin/dmtcp_checkpoint").toString(), "--new-coordinator",
                "/bin/sh", "-c", "echo ran > " + out);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().put("DMTCP_TMPDIR", work.resolve("tmp").toString());
        Process p = pb.start();
        String said = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(said, 0, p.exitValue());
        assertContains(said, "refusing to load the bundles in " + bundles + ": it is writable by every user (mode 0777)");
        assertFalse("nothing ran", Files.exists(out));

        Files.setAttribute(bundles, "unix:mode", 0755);
        p = pb.start();
        said = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(said, 0, p.exitValue());
        assertEquals("ran", Files.readString(out).trim());
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** The background coordinators started for a test whose files are under {@code workDir}. */
    private static List<ProcessHandle> coordinatorsOf(Path workDir) {
        return ProcessHandle.allProcesses().filter(h -> h.info().arguments().map(a -> List.of(a).contains("--daemon-child")
                && String.join(" ", a).contains(workDir.toString())).orElse(false)).toList();
    }

    /**
     * dmtcp_restart starts a coordinator for itself and is killed before it joined it: the
     * coordinator does not wait forever for a participant that will never come.
     */
    @Test
    public void aRestarterKilledBeforeItJoinedLeavesNoCoordinatorBehind() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path ticker = t.compile("ticker");
        Tools.Result daemon = t.run("dmtcp_coordinator", "--daemon", "-p", "0").ok();
        String port = daemon.out().trim();
        Process launcher = t.start("launch", "dmtcp_checkpoint", "-p", port, "--join", ticker.toString(),
                t.workDir.resolve("ticks").toString());
        Tools.waitFor("the participant", 30, () -> t.status(port).contains("NUM_PEERS=1"));
        t.run("dmtcp_command", "-p", port, "-bc").ok();
        t.run("dmtcp_command", "-p", port, "-q").ok();
        assertTrue(launcher.waitFor(30, TimeUnit.SECONDS));
        Tools.waitFor("the first coordinator to end", 30, () -> coordinatorsOf(t.workDir).isEmpty());
        Path image;
        try (Stream<Path> s = Files.list(t.workDir)) {
            image = s.filter(f -> f.getFileName().toString().matches("ckpt_ticker_.*\\.dmtcp")).findFirst().orElseThrow();
        }
        Process restarter = t.start("restart", "dmtcp_restart", "--new-coordinator", image.toString());
        Tools.waitFor("the restarter's coordinator to start", 30, () -> !coordinatorsOf(t.workDir).isEmpty());
        restarter.destroyForcibly(); // SIGKILL: no shutdown hook of its own runs
        assertTrue(restarter.waitFor(10, TimeUnit.SECONDS));
        List<ProcessHandle> left = coordinatorsOf(t.workDir);
        Tools.waitFor("the coordinator whose starter died to exit", 30, () -> left.stream().noneMatch(ProcessHandle::isAlive));
        assertEquals("the restored program did not run on without its restarter", 0,
                ProcessHandle.allProcesses().filter(h -> h.info().command().map(ticker.toString()::equals).orElse(false)).count());
        // nor its restore stub (/bin/sh -c 'kill -STOP $$; exec "$0"' ticker), stopped for good
        java.util.function.Supplier<List<String>> stubs = () -> ProcessHandle.allProcesses()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains(ticker.toString())).orElse(false))
                .map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList();
        try {
            Tools.waitFor("no restore stub of the killed restarter left", 10, () -> stubs.get().isEmpty());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + stubs.get());
        }
    }

    /** What our processes may leave in the shared temporary folder, by name. */
    private static Set<String> ours(Path dir) throws Exception {
        Set<String> s = new TreeSet<>();
        try (Stream<Path> l = Files.list(dir)) {
            l.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("(fileinstall-|jna|felix|coordinator-|bundles-).*")
                            || n.equals("dmtcp-" + System.getProperty("user.name")))
                    .forEach(s::add);
        }
        return s;
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> l = Files.list(dir)) {
            return l.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * A day of use in small: 30 commands (coordinators, launchers, status and checkpoint
     * commands, a restart, image inspection), a coordinator and a launcher's program killed
     * with SIGKILL. Afterwards the private folder holds no storage of a process that is
     * gone, no port file, at most the kept coordinator logs, and nothing was left in /tmp.
     */
    @Test
    public void thirtyCommandsAndKilledProcessesLeaveNothingBehind() throws Exception {
        Path tmpRoot = Path.of(System.getProperty("java.io.tmpdir"));
        Set<String> before = ours(tmpRoot);
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path priv = t.workDir.resolve("tmp").resolve("dmtcp-" + System.getProperty("user.name"));
        Path ticker = t.compile("ticker");
        int commands = 0;

        Tools.Result daemon = t.run("dmtcp_coordinator", "--daemon", "-p", "0").ok();
        commands++;
        String port = daemon.out().trim();
        List<Process> launchers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            launchers.add(t.start("launch-" + i, "dmtcp_checkpoint", "-p", port, "--join", ticker.toString(),
                    t.workDir.resolve("ticks-" + i).toString()));
            commands++;
        }
        Tools.waitFor("three participants", 30, () -> t.status(port).contains("NUM_PEERS=3"));
        for (int i = 0; i < 9; i++) {
            t.run("dmtcp_command", "-p", port, "-s").ok();
            commands++;
        }
        for (int i = 0; i < 2; i++) {
            t.run("dmtcp_command", "-p", port, "-bc").ok();
            commands++;
        }
        List<Path> images;
        try (Stream<Path> s = Files.list(t.workDir)) {
            images = s.filter(f -> f.getFileName().toString().matches("ckpt_ticker_.*\\.dmtcp")).sorted().toList();
        }
        assertEquals(3, images.size());
        for (Path i : images) {
            t.run("dmtcp_inspect", i.toString()).ok();
            commands++;
        }
        t.run("dmtcp_command", "-p", port, "-k").ok();
        commands++;
        for (Process l : launchers) {
            assertTrue(l.waitFor(30, TimeUnit.SECONDS));
        }
        Tools.waitFor("the killed participants to leave", 30, () -> t.status(port).contains("NUM_PEERS=0"));
        // a restart, then the coordinator killed under it: the restored program runs on
        Process restarter = t.start("restart", "dmtcp_restart", "-p", port, "--join", images.get(0).toString());
        commands++;
        Tools.waitFor("the restarter to join", 30, () -> t.status(port).contains("NUM_PEERS=1"));
        long coordinator = ProcessHandle.allProcesses().filter(h -> h.info().arguments().map(a -> List.of(a).contains("--port=0")
                && List.of(a).contains("--daemon-child") && String.join(" ", a).contains(t.workDir.toString())).orElse(false))
                .findFirst().orElseThrow().pid();
        new ProcessBuilder("kill", "-9", Long.toString(coordinator)).start().waitFor();
        Tools.waitFor("the killed coordinator to be gone", 20, () -> ProcessHandle.of(coordinator).isEmpty());
        // the restarter lives on without a coordinator; its program is SIGKILLed, so it ends
        // (through the agent the restart command's own process is the program)
        if (restarter.toHandle().descendants().findAny().isEmpty()) {
            restarter.destroyForcibly();
        }
        restarter.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        assertTrue(restarter.waitFor(30, TimeUnit.SECONDS));
        for (int i = 0; i < 10; i++) {
            t.run("dmtcp_checkpoint", "--new-coordinator", "/bin/true").ok();
            commands++;
        }
        // every coordinator those started has gone with its last client; one more start then
        // finds every earlier coordinator ended and keeps the newest logs only
        Tools.waitFor("every process of this test to end", 30, () -> coordinatorsOf(t.workDir).isEmpty());
        t.run("dmtcp_checkpoint", "--new-coordinator", "/bin/true").ok();
        commands++;
        Tools.waitFor("every process of this test to end", 30, () -> coordinatorsOf(t.workDir).isEmpty());
        assertTrue("at least 30 commands, ran " + commands, commands >= 30);

        // the agent killed as a crash would: the next start removes the framework storage it left
        t.killAgents();
        t.run("dmtcp_checkpoint", "--new-coordinator", "/bin/true").ok();
        Tools.waitFor("every process of this test to end", 30, () -> coordinatorsOf(t.workDir).isEmpty());
        List<String> left = new java.util.ArrayList<>(names(priv));
        // the agent's own: its FIFO, lock, log and last pid file, and its programs (none left)
        for (String n : List.of("agent.fifo", "agent.lock", "agent.log", "agent.pid")) {
            left.remove(n);
        }
        if (left.remove("agent-programs")) {
            assertEquals("program entries left", List.of(), names(priv.resolve("agent-programs")));
        }
        if (left.remove("locks")) {
            // the per-process locks (ProcessLock): none of a process that ended is left
            assertEquals("lock files left", List.of(), names(priv.resolve("locks")));
        }
        for (String n : left) {
            assertTrue("only logs of ended coordinators are kept, found " + left, n.matches("coordinator-\\d+-\\d+\\.log"));
        }
        assertTrue("the logs kept are bounded: " + left, left.size() <= 8);
        try (Stream<Path> s = Files.list(t.workDir)) {
            assertEquals("no temporary image left", List.of(), s.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".tmp")).toList());
        }
        Set<String> after = ours(tmpRoot);
        after.removeAll(before);
        assertEquals("nothing left in " + tmpRoot, Set.of(), after);
    }
}
