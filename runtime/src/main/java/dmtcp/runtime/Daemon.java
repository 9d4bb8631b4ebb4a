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
        Process p = spawn(port, bind, exitOnLast, interval, ckptDir, stageTimeout, portFile);
        Path pf = portFileOf(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Path log = logOf(p);
        while (System.nanoTime() < deadline) {
            String s = Files.exists(pf) ? Files.readString(pf).trim() : "";
            if (!s.isEmpty()) {
                if (printPort) {
                    System.out.println(s);
                }
                return 0;
            }
            if (!p.isAlive()) {
                break;
            }
            sleep(50);
        }
        String why = Files.exists(log) ? lastLine(log) : "no log";
        System.err.println("dmtcp_coordinator: the background coordinator did not start: " + why + " (log: " + log + ")");
        return 1;
    }

    private static final java.util.Map<Process, Path[]> FILES = new java.util.concurrent.ConcurrentHashMap<>();

    /** Spawns the detached coordinator; its port file and log are found with {@link #portFileOf}/{@link #logOf}. */
    static Process spawn(int port, String bind, boolean exitOnLast, int interval, Path ckptDir, int stageTimeout,
            Path portFile) throws IOException {
        Path dir = Env.tmpDir().resolve("dmtcp-" + Env.user());
        Files.createDirectories(dir);
        Path pf = portFile != null ? portFile.toAbsolutePath() : Files.createTempFile(dir, "coordinator-", ".port");
        Files.deleteIfExists(pf);
        Path log = Files.createTempFile(dir, "coordinator-", ".log");
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(Env.java());
        cmd.add("-Ddmtcp.home=" + Env.home());
        cmd.add("-Ddmtcp.tmpdir=" + Env.tmpDir());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1"); // as bin/dmtcp-common.sh: it starts sooner and competes less
        cmd.add("-jar");
        cmd.add(Env.jar().toString());
        cmd.add("coordinator");
        cmd.add("--daemon");
        cmd.add("--daemon-child");
        cmd.add("--port=" + port);
        cmd.add("--port-file=" + pf);
        if (bind != null && !bind.isEmpty()) {
            cmd.add("--bind=" + bind);
        }
        if (exitOnLast) {
            cmd.add("--exit-on-last");
        }
        cmd.add("--interval=" + interval);
        cmd.add("--ckptdir=" + ckptDir.toAbsolutePath().normalize());
        cmd.add("--stage-timeout=" + stageTimeout);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(log.toFile());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        FILES.put(p, new Path[] {pf, log});
        return p;
    }

    static Path portFileOf(Process p) {
        return FILES.get(p)[0];
    }

    static Path logOf(Process p) {
        return FILES.get(p)[1];
    }

    /** Waits for a spawned coordinator's port; -1 if it did not come up in time. */
    static int awaitPort(Process p, int seconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Path pf = portFileOf(p);
        while (System.nanoTime() < deadline) {
            String s = Files.exists(pf) ? Files.readString(pf).trim() : "";
            if (!s.isEmpty()) {
                return Integer.parseInt(s);
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
