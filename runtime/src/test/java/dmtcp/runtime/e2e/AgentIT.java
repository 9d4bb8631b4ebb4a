package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The agent (doc/architecture.md, "The agent"): dmtcp_checkpoint execs the program itself
 * once this user's agent has it, so the program is the very process the shell started; the
 * agent's death leaves it running, and the next command's new agent takes it over; two
 * users' agents are separate; job control on a terminal is the shell's own.
 */
public class AgentIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    @Test
    public void aKilledAgentLeavesItsProgramRunningAndTheNextCommandTakesItOver() throws Exception {
        takeOver(agent(new Tools(null, tmp.getRoot().toPath())));
    }

    @Test
    public void aKilledAgentAsAnOrdinaryUser() throws Exception {
        takeOver(agent(ordinaryUser(CommandLineIT.USER, "user")));
    }

    @Test
    public void twoUsersHaveAgentsOfTheirOwn() throws Exception {
        Tools a = agent(ordinaryUser(CommandLineIT.USER, "shared"));
        Assume.assumeTrue(new ProcessBuilder("id", SecurityIT.OTHER).start().waitFor() == 0);
        // a working folder each (its restart script), one DMTCP_TMPDIR for both, as /tmp: each
        // user's private folder below it
        Path other = Files.createDirectory(a.workDir.resolve("other"));
        Tools.sharedLikeTmp(other);
        Tools b = agent(new Tools(SecurityIT.OTHER, other));
        Tools.sharedLikeTmp(Files.createDirectory(a.workDir.resolve("tmp")));
        b.env.put("DMTCP_TMPDIR", a.workDir.resolve("tmp").toString());
        Path counter = a.compile("counter");
        Tools.Coordinator ca = a.coordinator("coord-a");
        Tools.Coordinator cb = b.coordinator("coord-b");
        Process pa = a.start("launch-a", "dmtcp_checkpoint", "-p", String.valueOf(ca.port), "--join", counter.toString(),
                a.workDir.resolve("ticks-a").toString());
        Process pb = b.start("launch-b", "dmtcp_checkpoint", "-p", String.valueOf(cb.port), "--join", counter.toString(),
                other.resolve("ticks-b").toString());
        try {
            // each user's first program starts that user's agent (a JVM and a framework): on a loaded machine, seconds
            Tools.waitFor("both programs to tick", 60, () -> Tools.lastTick(a.workDir.resolve("ticks-a")) > 2
                    && Tools.lastTick(other.resolve("ticks-b")) > 2);
        } catch (AssertionError e) {
            StringBuilder procs = new StringBuilder();
            ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains(a.workDir.toString()))
                    .forEach(h -> procs.append("\n  ").append(h.pid()).append(' ').append(h.info().commandLine().orElse("")));
            throw new AssertionError(e.getMessage() + "; a: " + a.output("launch-a", "err") + "; b: " + b.output("launch-b", "err")
                    + "; ticks: " + Tools.lastTick(a.workDir.resolve("ticks-a")) + " " + Tools.lastTick(other.resolve("ticks-b"))
                    + "; agent logs: " + read(agentDir(a).resolve("agent.log")) + " / " + read(agentDir(b).resolve("agent.log"))
                    + "; files of b: " + (Files.isDirectory(agentDir(b)) ? String.join(" ", agentDir(b).toFile().list()) : "none")
                    + "; processes:" + procs);
        }
        long agentA = agentPid(a);
        long agentB = agentPid(b);
        assertNotEquals("one agent per user", agentA, agentB);
        assertEquals(uid(CommandLineIT.USER), Files.getAttribute(Path.of("/proc/" + agentA), "unix:uid"));
        assertEquals(uid(SecurityIT.OTHER), Files.getAttribute(Path.of("/proc/" + agentB), "unix:uid"));
        // each program is its own launcher's process, checkpointed by its own user's computation
        programPid(a, pa);
        programPid(b, pb);
        assertContains(a.run("dmtcp_command", "-p", String.valueOf(ca.port), "-bc").ok().out(), "1 participant(s), 1 image(s)");
        assertContains(b.run("dmtcp_command", "-p", String.valueOf(cb.port), "-bc").ok().out(), "1 participant(s), 1 image(s)");
        // the other user cannot reach the first one's agent: its FIFO is in a folder of mode 0700
        Path fifo = agentDir(a).resolve("agent.fifo");
        Process poke = new ProcessBuilder("runuser", "-u", SecurityIT.OTHER, "--", "sh", "-c",
                "echo launch 1 > " + Tools.shellQuote(fifo.toString())).redirectErrorStream(true).start();
        assertTrue(poke.waitFor(10, TimeUnit.SECONDS));
        assertNotEquals("another user wrote to " + fifo, 0, poke.exitValue());
    }

    @Test
    public void aRestartThroughTheAgentIsTheRestartCommandsOwnProcess() throws Exception {
        restartCycles(agent(new Tools(null, tmp.getRoot().toPath())));
    }

    @Test
    public void aRestartThroughTheAgentAsAnOrdinaryUser() throws Exception {
        restartCycles(agent(ordinaryUser(CommandLineIT.USER, "restart")));
    }

    /**
     * Launch, then three times: checkpoint, kill, dmtcp_restart IMAGE, which the agent
     * restores into the restart command's own process: that process becomes the program,
     * counts on from the image, and is killed with the computation (its status the shell's).
     */
    private static void restartCycles(Tools t) throws Exception {
        t.env.put("DMTCP_AGENT_RESTART", "1"); // opt-in while the rest of the suite's restarts are not all through it
        Path counter = t.compile("counter");
        Path ticks = t.workDir.resolve("ticks");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        Process running = t.start("launch", "dmtcp_checkpoint", "-p", p, "--join", counter.toString(), ticks.toString());
        Tools.waitFor("the program to tick", 30, () -> Tools.lastTick(ticks) > 2);
        for (int cycle = 1; cycle <= 3; cycle++) {
            Tools.waitFor("its participant to join", 30, () -> t.status(p).contains("NUM_PEERS=1"));
            Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc");
            assertEquals("stdout: " + bc.out() + " stderr: " + bc.err(), 0, bc.exit());
            Path image;
            try (Stream<Path> s = Files.list(t.workDir)) {
                image = s.filter(f -> f.getFileName().toString().matches("ckpt_counter_.*\\.dmtcp")).findFirst().orElseThrow();
            }
            int saved = Tools.lastTick(ticks);
            t.run("dmtcp_command", "-p", p, "-k").ok();
            assertTrue("killed with the computation", running.waitFor(20, TimeUnit.SECONDS));
            Tools.waitFor("the killed participant to leave", 20, () -> t.status(p).contains("NUM_PEERS=0"));
            int killedAt = Tools.readLines(ticks).size();
            running = t.start("restart-" + cycle, "dmtcp_restart", "-p", p, "--join", image.toString());
            Tools.waitFor("the restored program to tick", 30, () -> Tools.readLines(ticks).size() > killedAt + 2);
            List<String> lines = Tools.readLines(ticks);
            int resumed = Integer.parseInt(lines.get(killedAt).split(" ")[1]);
            assertTrue("cycle " + cycle + ": counts on from the image (saved at " + saved + "), resumed at " + resumed,
                    resumed > 0 && resumed <= saved + 1);
            programPid(t, running); // the restart command's own process is the program now
        }
        t.run("dmtcp_command", "-p", p, "-k").ok();
        assertTrue(running.waitFor(20, TimeUnit.SECONDS));
        if (t.user == null) {
            assertEquals("the shell sees the program killed", 128 + 9, running.exitValue());
        }
    }

    @Test
    public void jobControlOnATerminalIsTheShells() throws Exception {
        Tools t = agent(new Tools(null, tmp.getRoot().toPath()));
        Path counter = t.compile("counter");
        Path ticks = t.workDir.resolve("ticks");
        Tools.Coordinator coord = t.coordinator("coord");
        String launch = String.join(" ", Tools.shellQuote(Tools.HOME.resolve("bin/dmtcp_checkpoint").toString()), "-p",
                String.valueOf(coord.port), "--join", Tools.shellQuote(counter.toString()), Tools.shellQuote(ticks.toString()));
        Tools.Terminal term = t.terminal("term", "exec bash --norc --noprofile -i");
        term.type("PS1='$ '; " + launch);
        Tools.waitFor("the program to tick", 30, () -> Tools.lastTick(ticks) > 2);
        Tools.waitFor("its participant to join", 30, () -> t.status(String.valueOf(coord.port)).contains("NUM_PEERS=1"));
        term.press("\u001a"); // Ctrl-Z
        Tools.waitFor("the shell to report it stopped", 10, () -> term.screen().contains("Stopped"));
        int stoppedAt = Tools.lastTick(ticks);
        Thread.sleep(400);
        assertTrue("stopped by Ctrl-Z: no tick after " + stoppedAt, Tools.lastTick(ticks) <= stoppedAt + 1);
        // a checkpoint of the stopped program: it stays stopped, as the shell left it
        assertContains(t.run("dmtcp_command", "-p", String.valueOf(coord.port), "-bc").ok().out(), "1 image(s)");
        Thread.sleep(300);
        assertTrue("still stopped after the checkpoint", Tools.lastTick(ticks) <= stoppedAt + 1);
        term.type("fg");
        Tools.waitFor("ticks again after fg", 10, () -> Tools.lastTick(ticks) > stoppedAt + 3);
        term.press("\u0003"); // Ctrl-C
        term.type("echo status=$?");
        Tools.waitFor("the shell's status of the program", 10, () -> term.screen().contains("status=130"));
        int at = Tools.lastTick(ticks);
        Thread.sleep(300);
        assertEquals("Ctrl-C ended it", at, Tools.lastTick(ticks));
        Tools.waitFor("its participant to leave", 20, () -> t.status(String.valueOf(coord.port)).contains("NUM_PEERS=0"));
        term.type("exit");
        assertTrue(term.process.waitFor(10, TimeUnit.SECONDS));
    }

    /** A Tools whose dmtcp_checkpoint goes through the agent (opt-in: DMTCP_AGENT=1). */
    private static Tools agent(Tools t) {
        t.env.put("DMTCP_AGENT", "1");
        return t;
    }

    private Tools ordinaryUser(String user, String folder) throws Exception {
        Assume.assumeTrue("root".equals(System.getProperty("user.name")));
        Assume.assumeTrue(new ProcessBuilder("id", user).start().waitFor() == 0);
        Path dir = tmp.newFolder(folder).toPath();
        Files.setPosixFilePermissions(tmp.getRoot().toPath(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Tools.sharedLikeTmp(dir);
        return new Tools(user, dir);
    }

    private static void takeOver(Tools t) throws Exception {
        Path counter = t.compile("counter");
        Path ticks = t.workDir.resolve("ticks");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        Process launched = t.start("launch", "dmtcp_checkpoint", "-p", p, "--join", counter.toString(), ticks.toString());
        Tools.waitFor("the program to tick", 30, () -> Tools.lastTick(ticks) > 2);
        long program = programPid(t, launched);
        assertTrue("the program is the process dmtcp_checkpoint was", ProcessHandle.of(program).isPresent());
        Tools.waitFor("its participant to join", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        long agent = agentPid(t);

        new ProcessBuilder("kill", "-9", Long.toString(agent)).start().waitFor();
        ProcessHandle.of(agent).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        // looked at without an agent (any dmtcp_command would start the new one)
        Tools look = new Tools(t.user, t.workDir);
        look.env.put("DMTCP_AGENT", "0");
        Tools.waitFor("the agent's participant to leave", 20, () -> look.status(p).contains("NUM_PEERS=0"));
        int at = Tools.lastTick(ticks);
        Tools.waitFor("the program to tick on without its agent", 10, () -> Tools.lastTick(ticks) > at + 3);
        assertTrue(launched.isAlive());

        // the next command: a checkpoint, which a new agent's participant for the program answers
        Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc");
        assertEquals("stdout: " + bc.out() + " stderr: " + bc.err(), 0, bc.exit());
        assertContains(bc.err(), "starting one to take its programs over");
        assertContains(bc.out(), "1 participant(s), 1 image(s)");
        assertNotEquals("a new agent", agent, agentPid(t));

        Path image;
        try (Stream<Path> s = Files.list(t.workDir)) {
            image = s.filter(f -> f.getFileName().toString().matches("ckpt_counter_.*\\.dmtcp")).findFirst().orElseThrow();
        }
        t.run("dmtcp_command", "-p", p, "-k").ok();
        assertTrue("killed with the computation", launched.waitFor(20, TimeUnit.SECONDS));
        Tools.waitFor("the killed participant to leave", 20, () -> t.status(p).contains("NUM_PEERS=0"));
        int killedAt = Tools.lastTick(ticks);
        t.start("restart", "dmtcp_restart", "-p", p, "--join", image.toString());
        Tools.waitFor("the restored program to tick", 30, () -> Tools.lastTick(ticks) > killedAt + 2);
        List<String> lines = Tools.readLines(ticks);
        List<Long> after = new ArrayList<>();
        for (int i = lines.size() - 1; i >= 0 && after.size() < 3; i--) {
            after.add(Long.parseLong(lines.get(i).split(" ")[1]));
        }
        assertTrue("it counts on from where the image was taken, not from 0: " + after, after.get(2) > 3);
        Tools.waitFor("the restarter to join", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        assertContains(t.run("dmtcp_command", "-p", p, "-bc").ok().out(), "1 participant(s), 1 image(s)");
        t.run("dmtcp_command", "-p", p, "-k").ok();
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "(none)";
        } catch (java.io.IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    /** The private folder of {@code t}'s user below its DMTCP_TMPDIR. */
    private static Path agentDir(Tools t) throws Exception {
        String user = t.user != null ? t.user : System.getProperty("user.name");
        return Path.of(t.env.getOrDefault("DMTCP_TMPDIR", t.workDir.resolve("tmp").toString())).resolve("dmtcp-" + user);
    }

    private static long agentPid(Tools t) throws Exception {
        Path f = agentDir(t).resolve("agent.pid");
        Tools.waitFor(f + " to name a live agent", 10, () -> {
            try {
                return ProcessHandle.of(Long.parseLong(Files.readString(f).split(" ")[0])).isPresent();
            } catch (Exception e) {
                return false;
            }
        });
        long pid = Long.parseLong(Files.readString(f).split(" ")[0]);
        String cmd = ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("");
        assertTrue("an agent: " + cmd, cmd.contains(" agent"));
        assertFalse("no child of the program or the launcher", ProcessHandle.of(pid).flatMap(ProcessHandle::parent)
                .map(h -> h.info().command().orElse("").contains("counter")).orElse(false));
        return pid;
    }

    /**
     * The process dmtcp_checkpoint was, once its script exec'd the counter: {@code launched}
     * itself, or (for another user) the child runuser started.
     */
    private static long programPid(Tools t, Process launched) throws Exception {
        java.util.function.Supplier<ProcessHandle> script = () -> t.user == null ? launched.toHandle()
                : launched.children().findFirst().orElse(launched.toHandle());
        Tools.waitFor("the launcher to become the program", 10,
                () -> script.get().info().command().orElse("").endsWith("/counter"));
        long pid = script.get().pid();
        assertEquals("no process between the shell's child and the program (runuser's for another user)",
                t.user == null ? 0 : 1, launched.children().count());
        return pid;
    }

    private static int uid(String user) throws Exception {
        Process id = new ProcessBuilder("id", "-u", user).start();
        String out = new String(id.getInputStream().readAllBytes()).trim();
        id.waitFor();
        return Integer.parseInt(out);
    }
}
