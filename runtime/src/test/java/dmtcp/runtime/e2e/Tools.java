package dmtcp.runtime.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the installed command line tools (bin/) as a user would, optionally as another
 * (unprivileged) user through runuser, and compiles test programs with gcc.
 */
final class Tools {
    static final Path HOME = Path.of(System.getProperty("dmtcp.home", "..")).toAbsolutePath().normalize();

    /** Run as this user (null: the current one). */
    final String user;
    final Path workDir;
    /** Extra environment for every tool this runs. */
    final java.util.Map<String, String> env = new java.util.HashMap<>();

    /** Every Tools of the running test, for {@link Cleanup}. */
    private static final List<Tools> LIVE = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A JUnit rule: after each test, kill what its Tools started. */
    static final class Cleanup extends org.junit.rules.ExternalResource {
        @Override
        protected void after() {
            for (Tools t : LIVE) {
                t.cleanUp();
            }
            LIVE.clear();
        }
    }

    Tools(String user, Path workDir) {
        this.user = user;
        this.workDir = workDir;
        LIVE.add(this);
    }

    /** The result of a finished command. */
    record Result(int exit, String out, String err) {
        Result ok() {
            assertEquals("exit status; stderr: " + err + " stdout: " + out, 0, exit);
            return this;
        }
    }

    List<String> command(String tool, String... args) {
        List<String> cmd = new ArrayList<>();
        if (user != null) {
            cmd.addAll(List.of("runuser", "-u", user, "--"));
        }
        cmd.add(HOME.resolve("bin").resolve(tool).toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    ProcessBuilder builder(String tool, String... args) {
        return builder(command(tool, args));
    }

    private ProcessBuilder builder(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.directory(workDir.toFile());
        pb.environment().remove("DMTCP_PORT");
        pb.environment().remove("DMTCP_HOST");
        pb.environment().put("DMTCP_TMPDIR", workDir.resolve("tmp").toString());
        pb.environment().putAll(env);
        return pb;
    }

    /** Every process started in the background, killed (with its descendants) by {@link #cleanUp}. */
    private final List<Process> started = new ArrayList<>();

    /**
     * Kills whatever a test left running, even when it failed half-way: background tools and
     * their descendants (launchers and restarters are subreapers, so programs and restored
     * processes stay their descendants).
     */
    void cleanUp() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        started.clear();
        killAgents();
    }

    /**
     * Kills the agents serving this test's private folders (tmp/dmtcp-USER/agent.pid): they
     * are no descendants of the tools (a session of their own), and would otherwise wait out
     * their idle time.
     */
    void killAgents() {
        try (var dirs = Files.list(Path.of(env.getOrDefault("DMTCP_TMPDIR", workDir.resolve("tmp").toString())))) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                Path pidFile = d.resolve("agent.pid");
                if (!Files.isReadable(pidFile)) {
                    continue;
                }
                String[] f = Files.readString(pidFile).trim().split(" ");
                long pid = Long.parseLong(f[0]);
                ProcessHandle.of(pid).filter(h -> h.info().commandLine().orElse("").contains(" agent"))
                        .ifPresent(h -> {
                            h.destroyForcibly();
                            h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> h).join();
                        });
            }
        } catch (IOException | RuntimeException e) {
            // no private folder, or nothing to kill
        }
    }

    /** Runs a tool to completion (at most 60 s). */
    Result run(String tool, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = builder(tool, args);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", pb.command()) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Starts a tool in the background, its output going to files named after {@code tag}. */
    Process start(String tag, String tool, String... args) throws IOException {
        ProcessBuilder pb = builder(tool, args);
        pb.redirectOutput(workDir.resolve(tag + ".out").toFile());
        pb.redirectError(workDir.resolve(tag + ".err").toFile());
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /**
     * Makes {@code dir} a folder every user may write, with the sticky bit, as /tmp (mode
     * 01777): the ordinary test user can work in it, and the tools accept private folders
     * below it (in a world-writable folder without the sticky bit they refuse them).
     */
    static void sharedLikeTmp(Path dir) throws IOException {
        Files.setAttribute(dir, "unix:mode", 01777);
    }

    /** {@code 'word'} for sh, whatever the word holds. */
    static String shellQuote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** {@code exec HOME/bin/TOOL ARGS...} as one sh command line (for {@link #terminal}). */
    static String shellCommand(String tool, String... args) {
        StringBuilder b = new StringBuilder("exec ").append(shellQuote(HOME.resolve("bin").resolve(tool).toString()));
        for (String a : args) {
            b.append(' ').append(shellQuote(a));
        }
        return b.toString();
    }

    /**
     * A shell command running on a pseudo-terminal of its own, as if typed in an interactive
     * terminal: what the test types goes to the terminal, what the terminal shows goes to
     * {@code tag}.out (echo included, "\r\n" line ends).
     */
    static final class Terminal {
        final Process process;
        final Path log;
        private final java.io.OutputStream keyboard;

        Terminal(Process process, Path log) {
            this.process = process;
            this.log = log;
            this.keyboard = process.getOutputStream();
        }

        /** Types {@code line}, then Return. */
        void type(String line) throws IOException {
            keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
        }

        /** Types {@code keys} as they are, no Return: a program in raw mode gets each at once. */
        void press(String keys) throws IOException {
            keyboard.write(keys.getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
        }

        /** Everything the terminal showed so far, escape sequences and all. */
        String screen() {
            try {
                return Files.exists(log) ? Files.readString(log) : "";
            } catch (IOException e) {
                return "";
            }
        }

        /**
         * The complete lines the terminal showed so far, without the '\r's and empty lines (a
         * line script has not copied to the end yet is left out).
         */
        List<String> lines() {
            try {
                String s = Files.exists(log) ? Files.readString(log) : "";
                s = s.substring(0, s.lastIndexOf('\n') + 1);
                return List.of(s.replace("\r", "").split("\n")).stream().filter(l -> !l.isEmpty()).toList();
            } catch (IOException e) {
                return List.of();
            }
        }

        /** The pids of this terminal's processes (descendants of its script) running {@code exe}. */
        List<Long> running(Path exe) {
            String want = exe.toString();
            return process.descendants().filter(h -> h.info().command().map(want::equals).orElse(false))
                    .map(ProcessHandle::pid).toList();
        }
    }

    /**
     * Runs {@code shellCommand} (as this Tools' user) on a new pseudo-terminal: util-linux
     * {@code script -qfec CMD /dev/null} opens a pty, starts {@code $SHELL -c CMD} in a new
     * session whose controlling terminal (and fds 0-2) is the pty's slave, so CMD is the
     * terminal's foreground process group just as a command typed at an interactive shell;
     * script copies its own stdin (a pipe from this JVM) to the pty's master and the master's
     * output to its stdout (a file here); -q no banners, -f flush at once, -e exit with CMD's
     * status, /dev/null: no typescript. No root needed. Chosen over python3's pty.spawn, whose
     * copy loop (stdin EOF, a closed master) has changed across Python versions; script is
     * in Debian's essential set (bsdutils) with options stable for years (tested: 2.38).
     * SHELL is set to /bin/sh (script runs CMD with $SHELL; runuser would otherwise give the
     * user's login shell). Killed, with everything under it, by {@link Cleanup}.
     */
    Terminal terminal(String tag, String shellCommand) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (user != null) {
            cmd.addAll(List.of("runuser", "-u", user, "--"));
        }
        cmd.addAll(List.of("env", "SHELL=/bin/sh", "script", "-qfec", shellCommand, "/dev/null"));
        ProcessBuilder pb = builder(cmd);
        Path log = workDir.resolve(tag + ".out");
        pb.redirectOutput(log.toFile());
        pb.redirectError(workDir.resolve(tag + ".err").toFile());
        Process p = pb.start();
        started.add(p);
        return new Terminal(p, log);
    }

    /** A coordinator started with -p 0: its port, its console input and what it printed on stdout. */
    static final class Coordinator {
        final Process process;
        final int port;
        final java.io.OutputStream console;
        final StringBuffer out = new StringBuffer();

        Coordinator(Process process, Path err) throws IOException, InterruptedException {
            this.process = process;
            this.console = process.getOutputStream();
            java.io.BufferedReader r = new java.io.BufferedReader(
                    new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = r.readLine();
            if (line == null || !line.matches("\\d+")) {
                process.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("coordinator printed its port first, got " + line + (process.isAlive() ? ""
                        : "; it exited with " + process.exitValue()) + ", stderr: " + (Files.exists(err) ? Files.readString(err) : ""));
            }
            port = Integer.parseInt(line);
            Thread drain = new Thread(() -> {
                try {
                    for (String l; (l = r.readLine()) != null;) {
                        out.append(l).append('\n');
                    }
                } catch (IOException ignored) {
                    // it ended
                }
            });
            drain.setDaemon(true);
            drain.start();
        }

        void type(String line) throws IOException {
            console.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            console.flush();
        }
    }

    /** Starts {@code dmtcp_coordinator -p 0 ARGS}; stderr goes to {@code tag}.err. */
    Coordinator coordinator(String tag, String... args) throws IOException {
        List<String> a = new ArrayList<>(List.of("-p", "0"));
        a.addAll(List.of(args));
        ProcessBuilder pb = builder("dmtcp_coordinator", a.toArray(new String[0]));
        Path err = workDir.resolve(tag + ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        started.add(p);
        try {
            return new Coordinator(p, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** What {@code dmtcp_command -s} prints for the coordinator on {@code port}; "" when it cannot tell. */
    String status(String port) {
        try {
            return run("dmtcp_command", "-p", port, "s").out();
        } catch (Exception e) {
            return "";
        }
    }

    /** The live processes (not zombies) whose command line is exactly {@code argv}, as pids. */
    static List<Long> running(List<String> argv) {
        String want = String.join("\0", argv) + "\0";
        List<Long> out = new ArrayList<>();
        try (var s = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : s) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    if (stat.charAt(stat.lastIndexOf(')') + 2) != 'Z'
                            && new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).equals(want)) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    String output(String tag, String stream) throws IOException {
        Path p = workDir.resolve(tag + "." + stream);
        return Files.exists(p) ? Files.readString(p) : "";
    }

    /** Compiles {@code name}.c from the test resources into the work directory. */
    Path compile(String name) throws IOException, InterruptedException {
        Path src = workDir.resolve(name + ".c");
        try (InputStream in = Tools.class.getResourceAsStream("/e2e/" + name + ".c")) {
            Files.copy(in, src);
        }
        Path exe = workDir.resolve(name);
        Process gcc = new ProcessBuilder("gcc", "-O1", "-o", exe.toString(), src.toString()).inheritIO().start();
        assertEquals("gcc " + name + ".c", 0, gcc.waitFor());
        return exe;
    }

    static void waitFor(String what, int seconds, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** N of the last "tick N" line counter.c appended to {@code f}; -1 before the first. */
    static int lastTick(Path f) {
        try {
            List<String> l = Files.exists(f) ? Files.readAllLines(f) : List.of();
            return l.isEmpty() ? -1 : Integer.parseInt(l.get(l.size() - 1).split(" ")[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The lines of {@code file} so far; none while it does not exist (yet). */
    static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The jar of an example plugin, named by a Failsafe system property (the reactor builds the examples before runtime). */
    static Path example(String property) {
        Path jar = Path.of(System.getProperty(property));
        assertTrue("example built: " + jar, Files.exists(jar));
        return jar;
    }

    /** A plugins folder in the work directory, DMTCP_PLUGIN_DIR of every tool this runs. */
    Path pluginDir() throws IOException {
        Path d = Files.createDirectories(workDir.resolve("plugins"));
        env.put("DMTCP_PLUGIN_DIR", d.toString());
        return d;
    }

    static int lines(Path file) {
        try {
            return Files.exists(file) ? (int) Files.lines(file, StandardCharsets.UTF_8).count() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    static void assertContains(String haystack, String needle) {
        assertTrue("expected to find \"" + needle + "\" in:\n" + haystack, haystack.contains(needle));
    }
}
