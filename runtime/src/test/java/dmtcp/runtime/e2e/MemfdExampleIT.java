package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The example resource handler (examples/memfd-handler) with the real bundles: a program
 * keeping its notes in a memfd it holds only as an fd (memfdnotes.c) is refused at checkpoint
 * naming the memfd while the handler is not installed; once its jar is in the plugins folder the
 * program is checkpointed, killed and restarted three times and goes on with its notes, its file
 * offset and its seals; a restart without the handler is refused naming the kind; and the
 * handler's own refusal (a memfd that is also mapped) names the fd and why.
 */
public class MemfdExampleIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    private static List<String> ticks(Path f) {
        return Tools.readLines(f);
    }

    private static int tickOf(String line) {
        return Integer.parseInt(line.split(" ")[1]);
    }

    @Test
    public void aMemfdIsRefusedWithoutTheHandlerAndContinuesWithIt() throws Exception {
        Path jar = Tools.example("dmtcp.example.memfd");
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path plugins = t.pluginDir();
        Path notes = t.compile("memfdnotes");
        Path out = t.workDir.resolve("ticks");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        Process running = t.start("launch", "dmtcp_checkpoint", "-p", p, "--join", notes.toString(), out.toString());
        Tools.waitFor("the participant", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        Tools.waitFor("ticks", 20, () -> ticks(out).size() > 2);

        // without the handler: refused, naming the fd and its kind; the program runs on
        Tools.Result refused = t.run("dmtcp_command", "-p", p, "-bc");
        assertEquals("the round failed: " + refused, 1, refused.exit());
        assertContains(refused.err(), "fd 3 is a memfd (/memfd:notes (deleted)): not supported yet");
        int at = ticks(out).size();
        Tools.waitFor("the refused program to run on", 10, () -> ticks(out).size() > at + 2);

        // dropped in while it runs: FileInstall polls every 500 ms, checkpoint until it is there
        Files.copy(jar, plugins.resolve(jar.getFileName()));
        Tools.waitFor("the handler to save the memfd", 20, () -> {
            try {
                return t.run("dmtcp_command", "-p", p, "-bc").exit() == 0;
            } catch (Exception e) {
                return false;
            }
        });
        Path image = onlyImage(t.workDir);
        assertContains(t.run("dmtcp_inspect", image.toString()).ok().out(), "example-memfd");

        for (int cycle = 1; cycle <= 3; cycle++) {
            if (cycle > 1) {
                t.run("dmtcp_command", "-p", p, "-bc").ok();
            }
            t.run("dmtcp_command", "-p", p, "-k").ok();
            assertTrue(running.waitFor(20, TimeUnit.SECONDS));
            Tools.waitFor("the killed participant to leave", 20, () -> t.status(p).contains("NUM_PEERS=0"));
            int killedAt = ticks(out).size();
            running = t.start("restart-" + cycle, "/bin/sh", "-c", "cd '" + t.workDir + "' && exec ./dmtcp_restart_script.sh");
            Tools.waitFor("the restored program to tick", 30, () -> ticks(out).size() > killedAt + 3);
            List<String> all = ticks(out);
            for (int i = killedAt + 1; i < all.size(); i++) {
                assertEquals("ticks continue one by one", tickOf(all.get(i - 1)) + 1, tickOf(all.get(i)));
            }
            for (String line : all) {
                // every note of the memfd there in order, the offset right, F_SEAL_SHRINK (2) kept and enforced
                assertTrue("cycle " + cycle + ": the memfd holds every note: " + line, line.endsWith(" seals 2 ok"));
            }
            String last = all.get(all.size() - 1);
            int n = tickOf(last);
            long notesBytes = 0;
            for (int i = 0; i <= n; i++) {
                notesBytes += ("note " + i + "\n").length();
            }
            assertContains(last, " size " + notesBytes + " ");
            Tools.waitFor("the restarter to join", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        }

        // a restart without the handler is refused before the program runs a step, naming the kind
        t.run("dmtcp_command", "-p", p, "-k").ok();
        assertTrue(running.waitFor(20, TimeUnit.SECONDS));
        Tools.waitFor("the killed participant to leave", 20, () -> t.status(p).contains("NUM_PEERS=0"));
        Files.delete(plugins.resolve(jar.getFileName()));
        int quiet = ticks(out).size();
        Tools.Result without = t.run("dmtcp_restart", "-p", p, "--join", image.toString());
        assertEquals(without.err(), 1, without.exit());
        assertContains(without.err(), "fd 3 of memfdnotes was saved as kind \"example-memfd\", which no installed resource handler restores");
        assertEquals("nothing ran", quiet, ticks(out).size());

        // the handler's own refusal: a memfd that is also mapped
        Files.copy(jar, plugins.resolve(jar.getFileName()));
        Path mapped = t.workDir.resolve("mapped");
        Process mapper = t.start("mapper", "dmtcp_checkpoint", "-p", p, "--join", notes.toString(), mapped.toString(), "map");
        Tools.waitFor("the mapping program", 30, () -> t.status(p).contains("NUM_PEERS=1") && ticks(mapped).size() > 2);
        Tools.Result map = t.run("dmtcp_command", "-p", p, "-bc");
        assertEquals("the round failed: " + map, 1, map.exit());
        assertContains(map.err(), "fd 3 is a memfd that is also mapped (shared memory) (/memfd:notes (deleted))");
        int m = ticks(mapped).size();
        Tools.waitFor("the refused program to run on", 10, () -> ticks(mapped).size() > m + 2);

        t.run("dmtcp_command", "-p", p, "-q").ok();
        assertTrue(mapper.waitFor(20, TimeUnit.SECONDS));
        assertTrue(coord.process.waitFor(20, TimeUnit.SECONDS));
    }

    private static Path onlyImage(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            List<Path> l = s.filter(f -> f.getFileName().toString().matches("ckpt_memfdnotes_.*\\.dmtcp")).toList();
            assertEquals(l.toString(), 1, l.size());
            return l.get(0);
        }
    }
}
