package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * End to end, through bin/ as users type it: a coordinator on port 0, three real C
 * programs under dmtcp_checkpoint, status, list, a blocking checkpoint whose stages are
 * logged in order, kill, quit, and the clear errors of bad input. The core scenario also
 * runs as an ordinary user when the suite runs as root.
 */
public class CommandLineIT {
    /** The unprivileged account .ci/run creates (override with -Ddmtcp.e2e.user). */
    static final String USER = System.getProperty("dmtcp.e2e.user", "dmtcptest");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    @Test
    public void threeProgramsCheckpointedKilledAndCoordinatorQuit() throws Exception {
        scenario(new Tools(null, tmp.getRoot().toPath()));
    }

    @Test
    public void theSameAsAnOrdinaryUser() throws Exception {
        Assume.assumeTrue("runs as root only (as any other user the test above already is unprivileged)",
                "root".equals(System.getProperty("user.name")));
        Assume.assumeTrue("user " + USER + " exists (.ci/run creates it)",
                new ProcessBuilder("id", USER).start().waitFor() == 0);
        Path dir = tmp.newFolder("unprivileged").toPath();
        Files.setPosixFilePermissions(tmp.getRoot().toPath(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Tools.sharedLikeTmp(dir);
        Tools t = new Tools(USER, dir);
        scenario(t);
        // and the programs really ran as that user
        assertEquals(0, new ProcessBuilder("runuser", "-u", USER, "--", "test", "-O", dir.resolve("ticks-0").toString())
                .start().waitFor());
    }

    private void scenario(Tools t) throws Exception {
        Path counter = t.compile("counter");
        Tools.Coordinator coord = t.coordinator("coord");
        int port = coord.port;
        String p = String.valueOf(port);

        List<Process> launchers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            launchers.add(t.start("launch-" + i, "dmtcp_checkpoint", "-p", p, "--join", counter.toString(),
                    t.workDir.resolve("ticks-" + i).toString()));
        }
        // the programs start at once, before the launchers' runtime has booted
        for (int i = 0; i < 3; i++) {
            Path ticks = t.workDir.resolve("ticks-" + i);
            Tools.waitFor("program " + i + " to run", 20, () -> Tools.lines(ticks) > 0);
        }
        Tools.waitFor("three participants", 30, () -> status(t, p).contains("NUM_PEERS=3"));

        Tools.Result st = t.run("dmtcp_command", "-p", p, "-s").ok();
        assertContains(st.out(), "Port: " + port);
        assertContains(st.out(), "RUNNING=yes");
        Tools.Result list = t.run("dmtcp_command", "-p", p, "--list").ok();
        Matcher m = Pattern.compile("(?m)^\\d+, counter\\[(\\d+)\\]@\\S+, launch, RUNNING$").matcher(list.out());
        int rows = 0;
        while (m.find()) {
            rows++;
            assertTrue("pid " + m.group(1) + " is alive", Files.exists(Path.of("/proc", m.group(1))));
        }
        assertEquals(list.out(), 3, rows);
        JsonObject json = JsonParser.parseString(t.run("dmtcp_command", "-p", p, "-s", "--json").ok().out()).getAsJsonObject();
        assertEquals(3, json.getAsJsonObject("data").get("NUM_PEERS").getAsInt());

        int before = Tools.lines(t.workDir.resolve("ticks-0"));
        Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc").ok();
        assertTrue(bc.out(), bc.out().matches("(?s)checkpoint round 1 done in \\d+ ms: 3 participant\\(s\\).*"));
        String log = t.output("coord", "err");
        int at = -1;
        for (String stage : List.of("SUSPENDED", "FD_LEADER_ELECTION", "DRAINED", "CHECKPOINTED", "REFILLED", "RUNNING")) {
            Matcher sm = Pattern.compile("round 1: " + stage + " reached by 3 participant\\(s\\) in \\d+ ms").matcher(log);
            assertTrue(stage + " logged in:\n" + log, sm.find());
            assertTrue(stage + " logged after the stage before it", sm.start() > at);
            at = sm.start();
        }
        // DMTCP's console key does the same
        coord.type("c");
        Tools.waitFor("console checkpoint", 20, () -> coord.out.toString().contains("checkpoint round 2 done"));
        coord.type("l");
        Tools.waitFor("console list", 10, () -> coord.out.toString().contains("Client List:"));
        // the programs went on running through both rounds
        Tools.waitFor("programs to continue", 10, () -> Tools.lines(t.workDir.resolve("ticks-0")) > before + 5);

        t.run("dmtcp_command", "-p", p, "-k").ok();
        for (Process l : launchers) {
            assertTrue("launcher exits after kill", l.waitFor(20, TimeUnit.SECONDS));
            assertEquals("launcher passes the SIGKILL status through", 137, l.exitValue());
        }
        Tools.waitFor("no participants", 10, () -> status(t, p).contains("NUM_PEERS=0"));
        t.run("dmtcp_command", "-p", p, "-q").ok();
        assertTrue("coordinator quits", coord.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, coord.process.exitValue());
        Tools.Result gone = t.run("dmtcp_command", "-p", p, "-s");
        assertEquals(1, gone.exit());
        assertContains(gone.err(), "dmtcp_command: no coordinator at localhost:" + port);
    }

    private static String status(Tools t, String port) {
        try {
            return t.run("dmtcp_command", "-p", port, "s").out();
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    public void exitStatusPassesThroughAndACoordinatorIsStartedWhenNoneAnswers() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        String port = String.valueOf(freePort());
        Tools.Result r = t.run("dmtcp_checkpoint", "-p", port, "sh", "-c", "sleep 2; exit 3");
        assertEquals(r.err(), 3, r.exit());
        assertContains(r.err(), "starting one in the background");
        // it was started with --exit-on-last: gone once its only client left
        Tools.waitFor("auto-started coordinator to exit", 20, () -> {
            try {
                return t.run("dmtcp_command", "-p", port, "-s").exit() == 1;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    public void aPluginDirectoryThatCannotBeCreatedOnlyMeansNoPlugins() throws Exception {
        // an ordinary user of an installation owned by root: <install>/plugins may be missing
        // and not creatable (this failed every tool of that user once)
        Tools t = new Tools(null, tmp.getRoot().toPath());
        t.env.put("DMTCP_PLUGIN_DIR", "/proc/dmtcp-plugins-cannot-exist");
        Tools.Result r = t.run("dmtcp_checkpoint", "--new-coordinator", "sh", "-c", "sleep 1; exit 4");
        assertEquals(r.err(), 4, r.exit());
        assertTrue(r.err(), !r.err().contains("cannot prepare") && !r.err().contains("did not start"));
    }

    @Test
    public void newCoordinatorStartsOnAFreePortAndLeavesWithItsLastClient() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Tools.Result r = t.run("dmtcp_checkpoint", "--new-coordinator", "sh", "-c", "sleep 2; exit 5");
        assertEquals(r.err(), 5, r.exit());
        Matcher m = Pattern.compile("new coordinator on port (\\d+)").matcher(r.err());
        assertTrue(r.err(), m.find());
        String port = m.group(1);
        Tools.waitFor("the new coordinator to exit with its last client", 20, () -> {
            try {
                return t.run("dmtcp_command", "-p", port, "-s").exit() == 1;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    public void badInputGivesOneClearLineAndANonZeroExit() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Tools.Result badPort = t.run("dmtcp_coordinator", "-p", "70000");
        assertEquals(2, badPort.exit());
        assertEquals("dmtcp_coordinator: Invalid value for option '--coord-port': port 70000 is out of range (0-65535)",
                badPort.err().lines().findFirst().orElse(""));

        Tools.Result notAPort = t.run("dmtcp_command", "-p", "seventy", "-s");
        assertEquals(2, notAPort.exit());
        assertContains(notAPort.err(), "'seventy' is not a port number");

        Tools.Result unknown = t.run("dmtcp_command", "--frobnicate");
        assertEquals(2, unknown.exit());
        assertContains(unknown.err(), "dmtcp_command: Unknown option: '--frobnicate'");

        Tools.Result unknownLetter = t.run("dmtcp_command", "z");
        assertEquals(2, unknownLetter.exit());
        assertContains(unknownLetter.err(), "dmtcp_command: unknown command 'z'");

        Tools.Result launchUnknown = t.run("dmtcp_checkpoint", "--frobnicate", "true");
        assertEquals(2, launchUnknown.exit());
        assertContains(launchUnknown.err(), "dmtcp_checkpoint: Unknown option: '--frobnicate'");

        Tools.Result noCoordinator = t.run("dmtcp_command", "-p", String.valueOf(freePort()), "--status");
        assertEquals(1, noCoordinator.exit());
        assertContains(noCoordinator.err(), "dmtcp_command: no coordinator at localhost:");

        Tools.Result joinNone = t.run("dmtcp_checkpoint", "-p", String.valueOf(freePort()), "--join", "true");
        assertEquals(1, joinNone.exit());
        assertContains(joinNone.err(), "(--join given)");

        // a missing program: one line naming it, status 127, nothing left running
        Tools.Coordinator coord = t.coordinator("c2", "--exit-on-last");
        int port = coord.port;
        Tools.Result missing = t.run("dmtcp_checkpoint", "-p", String.valueOf(port), "--join", "./no-such-program");
        assertEquals(127, missing.exit());
        assertContains(missing.err(), "dmtcp_checkpoint: cannot run './no-such-program'");
        assertFalse(missing.err().contains("Exception"));
        t.run("dmtcp_command", "-p", String.valueOf(port), "-q").ok();
        assertTrue(coord.process.waitFor(20, TimeUnit.SECONDS));

        // a port in use
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Tools.Result busy = t.run("dmtcp_coordinator", "-p", String.valueOf(taken.getLocalPort()), "--daemon");
            assertEquals(1, busy.exit());
            assertContains(busy.err(), "cannot listen on port " + taken.getLocalPort());
        }

        // every tool's help names its environment variables
        for (String tool : List.of("dmtcp_coordinator", "dmtcp_checkpoint", "dmtcp_launch", "dmtcp_command", "dmtcp_restart")) {
            Tools.Result help = t.run(tool, "--help").ok();
            assertContains(help.out(), "DMTCP_PORT");
        }
        assertContains(t.run("dmtcp_check", "--help").ok().out(), "DMTCP_CHECKPOINT_DIR");
        assertContains(t.run("dmtcp_inspect", "--help").ok().out(), "verifies");
        Tools.Result notImage = t.run("dmtcp_inspect", HOME_README.toString());
        assertEquals(1, notImage.exit());
        assertContains(notImage.err(), "not a DMTCP image");
    }

    static final Path HOME_README = Tools.HOME.resolve("README.md");

    @Test
    public void checkSaysCheckpointingWorksHere() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Tools.Result check = t.run("dmtcp_check").ok();
        assertContains(check.out(), "OK    ptrace");
        assertContains(check.out(), "OK    restore");
        assertContains(check.out(), "Looks good");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
