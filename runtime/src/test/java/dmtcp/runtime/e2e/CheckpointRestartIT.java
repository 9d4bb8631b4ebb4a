package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * What the quick start promises, end to end: dmtcp_checkpoint ./a.out, dmtcp_command -bc,
 * kill, ./dmtcp_restart_script.sh, and the program continues where it was with its memory
 * intact; then again, three cycles. A restart of a computation that still runs is refused
 * without harming it, and a truncated image is refused before anything starts.
 */
public class CheckpointRestartIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    @Test
    public void checkpointKillRestartThreeTimes() throws Exception {
        cycles(new Tools(null, tmp.getRoot().toPath()));
    }

    @Test
    public void withoutCompression() throws Exception {
        cycles(new Tools(null, tmp.getRoot().toPath()), "--no-gzip");
    }

    @Test
    public void checkpointKillRestartAsAnOrdinaryUser() throws Exception {
        Assume.assumeTrue("root".equals(System.getProperty("user.name")));
        Assume.assumeTrue(new ProcessBuilder("id", CommandLineIT.USER).start().waitFor() == 0);
        Path dir = tmp.newFolder("user").toPath();
        Files.setPosixFilePermissions(tmp.getRoot().toPath(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Tools.sharedLikeTmp(dir);
        cycles(new Tools(CommandLineIT.USER, dir));
    }

    private static List<String> ticks(Path f) {
        try {
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static int lastTick(Path f) {
        List<String> t = ticks(f);
        return t.isEmpty() ? -1 : tickOf(t.get(t.size() - 1));
    }

    private static int tickOf(String line) {
        return Integer.parseInt(line.split(" ")[1]);
    }

    private void cycles(Tools t, String... launchOptions) throws Exception {
        Path ticker = t.compile("ticker");
        Path out = t.workDir.resolve("ticks");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        List<String> args = new java.util.ArrayList<>(List.of("-p", p, "--join"));
        args.addAll(List.of(launchOptions));
        args.addAll(List.of(ticker.toString(), out.toString()));
        Process running = t.start("launch", "dmtcp_checkpoint", args.toArray(new String[0]));
        Tools.waitFor("the participant", 30, () -> status(t, p).contains("NUM_PEERS=1"));

        for (int cycle = 1; cycle <= 3; cycle++) {
            Tools.waitFor("ticks", 20, () -> ticks(out).size() > 5);
            int before = lastTick(out);
            Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc").ok();
            assertContains(bc.out(), "1 participant(s), 1 image(s)");
            int after = lastTick(out);
            List<Path> images;
            try (var s = Files.list(t.workDir)) {
                images = s.filter(f -> f.getFileName().toString().matches("ckpt_ticker_.*\\.dmtcp")).toList();
            }
            assertEquals("one image, rewritten by each checkpoint: " + images, 1, images.size());
            if (cycle == 1) {
                Tools.Result inspect = t.run("dmtcp_inspect", images.get(0).toString()).ok();
                assertContains(inspect.out(), "verified");
                assertContains(inspect.out(), "program    ticker");
                assertContains(inspect.out(), "threads (1)");
            }
            Path script = t.workDir.resolve("dmtcp_restart_script.sh");
            assertContains(Files.readString(script), images.get(0).toString());

            t.run("dmtcp_command", "-p", p, "-k").ok();
            assertTrue(running.waitFor(20, TimeUnit.SECONDS));
            Tools.waitFor("the killed participant to leave", 20, () -> status(t, p).contains("NUM_PEERS=0"));
            int killedAt = ticks(out).size();

            // DMTCP's way: the script the coordinator wrote
            running = t.start("restart-" + cycle, "/bin/sh", "-c",
                    "cd '" + t.workDir + "' && exec ./dmtcp_restart_script.sh " + String.join(" ", launchOptions));
            Tools.waitFor("the restored program to tick", 30, () -> ticks(out).size() > killedAt + 3);
            List<String> all = ticks(out);
            int first = tickOf(all.get(killedAt));
            // the restored program writes the tick after the last one it finished before the
            // freeze; a write caught in flight is redone, so that tick may appear twice
            assertTrue("cycle " + cycle + ": restored at the checkpoint: first tick " + first + ", " + before + ".."
                    + (after + 1) + " were possible", first >= before && first <= after + 1);
            for (int i = killedAt + 1; i < all.size(); i++) {
                assertEquals("ticks continue one by one", tickOf(all.get(i - 1)) + 1, tickOf(all.get(i)));
            }
            for (String line : all) {
                assertTrue("memory intact: " + line, line.endsWith(" ok"));
            }
            Tools.waitFor("the restarter to join", 30, () -> status(t, p).contains("NUM_PEERS=1"));
            Matcher m = Pattern.compile("ticker\\[\\d+\\]@\\S+, restart, RUNNING").matcher(t.run("dmtcp_command", "-p", p, "-l").out());
            assertTrue(m.find());
            if (cycle == 1) {
                // the image's own pid is gone but its process runs again, restarted with the same
                // unique id: the restarter's lock in the private folder refuses a second restart
                // before anything is rebuilt
                int n = ticks(out).size();
                Tools.Result locked = t.run("dmtcp_restart", "-p", p, "--join", images.get(0).toString());
                assertEquals(locked.err(), 1, locked.exit());
                assertContains(locked.err(), "already runs as pid");
                assertContains(locked.err(), "nothing was restarted");
                // from another private folder (no lock there) the coordinator refuses it, and the copy the
                // refused restarter rebuilt ahead (held stopped) is killed without running a step
                Tools elsewhere = new Tools(t.user, t.workDir);
                elsewhere.env.put("DMTCP_TMPDIR", t.workDir.resolve("tmp2").toString());
                Tools.Result again = elsewhere.run("dmtcp_restart", "-p", p, "--join", images.get(0).toString());
                assertEquals(again.err(), 1, again.exit());
                assertContains(again.err(), "is still running as pid");
                assertContains(again.err(), "nothing was restarted");
                Tools.waitFor("the running program to go on", 10, () -> ticks(out).size() > n + 2);
                List<String> now = ticks(out);
                for (int i = n; i < now.size(); i++) {
                    assertEquals("one program ticks, not two", tickOf(now.get(i - 1)) + 1, tickOf(now.get(i)));
                }
                Tools.waitFor("the refused restarter to leave", 20, () -> status(t, p).contains("NUM_PEERS=1"));
            }
        }

        // a computation that still runs is not restarted, and is left alone
        Path image;
        try (var s = Files.list(t.workDir)) {
            image = s.filter(f -> f.getFileName().toString().matches("ckpt_ticker_.*\\.dmtcp")).findFirst().orElseThrow();
        }
        Tools.Result twice = t.run("dmtcp_restart", "-p", p, "--join", image.toString());
        assertEquals(1, twice.exit());
        assertContains(twice.err(), "already runs as pid");
        assertContains(twice.err(), "nothing was restarted");
        int n = ticks(out).size();
        Tools.waitFor("the running program to go on", 10, () -> ticks(out).size() > n + 2);

        // a truncated image: the restore stops at the cut, kills what it had built, and says why
        t.run("dmtcp_command", "-p", p, "-k").ok();
        assertTrue(running.waitFor(20, TimeUnit.SECONDS));
        Tools.waitFor("the computation to be gone", 20, () -> status(t, p).contains("NUM_PEERS=0"));
        Path cut = t.workDir.resolve("cut.dmtcp");
        byte[] whole = Files.readAllBytes(image);
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
        if (t.user != null) {
            // the test wrote it; an image of another user would be refused for that alone
            Files.setOwner(cut, cut.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(t.user));
        }
        int quiet = ticks(out).size();
        Tools.Result badInspect = t.run("dmtcp_inspect", cut.toString());
        assertEquals(1, badInspect.exit());
        assertContains(badInspect.err(), "dmtcp_inspect: " + cut);
        Tools.Result truncated = t.run("dmtcp_restart", "-p", p, "--join", cut.toString());
        assertEquals(truncated.err(), 1, truncated.exit());
        assertContains(truncated.err(), cut.toString());
        assertTrue(truncated.err(), truncated.err().matches("(?s).*(truncated|did not finish).*"));
        Tools.waitFor("the failed restarter to leave", 20, () -> status(t, p).contains("NUM_PEERS=0"));
        Thread.sleep(300);
        assertEquals("nothing runs from a truncated image", quiet, ticks(out).size());

        t.run("dmtcp_command", "-p", p, "-q").ok();
        assertTrue(coord.process.waitFor(20, TimeUnit.SECONDS));
    }

    private static String status(Tools t, String port) {
        try {
            return t.run("dmtcp_command", "-p", port, "s").out();
        } catch (Exception e) {
            return "";
        }
    }
}
