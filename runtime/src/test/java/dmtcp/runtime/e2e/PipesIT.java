package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A self-pipe with bytes in flight (selfpipe.c: a writer thread keeps a 64 KiB pipe full of
 * numbered records, the main thread reads one a millisecond and checks each is the next one)
 * through a checkpoint it resumes from and three cycles of dmtcp_command -bc, -k and
 * ./dmtcp_restart_script.sh: every record is read exactly once, in order, none lost, the ones
 * in the pipe at each checkpoint included. Also as the ordinary user.
 */
public class PipesIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    @Test
    public void selfPipeBytesInFlightThroughAResumeAndThreeRestarts() throws Exception {
        cycles(new Tools(null, tmp.getRoot().toPath()));
    }

    @Test
    public void selfPipeAsAnOrdinaryUser() throws Exception {
        Assume.assumeTrue("root".equals(System.getProperty("user.name")));
        Assume.assumeTrue(new ProcessBuilder("id", CommandLineIT.USER).start().waitFor() == 0);
        Path dir = tmp.newFolder("user").toPath();
        Files.setPosixFilePermissions(tmp.getRoot().toPath(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Tools.sharedLikeTmp(dir);
        cycles(new Tools(CommandLineIT.USER, dir));
    }

    private static List<String> lines(Path f) {
        try {
            if (!Files.exists(f)) {
                return List.of();
            }
            String s = Files.readString(f);
            return List.of(s.substring(0, s.lastIndexOf('\n') + 1).split("\n")).stream().filter(l -> !l.isEmpty()).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static long number(String line) {
        return Long.parseLong(line.split(" ")[0]);
    }

    private static long last(Path f) {
        List<String> l = lines(f);
        return l.isEmpty() ? 0 : number(l.get(l.size() - 1));
    }

    /** Lines {@code from}.. of the log are "N ok ..." with N going up one by one. */
    private static void assertOneByOne(List<String> l, int from, String what) {
        for (int i = from; i < l.size(); i++) {
            assertTrue(what + ", line " + (i + 1) + ": " + l.get(i), l.get(i).split(" ")[1].equals("ok"));
            if (i > from) {
                assertEquals(what + ", line " + (i + 1), number(l.get(i - 1)) + 1, number(l.get(i)));
            }
        }
    }

    /** The bytes in flight in the self-pipe the image saved (dmtcp_inspect --json). */
    private static int inFlight(Tools t, Path image) throws Exception {
        JsonObject d = JsonParser.parseString(t.run("dmtcp_inspect", "--json", image.toString()).ok().out()).getAsJsonObject();
        int n = -1;
        for (JsonElement e : d.getAsJsonObject("process").getAsJsonArray("fds")) {
            JsonObject f = e.getAsJsonObject();
            if (f.get("kind").getAsString().equals("pipe") && f.getAsJsonObject("data").has("content")) {
                n = Base64.getDecoder().decode(f.getAsJsonObject("data").get("content").getAsString()).length;
            }
        }
        return n;
    }

    private void cycles(Tools t) throws Exception {
        Path exe = t.compile("selfpipe");
        Path log = t.workDir.resolve("records");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        Process running = t.start("launch", "dmtcp_checkpoint", "-p", p, "--join", exe.toString(), log.toString());
        Tools.waitFor("the participant", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        Tools.waitFor("records", 20, () -> lines(log).size() > 100);

        // a checkpoint the program resumes from: nothing was taken out of the pipe, nothing is put back
        long before = last(log);
        assertContains(t.run("dmtcp_command", "-p", p, "-bc").ok().out(), "1 participant(s), 1 image(s)");
        Tools.waitFor("records after the resume", 20, () -> last(log) > before + 300);
        assertOneByOne(lines(log), 0, "after a resume");

        for (int cycle = 1; cycle <= 3; cycle++) {
            long first = last(log);
            t.run("dmtcp_command", "-p", p, "-bc").ok();
            long after = last(log);
            Path image;
            try (var s = Files.list(t.workDir)) {
                image = s.filter(f -> f.getFileName().toString().matches("ckpt_selfpipe_.*\\.dmtcp")).findFirst().orElseThrow();
            }
            int bytes = inFlight(t, image);
            assertTrue("cycle " + cycle + ": bytes in flight at the checkpoint: " + bytes, bytes > 0);
            t.run("dmtcp_command", "-p", p, "-k").ok();
            assertTrue(running.waitFor(20, TimeUnit.SECONDS));
            Tools.waitFor("the killed participant to leave", 20, () -> t.status(p).contains("NUM_PEERS=0"));
            int killedAt = lines(log).size();
            running = t.start("restart-" + cycle, "/bin/sh", "-c", "cd '" + t.workDir + "' && exec ./dmtcp_restart_script.sh");
            // past the records that were in the pipe at the checkpoint, and some the writer wrote since
            Tools.waitFor("the restored program to read on", 40, () -> lines(log).size() > killedAt + bytes / 32 + 200);
            List<String> l = lines(log);
            long restoredFirst = number(l.get(killedAt));
            // the restored program reads the record after the last one it had read at the checkpoint
            assertTrue("cycle " + cycle + ": restored at the checkpoint: first record " + restoredFirst + ", " + (first + 1) + ".."
                    + (after + 1) + " were possible", restoredFirst >= first + 1 && restoredFirst <= after + 1);
            assertOneByOne(l, killedAt, "cycle " + cycle + " after the restart");
            Tools.waitFor("the restarter to join", 30, () -> t.status(p).contains("NUM_PEERS=1"));
            System.out.printf("pipes cycle %d: %d bytes in flight, restored at record %d%n", cycle, bytes, restoredFirst);
        }
        t.run("dmtcp_command", "-p", p, "-q").ok();
        assertTrue(coord.process.waitFor(20, TimeUnit.SECONDS));
    }
}
