package dmtcp.runtime.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A program that put its terminal in raw mode finds it in raw mode again after {@code
 * ./dmtcp_restart_script.sh} in a new terminal (each on a pty of its own, see {@link
 * Tools#terminal}): the termios saved at checkpoint go to the new terminal before the
 * program runs, keys reach it without Return, and it gets a SIGWINCH. The window size saved
 * goes to a new terminal that has none (0x0); one that has a size keeps it. Then the same
 * with vim, whose insert mode must answer a single key.
 */
public class TerminalModesIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    @Test
    public void rawModeAndTheWindowSizeFollowTheProgramToANewTerminal() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path exe = t.compile("rawtty");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        Tools.Terminal term = t.terminal("launch", Tools.shellCommand("dmtcp_checkpoint", "-p", p, "--join", exe.toString()));
        await(term, "ready", () -> term.lines().contains("ready"));
        Tools.waitFor("the launcher", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        key(term, "a", 1);

        // a terminal nobody sized (0x0) gets the saved 33x111; one sized 50x120 keeps its size
        String[] before = {"", "stty rows 50 cols 120 && "};
        String[] size = {"33x111", "50x120"};
        Tools.Terminal now = term;
        for (int cycle = 1; cycle <= 2; cycle++) {
            checkpointAndKill(t, p, now);
            Tools.Terminal restarted = t.terminal("restart-" + cycle,
                    "cd " + Tools.shellQuote(t.workDir.toString()) + " && " + before[cycle - 1] + "exec ./dmtcp_restart_script.sh");
            String winch = "winch " + size[cycle - 1];
            await(restarted, "the restored program's \"" + winch + "\"", () -> restarted.lines().contains(winch));
            key(restarted, cycle == 1 ? "b" : "c", cycle + 1);
            now = restarted;
        }
        t.run("dmtcp_command", "-p", p, "-q").ok();
        assertTrue(now.process.waitFor(30, TimeUnit.SECONDS));
    }

    @Test
    public void vimInsertsAKeyAtOnceAfterARestartInANewTerminal() throws Exception {
        Path vim = java.util.stream.Stream.of("/usr/bin/vim", "/usr/bin/vim.tiny").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        Assume.assumeTrue("vim is installed (Debian's vim or vim-tiny)", vim != null);
        Tools t = new Tools(null, tmp.getRoot().toPath());
        t.env.put("TERM", "vt100"); // no terminal queries left unanswered on a bare pty
        Path file = t.workDir.resolve("note.txt");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        Tools.Terminal launch = t.terminal("launch", Tools.shellCommand("dmtcp_checkpoint", "-p", p, "--join", vim.toString(),
                "-u", "NONE", "-i", "NONE", "-N", "-n", file.toString()));
        await(launch, "vim's screen", () -> launch.screen().contains("[New]"));
        Tools.waitFor("the launcher", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        checkpointAndKill(t, p, launch);

        Tools.Terminal term = t.terminal("restart", "cd " + Tools.shellQuote(t.workDir.toString()) + " && exec ./dmtcp_restart_script.sh");
        Tools.waitFor("the restarter", 30, () -> t.status(p).contains("NUM_PEERS=1"));
        int shown = term.screen().length();
        term.press("i"); // no Return: in a terminal left in line mode vim would never see it
        await(term, "vim's -- INSERT --", () -> term.screen().substring(Math.min(shown, term.screen().length())).contains("INSERT"));
        term.press("restored\u001b:wq\r");
        assertTrue("vim wrote the file and quit", term.process.waitFor(30, TimeUnit.SECONDS));
        assertEquals("restored\n", Files.readString(file));
        t.run("dmtcp_command", "-p", p, "-q").ok();
    }

    /** Presses {@code k} (no Return): the program must answer it at once, its raw mode intact. */
    private static void key(Tools.Terminal term, String k, int n) throws Exception {
        term.press(k);
        String answer = "key " + k + " n=" + n + " icanon=0 echo=0";
        await(term, "the answer \"" + answer + "\"", () -> term.lines().contains(answer));
    }

    private static void checkpointAndKill(Tools t, String p, Tools.Terminal term) throws Exception {
        Tools.assertContains(t.run("dmtcp_command", "-p", p, "-bc").ok().out(), "1 image(s)");
        t.run("dmtcp_command", "-p", p, "-k").ok();
        assertTrue("the launcher/restarter ends when the computation is killed", term.process.waitFor(30, TimeUnit.SECONDS));
        Tools.waitFor("the killed participant to leave", 30, () -> t.status(p).contains("NUM_PEERS=0"));
    }

    /** {@link Tools#waitFor} (30 s) that shows the terminal when it times out. */
    private static void await(Tools.Terminal term, String what, BooleanSupplier cond) throws InterruptedException {
        try {
            Tools.waitFor(what, 30, cond);
        } catch (AssertionError e) {
            List<String> lines = term.lines();
            throw new AssertionError(e.getMessage() + "\nterminal:\n" + String.join("\n", lines), e);
        }
    }
}
