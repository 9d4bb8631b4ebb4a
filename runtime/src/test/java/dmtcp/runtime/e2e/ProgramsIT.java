package dmtcp.runtime.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The programs the issue names, in one computation: dynamic and static C, C++, a
 * multi-threaded C program (mutex + condition variable), python3, perl and a bash loop (of
 * builtins: a child process would make the checkpoint refuse it, see ChildProcessesIT).
 * Each appends a counter that lives only in its memory to its own file. All are
 * checkpointed together, killed, and brought back by ./dmtcp_restart_script.sh (one
 * restarter, seven processes), twice; every counter must go on from where it was.
 */
public class ProgramsIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    private static final Pattern NUMBER = Pattern.compile("(\\d+)");

    private static List<String> lines(Path f) {
        try {
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static int last(Path f) {
        List<String> l = lines(f);
        for (int i = l.size() - 1; i >= 0; i--) {
            Matcher m = NUMBER.matcher(l.get(i));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return -1;
    }

    @Test
    public void everyKindOfProgramContinuesAfterRestart() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path dir = t.workDir;
        Path ticker = t.compile("ticker");
        Path staticTicker = dir.resolve("ticker-static");
        assertEquals(0, new ProcessBuilder("gcc", "-O1", "-static", "-o", staticTicker.toString(), dir.resolve("ticker.c").toString())
                .inheritIO().start().waitFor());
        Path cpp = dir.resolve("count-cpp");
        Files.copy(Tools.class.getResourceAsStream("/e2e/count.cpp"), dir.resolve("count.cpp"));
        assertEquals(0, new ProcessBuilder("g++", "-O1", "-o", cpp.toString(), dir.resolve("count.cpp").toString())
                .inheritIO().start().waitFor());
        Path mt = dir.resolve("mt");
        Files.copy(Tools.class.getResourceAsStream("/e2e/mt.c"), dir.resolve("mt.c"));
        assertEquals(0, new ProcessBuilder("gcc", "-O1", "-pthread", "-o", mt.toString(), dir.resolve("mt.c").toString())
                .inheritIO().start().waitFor());

        Map<String, List<String>> programs = new LinkedHashMap<>();
        programs.put("c-dynamic", List.of(ticker.toString(), dir.resolve("c-dynamic").toString()));
        programs.put("c-static", List.of(staticTicker.toString(), dir.resolve("c-static").toString()));
        programs.put("cpp", List.of(cpp.toString(), dir.resolve("cpp").toString()));
        programs.put("threads", List.of(mt.toString(), dir.resolve("threads").toString()));
        programs.put("python3", List.of("python3", "-c", "import time\nn = 0\nwhile True:\n"
                + "    with open('" + dir.resolve("python3") + "', 'a') as f: f.write('%d ok\\n' % n)\n"
                + "    n += 1\n    time.sleep(0.05)\n"));
        programs.put("perl", List.of("perl", "-e", "for ($n = 0;; $n++) { open(my $f, '>>', '" + dir.resolve("perl")
                + "'); print $f \"$n ok\\n\"; close($f); select(undef, undef, undef, 0.05); }"));
        // builtins only: an external sleep would be a child process, which a checkpoint refuses
        // (read -t times out on the launcher's stdin, a pipe from this JVM that stays open)
        programs.put("bash", List.of("bash", "-c", "n=0; while :; do echo \"$n ok\" >> '" + dir.resolve("bash")
                + "'; n=$((n+1)); read -t 0.05; done"));

        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        List<Process> running = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : programs.entrySet()) {
            List<String> args = new ArrayList<>(List.of("-p", p, "--join"));
            args.addAll(e.getValue());
            running.add(t.start("launch-" + e.getKey(), "dmtcp_checkpoint", args.toArray(new String[0])));
        }
        String n = String.valueOf(programs.size());
        Tools.waitFor("every program joined", 60, () -> status(t, p).contains("NUM_PEERS=" + n));

        for (int cycle = 1; cycle <= 2; cycle++) {
            for (String name : programs.keySet()) {
                Path f = dir.resolve(name);
                int at = last(f);
                Tools.waitFor(name + " counting", 30, () -> last(f) > at + 3);
            }
            Map<String, int[]> window = new LinkedHashMap<>();
            for (String name : programs.keySet()) {
                window.put(name, new int[] {last(dir.resolve(name)), 0, 0});
            }
            Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc").ok();
            assertTrue(bc.out(), bc.out().contains(programs.size() + " image(s)"));
            for (String name : programs.keySet()) {
                window.get(name)[1] = last(dir.resolve(name));
            }
            t.run("dmtcp_command", "-p", p, "-k").ok();
            for (Process r : running) {
                assertTrue(r.waitFor(30, TimeUnit.SECONDS));
            }
            running.clear();
            Tools.waitFor("everything gone", 30, () -> status(t, p).contains("NUM_PEERS=0"));
            for (String name : programs.keySet()) {
                window.get(name)[2] = lines(dir.resolve(name)).size();
            }
            running.add(t.start("restart-" + cycle, "/bin/sh", "-c", "cd '" + dir + "' && exec ./dmtcp_restart_script.sh"));
            for (String name : programs.keySet()) {
                Path f = dir.resolve(name);
                int killedAt = window.get(name)[2];
                Tools.waitFor(name + " restored and counting (cycle " + cycle + ")", 60, () -> lines(f).size() > killedAt + 3);
                List<String> all = lines(f);
                Matcher m = NUMBER.matcher(all.get(killedAt));
                assertTrue(m.find());
                int first = Integer.parseInt(m.group(1));
                int[] w = window.get(name);
                assertTrue(name + " cycle " + cycle + ": restored at " + first + ", checkpoint was between " + w[0] + " and " + w[1],
                        first >= w[0] && first <= w[1] + 1);
                for (String line : all) {
                    assertTrue(name + ": " + line, !line.contains("CORRUPT"));
                }
            }
        }
        t.run("dmtcp_command", "-p", p, "-q").ok();
        assertTrue(coord.process.waitFor(30, TimeUnit.SECONDS));
        for (Process r : running) {
            assertTrue(r.waitFor(30, TimeUnit.SECONDS));
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
