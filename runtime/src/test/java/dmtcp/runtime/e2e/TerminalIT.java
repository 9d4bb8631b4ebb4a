package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A program blocked in read() on its terminal, checkpointed, killed and restarted on a new
 * terminal, twice in a chain. As in DMTCP, standard streams that were a terminal become the
 * restarter's terminal. The program (ttyread.c) is launched under a pseudo-terminal (see
 * {@link Tools#terminal}), answers two typed lines, and is checkpointed while blocked in
 * read(0, ...): the kernel ends a tty read interrupted by ptrace with -ERESTARTSYS, which the
 * restorer turns into a re-run of the call. Restarted on a new terminal (first by
 * dmtcp_restart IMAGE, then by ./dmtcp_restart_script.sh), it must be blocked in the same
 * read again, in that terminal's foreground process group (else the read would stop it with
 * SIGTTIN), print nothing by itself (no "read error" for EINTR/EIO, no "ready" of a fresh
 * start), and answer the next typed line with its line count and checksum of everything
 * read so far going on from where they were, and its 4 MiB buffer intact.
 */
public class TerminalIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    @Test
    public void readOnTheTerminalContinuesAfterRestartOnANewTerminal() throws Exception {
        chain(new Tools(null, tmp.getRoot().toPath()));
    }

    @Test
    public void theSameAsAnOrdinaryUser() throws Exception {
        Assume.assumeTrue("runs as root only (as any other user the test above already is unprivileged)",
                "root".equals(System.getProperty("user.name")));
        Assume.assumeTrue("user " + CommandLineIT.USER + " exists (.ci/run creates it)",
                new ProcessBuilder("id", CommandLineIT.USER).start().waitFor() == 0);
        Path dir = tmp.newFolder("user").toPath();
        Files.setPosixFilePermissions(tmp.getRoot().toPath(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Tools.sharedLikeTmp(dir);
        chain(new Tools(CommandLineIT.USER, dir));
    }

    /** What the program must have answered so far: its line count and checksum, as ttyread.c keeps them. */
    private long count;
    private long sum;
    /** Every line typed (their echoes are not the program's output). */
    private final List<String> typed = new ArrayList<>();

    private void chain(Tools t) throws Exception {
        Path exe = t.compile("ttyread");
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        Tools.Terminal launch = t.terminal("launch", Tools.shellCommand("dmtcp_checkpoint", "-p", p, "--join", exe.toString()));
        long pid = blockedInRead(launch, exe, "the launched program");
        Tools.waitFor("the participant", 30, () -> status(t, p).contains("NUM_PEERS=1"));
        List<String> said = new ArrayList<>(List.of("ready"));
        // printed before the read, but script may not have copied it yet
        await(launch, "\"ready\"", () -> !programLines(launch).isEmpty());
        assertEquals(said, programLines(launch));
        answers(launch, "alpha", said);
        answers(launch, "beta", said);

        Tools.Terminal term = launch;

        for (int cycle = 1; cycle <= 2; cycle++) {
            assertEquals("cycle " + cycle + ": the program waits in read()", pid, blockedInRead(term, exe, "the program"));
            Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc").ok();
            assertContains(bc.out(), "1 participant(s), 1 image(s)");
            // the checkpointed program goes back into its read, silently
            assertEquals(pid, blockedInRead(term, exe, "the program after the checkpoint (cycle " + cycle + ")"));
            assertEquals("cycle " + cycle + ": nothing printed by the checkpoint", said, programLines(term));

            t.run("dmtcp_command", "-p", p, "-k").ok();
            assertTrue("the launcher/restarter (and script) end when the computation is killed",
                    term.process.waitFor(20, TimeUnit.SECONDS));
            Tools.waitFor("the killed participant to leave", 20, () -> status(t, p).contains("NUM_PEERS=0"));
            assertEquals("cycle " + cycle + ": the killed program printed nothing more", said, programLines(term));
            List<Path> images;
            try (var s = Files.list(t.workDir)) {
                images = s.filter(f -> f.getFileName().toString().matches("ckpt_ttyread_.*\\.dmtcp")).toList();
            }
            assertEquals("one image, rewritten by each checkpoint: " + images, 1, images.size());

            String restart = cycle == 1
                    ? Tools.shellCommand("dmtcp_restart", "-p", p, "--join", images.get(0).toString())
                    : "cd " + Tools.shellQuote(t.workDir.toString()) + " && exec ./dmtcp_restart_script.sh";
            term = t.terminal("restart-" + cycle, restart);
            long restored = blockedInRead(term, exe, "the restored program (cycle " + cycle + ")");
            onTheRestartersTerminal(restored);
            said = new ArrayList<>();
            // (a line printed just before the read may still be on its way through script:
            // answers() below sees every line up to the reply)
            assertEquals("cycle " + cycle + ": the restored program printed nothing by itself", said, programLines(term));
            Tools.waitFor("the restarter to join", 30, () -> status(t, p).contains("NUM_PEERS=1"));
            answers(term, cycle == 1 ? "gamma" : "delta", said);
            pid = restored;
        }

        t.run("dmtcp_command", "-p", p, "-q").ok();
        assertTrue(coord.process.waitFor(20, TimeUnit.SECONDS));
        assertTrue(term.process.waitFor(20, TimeUnit.SECONDS));
    }

    /** Types {@code word}; the program must answer it, continuing its count and checksum, and say nothing else. */
    private void answers(Tools.Terminal term, String word, List<String> said) throws Exception {
        count++;
        for (byte b : word.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            sum = sum * 131 + (b & 0xff);
        }
        typed.add(word);
        String reply = "got " + word + " n=" + count + " sum=" + Long.toUnsignedString(sum) + " ok";
        term.type(word);
        int before = said.size();
        await(term, "the answer \"" + reply + "\"", () -> programLines(term).size() > before);
        said.add(reply);
        assertEquals(said, programLines(term));
    }

    /**
     * What the program printed on the terminal: every line but the echoes of typed lines and
     * the runtime's own log lines ("[dmtcp launch|restart HH:MM:SS.mmm] LEVEL ...").
     */
    private List<String> programLines(Tools.Terminal term) {
        return term.lines().stream().filter(l -> !typed.contains(l) && !l.startsWith("[dmtcp ")).toList();
    }

    /**
     * Waits until the terminal has exactly one process running {@code exe} and it is blocked
     * in read(0, ...) (/proc/PID/syscall: syscall 0, first argument 0); fails at once if it
     * is stopped by a signal (state T: e.g. SIGTTIN for a read from a background process group).
     */
    private static long blockedInRead(Tools.Terminal term, Path exe, String what) throws Exception {
        long[] pid = {-1};
        try {
            awaitRead(term, exe, what, pid);
        } catch (AssertionError e) {
            throw pid[0] < 0 ? e : new AssertionError(e.getMessage() + "\n" + diagnose(pid[0]), e);
        }
        return pid[0];
    }

    private static void awaitRead(Tools.Terminal term, Path exe, String what, long[] pid) throws InterruptedException {
        await(term, what + " blocked in read(0, ...)", () -> {
            List<Long> pids = term.running(exe);
            if (pids.size() != 1) {
                return false;
            }
            pid[0] = pids.get(0);
            String[] st = stat(pid[0]);
            if (st != null && st[0].equals("T")) {
                throw new AssertionError(what + " (pid " + pid[0] + ") is stopped by a signal: " + diagnose(pid[0])
                        + "\nterminal:\n" + String.join("\n", term.lines()));
            }
            return proc(pid[0], "syscall").startsWith("0 0x0 ");
        });
    }

    /**
     * Its fds 0-2 are the restarter's (the new terminal's slave), its controlling terminal is
     * the restarter's and it is in the terminal's foreground process group.
     */
    private static void onTheRestartersTerminal(long pid) throws IOException {
        String[] st = stat(pid);
        long parent = Long.parseLong(st[1]);
        // the restarter JVM is its parent; through the agent it is the restart command's own
        // process (its parent is script, whose fds are pipes): then the terminal is its own
        boolean agent = !Files.readSymbolicLink(Path.of("/proc/" + parent + "/fd/0")).toString().startsWith("/dev/pts/");
        long restarter = agent ? pid : parent;
        String[] rst = stat(restarter);
        String first = null;
        for (int fd = 0; fd <= 2; fd++) {
            String mine = Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
            String theirs = Files.readSymbolicLink(Path.of("/proc/" + restarter + "/fd/" + fd)).toString();
            assertTrue("fd " + fd + " is a pty: " + mine, mine.matches("/dev/pts/\\d+"));
            assertEquals("fd " + fd + " is the restarter's (pid " + restarter + ")", theirs, mine);
            first = first == null ? mine : first;
            assertEquals("fds 0-2 on one terminal", first, mine);
        }
        assertNotEquals("it has a controlling terminal: " + diagnose(pid), "0", st[4]);
        assertEquals("controlling terminal (tty_nr) is the restarter's: " + diagnose(pid), rst[4], st[4]);
        assertEquals("in the terminal's foreground process group (pgrp = tpgid): " + diagnose(pid), st[5], st[2]);
    }

    /** /proc/PID/stat from the state on: state ppid pgrp session tty_nr tpgid ...; null if gone. */
    private static String[] stat(long pid) {
        String s = proc(pid, "stat");
        int i = s.lastIndexOf(')');
        return i < 0 ? null : s.substring(i + 2).split(" ");
    }

    private static String proc(long pid, String file) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/" + file)).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static String diagnose(long pid) {
        String[] st = stat(pid);
        String fd0;
        try {
            fd0 = Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/0")).toString();
        } catch (IOException e) {
            fd0 = "?";
        }
        return st == null ? "pid " + pid + " is gone"
                : "pid " + pid + " state " + st[0] + " ppid " + st[1] + " pgrp " + st[2] + " session " + st[3] + " tty_nr " + st[4]
                        + " tpgid " + st[5] + ", syscall [" + proc(pid, "syscall") + "], wchan " + proc(pid, "wchan") + ", fd 0 " + fd0
                        + ", " + proc(pid, "status").lines().filter(l -> l.startsWith("SigPnd") || l.startsWith("ShdPnd")
                                || l.startsWith("SigBlk")).toList();
    }

    /** {@link Tools#waitFor} (30 s) that shows the terminal when it times out. */
    private static void await(Tools.Terminal term, String what, BooleanSupplier cond) throws InterruptedException {
        try {
            Tools.waitFor(what, 30, cond);
        } catch (AssertionError e) {
            List<String> procs = term.process.descendants()
                    .map(h -> h.pid() + " " + h.info().command().orElse("?")).toList();
            throw new AssertionError(e.getMessage() + "\nterminal:\n" + String.join("\n", term.lines())
                    + "\nscript alive: " + term.process.isAlive() + ", its processes: " + procs, e);
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
