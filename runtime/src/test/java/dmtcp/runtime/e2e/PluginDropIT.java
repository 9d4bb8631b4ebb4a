package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A plugin jar dropped into the plugin directory while a computation runs is picked up
 * (Felix FileInstall) and called at every stage of the next checkpoint; removing the jar
 * removes it. The plugin is examples/stage-logger, built by the reactor.
 */
public class PluginDropIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    @Test
    public void aDroppedPluginRunsAtTheNextCheckpointAndLeavesWithItsJar() throws Exception {
        Path plugin = Path.of(System.getProperty("dmtcp.example.plugin"));
        assertTrue("example plugin built: " + plugin, Files.exists(plugin));
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path plugins = Files.createDirectory(t.workDir.resolve("plugins"));
        Path stageLog = t.workDir.resolve("stages.log");
        t.env.put("DMTCP_PLUGIN_DIR", plugins.toString());
        t.env.put("DMTCP_STAGE_LOG", stageLog.toString());

        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        Process launcher = t.start("launch", "dmtcp_checkpoint", "-p", p, "--join", "sleep", "600");
        Tools.waitFor("the participant", 30, () -> status(t, p).contains("NUM_PEERS=1"));

        // before the drop: a round calls nothing
        t.run("dmtcp_command", "-p", p, "-bc").ok();
        assertTrue(!Files.exists(stageLog));

        Files.copy(plugin, plugins.resolve(plugin.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        // FileInstall polls every 500 ms: checkpoint until the plugin has taken part in a whole round
        Tools.waitFor("the dropped plugin to be called", 20, () -> {
            try {
                t.run("dmtcp_command", "-p", p, "-bc").ok();
                return lines(stageLog).stream().anyMatch(l -> l.contains(" RUNNING "));
            } catch (Exception e) {
                return false;
            }
        });
        List<String> calls = lines(stageLog);
        String round = calls.get(calls.size() - 1).split(" ")[1];
        List<String> stages = calls.stream().filter(l -> l.startsWith("round " + round + " "))
                .map(l -> l.split(" ")[2]).collect(Collectors.toList());
        assertEquals(List.of("SUSPENDED", "FD_LEADER_ELECTION", "DRAINED", "CHECKPOINTED", "REFILLED", "RUNNING"), stages);
        // the program: the launched process itself (the agent's way: its script exec'd it), or the launcher JVM's child
        long sleepPid = launcher.info().command().orElse("").endsWith("/sleep") ? launcher.pid()
                : launcher.children().findFirst().map(ProcessHandle::pid).orElse(-1L);
        assertTrue(calls.toString(), calls.get(0).matches("round \\d+ SUSPENDED participant 1 pids \\[\\d+\\]"));
        // the coordinator's Gogo command lists it too, once the coordinator's own FileInstall
        // (which polls on its own, apart from the launcher's) has installed it: ask again until then
        try {
            Tools.waitFor("dmtcp:plugins output", 30, () -> {
                if (coord.out.toString().contains("stage-logger")) {
                    return true;
                }
                try {
                    coord.type("dmtcp:plugins");
                    Thread.sleep(500);
                } catch (Exception e) {
                    return false;
                }
                return coord.out.toString().contains("stage-logger");
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the coordinator printed:\n" + coord.out
                    + "\nand on stderr:\n" + Files.readString(t.workDir.resolve("coord.err")), e);
        }
        assertContains(coord.out.toString(), "100  stage-logger  dmtcp.example.stagelogger");

        Files.delete(plugins.resolve(plugin.getFileName()));
        // FileInstall notices the removal at a poll: checkpoint until a whole round no longer calls it
        Tools.waitFor("the removed plugin to be gone", 30, () -> {
            try {
                int n = lines(stageLog).size();
                t.run("dmtcp_command", "-p", p, "-bc").ok();
                return lines(stageLog).size() == n;
            } catch (Exception e) {
                return false;
            }
        });
        int before = lines(stageLog).size();
        t.run("dmtcp_command", "-p", p, "-bc").ok();
        t.run("dmtcp_command", "-p", p, "-bc").ok();
        assertEquals("a removed plugin is no longer called", before, lines(stageLog).size());

        t.run("dmtcp_command", "-p", p, "-q").ok();
        assertTrue(launcher.waitFor(20, TimeUnit.SECONDS));
        assertTrue(coord.process.waitFor(20, TimeUnit.SECONDS));
        assertTrue("sleep was the launched process or its child (pid " + sleepPid + ")", sleepPid > 0);
    }

    private static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static String status(Tools t, String port) {
        try {
            return t.run("dmtcp_command", "-p", port, "s").out();
        } catch (Exception e) {
            return "";
        }
    }
}
