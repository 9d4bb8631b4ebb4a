package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A checkpoint the user waits for shows its progress: dmtcp_command -bc prints how many
 * bytes the participants wrote of those expected, the rate and the time left (a line
 * rewritten in place on a terminal, plain lines elsewhere, JSON lines with --json), and
 * dmtcp_command -s names the round's stage and progress while it runs. The coordinator
 * is told to report from the round's start (dmtcp.progressAfterMillis=0; a second by
 * default), so that a 512 MiB program's checkpoint is long enough.
 */
public class ProgressIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    private static final Pattern LINE = Pattern.compile("round \\d+, CHECKPOINTED: [\\d.]+ of [\\d.]+ MB \\(\\d+%\\)");

    @Test
    public void aLongCheckpointShowsItsProgressOnATerminalAndOffIt() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path verifier = t.compile("verifier");
        t.env.put("DMTCP_JAVA_OPTS", "-Ddmtcp.progressAfterMillis=0");
        Tools.Coordinator coord = t.coordinator("coord");
        t.env.remove("DMTCP_JAVA_OPTS");
        String p = String.valueOf(coord.port);
        t.start("launch", "dmtcp_checkpoint", "-p", p, "--join", "--no-gzip", verifier.toString(), "512");
        Path out = t.workDir.resolve("launch.out");
        Tools.waitFor("the program's memory", 60, () -> {
            try {
                return Files.readString(out).contains("ready");
            } catch (java.io.IOException e) {
                return false;
            }
        });
        Tools.waitFor("the participant", 30, () -> t.status(p).contains("NUM_PEERS=1"));

        // off a terminal: plain lines on stderr, then the result on stdout
        Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc").ok();
        assertContains(bc.out(), "1 participant(s), 1 image(s)");
        assertTrue("progress lines on stderr: " + bc.err(), LINE.matcher(bc.err()).find());
        assertFalse("no carriage returns off a terminal", bc.err().contains("\r"));

        // --json: each report's figures as one JSON line
        Tools.Result json = t.run("dmtcp_command", "-p", p, "--json", "-bc").ok();
        List<String> reports = json.err().lines().filter(l -> l.startsWith("{")).toList();
        assertFalse("JSON progress lines: " + json.err(), reports.isEmpty());
        JsonObject last = JsonParser.parseString(reports.get(reports.size() - 1)).getAsJsonObject();
        JsonObject who = last.getAsJsonArray("participants").get(0).getAsJsonObject();
        assertTrue(last.toString(), who.get("total").getAsLong() > 500L << 20);
        assertTrue(last.toString(), who.get("done").getAsLong() <= who.get("total").getAsLong());
        assertContains(who.get("participant").getAsString(), "verifier[");

        // on a terminal (script(1) gives the command a pty): one line rewritten in place
        Path typescript = t.workDir.resolve("pty.out");
        ProcessBuilder pb = new ProcessBuilder("script", "-qec",
                Tools.shellQuote(Tools.HOME.resolve("bin/dmtcp_command").toString()) + " -p " + p + " -bc", "/dev/null")
                .directory(t.workDir.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectErrorStream(true).redirectOutput(typescript.toFile());
        Process pty = pb.start();
        assertTrue(pty.waitFor(120, TimeUnit.SECONDS));
        String shown = Files.readString(typescript);
        assertContains(shown, "1 participant(s), 1 image(s)");
        assertTrue("a progress line rewritten with \\r on the pty: " + shown.replace("\r", "\\r"),
                Pattern.compile("\\r" + LINE.pattern()).matcher(shown).find());

        // dmtcp_command -s while a round runs: its stage and progress
        boolean seen = false;
        for (int attempt = 0; attempt < 3 && !seen; attempt++) {
            Process round = t.start("bc-" + attempt, "dmtcp_command", "-p", p, "-bc");
            while (round.isAlive() && !seen) {
                seen = t.status(p).contains("Progress: round");
            }
            assertTrue(round.waitFor(120, TimeUnit.SECONDS));
        }
        assertTrue("dmtcp_command -s showed the round's progress", seen);
        t.run("dmtcp_command", "-p", p, "-k").ok();
    }
}
