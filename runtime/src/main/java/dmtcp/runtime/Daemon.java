package dmtcp.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a coordinator in the background, in a session of its own (setsid: not a process
 * group leader, so setsid execs in place and the child we started is the coordinator).
 */
final class Daemon {
    private Daemon() {}

    /**
     * Starts {@code dmtcp_coordinator --daemon} as a separate session and waits until it
     * listens.
     *
     * @return 0 once it listens (printing the port when asked), 1 if it failed
     */
    static int startCoordinator(int port, String bind, boolean exitOnLast, int interval, Path ckptDir,
            int stageTimeout, Path portFile, boolean printPort) throws IOException {
        Process p = spawn(port, bind, exitOnLast, interval, ckptDir, stageTimeout, portFile, true, false);
        int listening = awaitPort(p, 30);
        if (listening >= 0) {
            if (printPort) {
                System.out.println(listening);
            }
            return 0;
        }
        Path log = logOf(p);
        String why = Files.exists(log) ? lastLine(log) : "no log";
        System.err.println("dmtcp_coordinator: the background coordinator did not start: " + why + " (log: " + log + ")");
        return 1;
    }

    /** Port file, log, and whether the port file is ours to remove once read. */
    private record Files3(Path portFile, Path log, boolean ownPortFile) {}

    private static final java.util.Map<Process, Files3> FILES = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicInteger SPAWNED = new java.util.concurrent.atomic.AtomicInteger();
    /** Logs of coordinators that have ended kept in the private folder, newest first. */
    static final int KEPT_LOGS = 8;

    /**
     * Spawns the detached coordinator; its log is found with {@link #logOf}, its port (when
     * {@code needPort}) with {@link #awaitPort}. Its files live in the user's private
     * folder: {@code coordinator-<pid>-<start time>.log} (the newest {@value #KEPT_LOGS} of ended
     * coordinators are kept) and a port file removed once read.
     *
     * @param owned started by a launcher or restarter for itself: it exits when this process
     *     is gone and no participant is connected, so a starter that dies before it joined
     *     (or whose program ended first) leaves no coordinator behind
     */
    static Process spawn(int port, String bind, boolean exitOnLast, int interval, Path ckptDir, int stageTimeout,
            Path portFile, boolean needPort, boolean owned) throws IOException {
        Path dir = Env.runtimeDir();
        removeStale(dir);
        String tag = Pids.self() + "-" + SPAWNED.incrementAndGet();
        Path pf = portFile != null ? portFile.toAbsolutePath() : needPort ? dir.resolve("coordinator-" + tag + ".port") : null;
        if (pf != null) {
            Files.deleteIfExists(pf);
        }
        Path starting = dir.resolve("coordinator-starting-" + tag + ".log");
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(Env.java());
        cmd.add("-Ddmtcp.home=" + Env.home());
        if (Env.tmpDir() != null) {
            cmd.add("-Ddmtcp.tmpdir=" + Env.tmpDir());
        }
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:-UsePerfData"); // no /tmp/hsperfdata_USER/PID for it
        cmd.add("-XX:TieredStopAtLevel=1"); // as bin/dmtcp-common.sh: it starts sooner and competes less
        cmd.add("-Xms8m"); // as bin/dmtcp-common.sh: the heap grows as rounds need it (the default starts at 1/64 of the RAM)
        // the class-data sharing archive this JVM was given: the bin/ script checked that no other user can write it
        // (read from /proc/self/cmdline: the management beans would cost this command ~30 ms of class loading)
        for (String a : new String(Files.readAllBytes(Path.of("/proc/self/cmdline")), java.nio.charset.StandardCharsets.UTF_8)
                .split("\0")) {
            if (a.startsWith("-XX:SharedArchiveFile=")) {
                cmd.add(a);
            }
            if (a.equals("-jar")) {
                break;
            }
        }
        cmd.add("-jar");
        cmd.add(Env.jar().toString());
        cmd.add("coordinator");
        cmd.add("--daemon");
        cmd.add("--daemon-child");
        cmd.add("--port=" + port);
        if (pf != null) {
            cmd.add("--port-file=" + pf);
        }
        if (bind != null && !bind.isEmpty()) {
            cmd.add("--bind=" + bind);
        }
        if (exitOnLast) {
            cmd.add("--exit-on-last");
        }
        if (owned) {
            cmd.add("--owner-pid=" + ProcessHandle.current().pid());
        }
        cmd.add("--interval=" + interval);
        cmd.add("--ckptdir=" + ckptDir.toAbsolutePath().normalize());
        cmd.add("--stage-timeout=" + stageTimeout);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(starting.toFile());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        // named after the coordinator once it has a pid (it writes through its open fd meanwhile)
        String child = Pids.tag(p.pid());
        Path log = dir.resolve("coordinator-" + (child != null ? child : p.pid() + "-0") + ".log");
        Files.move(starting, log, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        FILES.put(p, new Files3(pf, log, portFile == null && pf != null));
        return p;
    }

    /**
     * Removes what coordinators and their spawners that are gone left: port files and
     * half-named logs of dead spawners, and the logs of ended coordinators beyond the newest
     * {@value #KEPT_LOGS}.
     */
    static void removeStale(Path dir) throws IOException {
        List<Path> ended = new ArrayList<>();
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                String n = f.getFileName().toString();
                if (!n.startsWith("coordinator-")) {
                    continue;
                }
                String rest = n.substring("coordinator-".length());
                if (n.endsWith(".port") || rest.startsWith("starting-")) {
                    // coordinator-[starting-]<spawner pid>-<its start time>-<n>.(port|log)
                    String[] tag = rest.replace("starting-", "").split("[-.]");
                    if (tag.length < 2 || !Pids.alive(tag[0] + "-" + tag[1])) {
                        Files.deleteIfExists(f);
                    }
                } else if (n.endsWith(".log") && !Pids.alive(rest.substring(0, rest.length() - 4))) {
                    ended.add(f);
                }
            }
        }
        ended.sort(java.util.Comparator.comparing((Path f) -> f.toFile().lastModified()).reversed());
        // room for the log of the coordinator about to start: at most KEPT_LOGS once it has ended
        for (Path f : ended.subList(Math.min(KEPT_LOGS - 1, ended.size()), ended.size())) {
            Files.deleteIfExists(f);
        }
    }

    static Path logOf(Process p) {
        return FILES.get(p).log();
    }

    /**
     * Waits for a spawned coordinator's port (it writes the port file once it listens); -1
     * if it did not come up in time. A port file of ours is removed once read.
     */
    static int awaitPort(Process p, int seconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Files3 f = FILES.get(p);
        Path pf = f.portFile();
        while (System.nanoTime() < deadline) {
            String s = Files.exists(pf) ? Files.readString(pf) : "";
            if (s.endsWith("\n")) { // written whole
                if (f.ownPortFile()) {
                    Files.deleteIfExists(pf);
                }
                return Integer.parseInt(s.trim());
            }
            if (!p.isAlive()) {
                return -1;
            }
            sleep(50);
        }
        return -1;
    }

    static String lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return lines.get(i);
            }
        }
        return "(empty log)";
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
