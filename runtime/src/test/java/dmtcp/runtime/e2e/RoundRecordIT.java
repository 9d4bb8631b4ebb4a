package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The example plugin with a record of its own in each process image (examples/round-record),
 * with the real bundles: installed in the plugins folder of a computation, it writes the round
 * and time of each checkpoint into the image of a real program; each restart reads them back,
 * logs "restored from round N taken at T" for the restored pid, publishes it through the
 * coordinator and reads it back; twice. A restart without the plugin goes on, with a warning
 * naming the record (the example declares it optional).
 */
public class RoundRecordIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    @Test
    public void eachRestartReadsTheRecordItsCheckpointWrote() throws Exception {
        Path jar = Tools.example("dmtcp.example.roundrecord");
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path plugins = t.pluginDir();
        Files.copy(jar, plugins.resolve(jar.getFileName()));
        Path ticker = t.compile("ticker");
        Path out = t.workDir.resolve("ticks");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        Process running = t.start("launch", "dmtcp_checkpoint", "-p", p, "--join", ticker.toString(), out.toString());
        Tools.waitFor("the participant", 30, () -> t.status(p).contains("NUM_PEERS=1"));

        for (int cycle = 1; cycle <= 2; cycle++) {
            Tools.waitFor("ticks", 20, () -> Tools.lines(out) > 3);
            Instant before = Instant.now();
            Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc").ok();
            Instant after = Instant.now();
            Matcher r = Pattern.compile("checkpoint round (\\d+) done").matcher(bc.out() + bc.err());
            assertTrue(bc.toString(), r.find());
            String round = r.group(1);
            Path image;
            try (var s = Files.list(t.workDir)) {
                image = s.filter(f -> f.getFileName().toString().matches("ckpt_ticker_.*\\.dmtcp")).findFirst().orElseThrow();
            }
            String uniqueId = image.getFileName().toString().replaceAll("^ckpt_ticker_(.*)\\.dmtcp$", "$1");
            // dmtcp_inspect shows the plugin's record, as text and as JSON, without the plugin running
            assertTrue(t.run("dmtcp_inspect", image.toString()).ok().out(),
                    t.run("dmtcp_inspect", image.toString()).ok().out().matches("(?s).*plugin records \\(1\\)\n  dmtcp\\.example\\.roundrecord v1  .*round=" + round + ".*"));
            com.google.gson.JsonObject rec = com.google.gson.JsonParser.parseString(t.run("dmtcp_inspect", "--json", image.toString()).ok().out())
                    .getAsJsonObject().getAsJsonObject("process").getAsJsonArray("records").get(0).getAsJsonObject();
            assertEquals("dmtcp.example.roundrecord", rec.get("name").getAsString());

            t.run("dmtcp_command", "-p", p, "-k").ok();
            assertTrue(running.waitFor(20, TimeUnit.SECONDS));
            Tools.waitFor("the killed participant to leave", 20, () -> t.status(p).contains("NUM_PEERS=0"));
            String tag = "restart-" + cycle;
            running = t.start(tag, "/bin/sh", "-c", "cd '" + t.workDir + "' && exec ./dmtcp_restart_script.sh");
            Tools.waitFor("the restarter to report what it read back", 30, () -> err(t, tag).contains("published "));
            Tools.waitFor("the restarter to join", 30, () -> t.status(p).contains("NUM_PEERS=1"));
            // the restarter's child, or (through the agent) the restart command's own process
            long pid = java.util.stream.Stream.concat(java.util.stream.Stream.of(running.toHandle()), running.descendants())
                    .filter(h -> h.info().command().map(ticker.toString()::equals).orElse(false)).findFirst().orElseThrow().pid();
            Matcher m = Pattern.compile("ticker\\[" + pid + "\\] restored from round " + round + " taken at (\\S+)").matcher(err(t, tag));
            assertTrue("cycle " + cycle + ": the record of round " + round + " came back:\n" + err(t, tag), m.find());
            Instant taken = Instant.parse(m.group(1));
            assertTrue(before + " <= " + taken + " <= " + after, !taken.isBefore(before) && !taken.isAfter(after));
            assertContains(err(t, tag), "published dmtcp.example.roundrecord:" + uniqueId + " = ticker restored from round " + round
                    + " taken at " + m.group(1));
            int n = Tools.lines(out);
            Tools.waitFor("the restored program to tick", 20, () -> Tools.lines(out) > n + 3);
        }

        // without the plugin the record is skipped, with a warning: the example declared it optional
        t.run("dmtcp_command", "-p", p, "-k").ok();
        assertTrue(running.waitFor(20, TimeUnit.SECONDS));
        Tools.waitFor("the killed participant to leave", 20, () -> t.status(p).contains("NUM_PEERS=0"));
        Files.delete(plugins.resolve(jar.getFileName()));
        running = t.start("without", "/bin/sh", "-c", "cd '" + t.workDir + "' && exec ./dmtcp_restart_script.sh");
        int n = Tools.lines(out);
        Tools.waitFor("the program restored without the plugin to tick", 30, () -> Tools.lines(out) > n + 3);
        assertContains(err(t, "without"), "the optional process record \"dmtcp.example.roundrecord\" is skipped: its plugin is not installed");
        assertEquals(List.of(), List.of(err(t, "without").lines().filter(l -> l.contains("restored from round")).toArray()));

        t.run("dmtcp_command", "-p", p, "-q").ok();
        assertTrue(running.waitFor(20, TimeUnit.SECONDS));
        assertTrue(coord.process.waitFor(20, TimeUnit.SECONDS));
    }

    private static String err(Tools t, String tag) {
        try {
            return t.output(tag, "err");
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
