package dmtcp.runtime;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent: one warm JVM per user, host and private folder that does for dmtcp_checkpoint
 * what the launcher JVM did, so that a launched program waits ~10 ms instead of ~0.5 s and
 * costs ~10 MB instead of ~70 (doc/architecture.md, "The agent").
 *
 * <p>The client is bin/dmtcp_checkpoint itself, a bash script: it writes its request (the
 * options it parsed, the program's argv) to {@code req-<pid>} in the private folder, sends
 * {@code launch <pid>} down the agent's FIFO, reads the answer from its own FIFO
 * {@code reply-<pid>}, and on {@code ok} execs the program. The program is thus the
 * script's own process: its parent is the user's shell, which gets its exit status and
 * runs its job control as without the project; the agent is never its parent and traces it
 * only for a round. Before answering, the agent has told the coordinator the program comes
 * (an announcement), so a checkpoint asked for at once waits for it.
 *
 * <p>Each program gets a participant of its own: an OSGi framework of its own in this JVM
 * ({@link Runtime#slot}), with its own bundles and storage, joining the coordinator as the
 * launcher's did; the frameworks share the JVM and nothing else. The request file becomes
 * the program's entry in {@code agent-programs/<pid>-<start time>}, removed when it ends:
 * an agent that is killed leaves its programs running (they are not its children, and are
 * untraced between rounds), and the next one takes every live entry over (a participant
 * again, after an announcement). An agent with no program exits after
 * {@code DMTCP_AGENT_IDLE} seconds (default 60).
 */
final class Agent {
    static final String FIFO = "agent.fifo";
    static final String PID = "agent.pid";
    static final String LOCK = "agent.lock";
    static final String PROGRAMS = "agent-programs";
    /** The request format the client writes: its first field. */
    static final String VERSION = "1";

    private final Path dir;
    private final String signature;
    private final long idleNanos;
    private final Map<Integer, Slot> slots = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();
    /** Coordinators this JVM started (its children): never taken for a program's orphans. */
    private final Set<Long> helpers = ConcurrentHashMap.newKeySet();
    private final Object state = new Object();
    private long idleSince = System.nanoTime();
    private boolean closing;

    private Agent(Path dir, String signature, long idleSeconds) {
        this.dir = dir;
        this.signature = signature;
        this.idleNanos = idleSeconds * 1_000_000_000L;
    }

    static int run(String[] args) {
        String signature = "";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help")) {
                System.out.println("Usage: java -jar dmtcp.jar agent [--signature S]");
                System.out.println("The per-user agent bin/dmtcp_checkpoint starts by itself (doc/architecture.md, The agent).");
                System.out.println("Environment variables:");
                System.out.println("  DMTCP_AGENT_IDLE           seconds an agent without programs stays (default: 60)");
                System.out.println("  DMTCP_TMPDIR               the private folder it serves (default: $XDG_RUNTIME_DIR/dmtcp, else ~/.cache/dmtcp)");
                return 0;
            }
            if (args[i].equals("--signature") && i + 1 < args.length) {
                signature = args[++i];
            } else {
                System.err.println("dmtcp agent: unknown argument '" + args[i] + "'");
                return 2;
            }
        }
        long idle;
        try {
            idle = Long.parseLong(Env.get("DMTCP_AGENT_IDLE", "60"));
        } catch (NumberFormatException e) {
            System.err.println("dmtcp agent: DMTCP_AGENT_IDLE='" + System.getenv("DMTCP_AGENT_IDLE") + "' is not a number of seconds");
            return 2;
        }
        Path dir = Env.runtimeDir();
        try (FileChannel lockFile = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = lockFile.tryLock();
            if (lock == null) {
                return 0; // another agent serves this folder: the client waits for its pid file
            }
            return new Agent(dir, signature, idle).serve();
        } catch (IOException e) {
            System.err.println("dmtcp agent: " + e.getMessage());
            return 1;
        }
    }

    private int serve() throws IOException {
        Path fifo = dir.resolve(FIFO);
        checkFifo(fifo);
        Files.createDirectories(dir.resolve(PROGRAMS));
        // read-write: the FIFO never reports end of file, and a client's write never blocks.
        // Open before the pid file says this agent serves: what a client writes into a FIFO
        // nobody holds open is lost when it closes it
        try (RandomAccessFile f = new RandomAccessFile(fifo.toFile(), "rw");
                BufferedReader in = new BufferedReader(new InputStreamReader(new FileInputStream(f.getFD()), StandardCharsets.UTF_8))) {
            utility = java.util.concurrent.CompletableFuture.supplyAsync(() -> Runtime.slot(Map.of("dmtcp.role", "agent"), "0"));
            takeOver();
            writePidFile();
            Thread idle = new Thread(this::watchIdle, "dmtcp-agent-idle");
            idle.setDaemon(true);
            idle.start();
            for (String line; (line = in.readLine()) != null;) {
                String[] w = line.trim().split(" ");
                if (w.length == 2 && (w[0].equals("launch") || w[0].equals("restart")) && w[1].matches("[1-9][0-9]{0,9}")) {
                    int pid = Integer.parseInt(w[1]);
                    boolean restart = w[0].equals("restart");
                    busy();
                    Thread t = new Thread(() -> launch(pid, restart), "dmtcp-agent-" + pid);
                    t.setDaemon(true);
                    t.start();
                } else if (!line.isBlank()) {
                    System.err.println("dmtcp agent: ignoring request '" + line + "'");
                }
            }
        }
        return 0;
    }

    /** The FIFO the clients write to: made here when missing, and only one of this user's, mode 0600. */
    private static void checkFifo(Path fifo) throws IOException {
        if (!Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)) {
            try {
                int rc = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).inheritIO().start().waitFor();
                if (rc != 0 && !Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("mkfifo " + fifo + " failed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted making " + fifo);
            }
        }
        PosixFileAttributes a = Files.readAttributes(fifo, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int mode = PrivateDir.attr(fifo, "unix:mode");
        if (!a.isOther() || PrivateDir.attr(fifo, "unix:uid") != PrivateDir.uid() || (mode & 077) != 0) {
            throw new IOException(fifo + " is not this user's FIFO of mode 0600: remove it");
        }
    }

    /** agent.pid: {@code <pid> <start time> <signature>}, replaced in one rename; the clients read it. */
    private void writePidFile() throws IOException {
        long pid = ProcessHandle.current().pid();
        Path tmp = dir.resolve(PID + ".tmp");
        Files.writeString(tmp, pid + " " + Pids.startTime(pid) + " " + signature + "\n");
        Files.move(tmp, dir.resolve(PID), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void busy() {
        synchronized (state) {
            if (closing) {
                closing = false;
                try {
                    writePidFile();
                } catch (IOException e) {
                    System.err.println("dmtcp agent: cannot write " + dir.resolve(PID) + ": " + e.getMessage());
                }
            }
            idleSince = System.nanoTime();
        }
    }

    /**
     * Exits once no program has been served for the idle time. The pid file goes first, so
     * that new clients start another agent; a request sent just before (by a client that
     * read the file) is still read in the grace that follows, and cancels the exit.
     */
    private void watchIdle() {
        for (;;) {
            try {
                Thread.sleep(500);
                synchronized (state) {
                    if (!slots.isEmpty()) {
                        idleSince = System.nanoTime();
                        continue;
                    }
                    if (System.nanoTime() - idleSince < idleNanos) {
                        continue;
                    }
                    closing = true;
                    Files.deleteIfExists(dir.resolve(PID));
                }
                Thread.sleep(300);
                synchronized (state) {
                    if (closing && slots.isEmpty()) {
                        System.exit(0);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                System.err.println("dmtcp agent: " + e.getMessage());
            }
        }
    }

    /** The programs a killed agent left: each live one becomes a participant again. */
    private void takeOver() throws IOException {
        List<java.util.concurrent.CountDownLatch> announced = new ArrayList<>();
        try (var s = Files.list(dir.resolve(PROGRAMS))) {
            for (Path entry : (Iterable<Path>) s::iterator) {
                String tag = entry.getFileName().toString();
                if (!Pids.alive(tag)) {
                    Files.deleteIfExists(entry);
                    continue;
                }
                int pid = Integer.parseInt(tag.substring(0, tag.indexOf('-')));
                try {
                    // its coordinator, started again as the first launch would have (it exits with its last
                    // participant); its argv as it runs now (a restored process's entry names its image)
                    Request r = Request.read(entry).running(pid);
                    System.err.println("dmtcp agent: taking over " + r.argv.get(0) + " [" + pid + "]");
                    java.util.concurrent.CountDownLatch told = new java.util.concurrent.CountDownLatch(1);
                    announced.add(told);
                    Thread t = new Thread(() -> serve(pid, r, entry, null, told), "dmtcp-agent-" + pid);
                    t.setDaemon(true);
                    slots.put(pid, new Slot());
                    t.start();
                } catch (IOException | RuntimeException e) {
                    System.err.println("dmtcp agent: cannot take over " + entry + ": " + e.getMessage());
                }
            }
        }
        // announced before the pid file says this agent serves: a checkpoint the reviving
        // command asks for waits for them (bin/dmtcp-common.sh waits for the pid file)
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (java.util.concurrent.CountDownLatch l : announced) {
            try {
                l.await(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A client's request: answered on its reply FIFO, then served until its program ends. */
    private void launch(int pid, boolean restart) {
        Path req = dir.resolve("req-" + pid);
        Reply reply = new Reply(dir.resolve("reply-" + pid));
        if (slots.putIfAbsent(pid, new Slot()) != null) {
            return; // the client sent it again: the first request answers it
        }
        try {
            Request r = Request.read(req);
            String tag = Pids.tag(pid);
            if (tag == null) {
                slots.remove(pid);
                Files.deleteIfExists(req);
                return; // the client is gone
            }
            Path entry = dir.resolve(PROGRAMS).resolve(tag);
            Files.move(req, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (restart) {
                restart(pid, r, entry, reply);
            } else {
                serve(pid, r, entry, reply, new java.util.concurrent.CountDownLatch(1));
            }
        } catch (IOException | RuntimeException e) {
            slots.remove(pid);
            reply.line("fail 1 dmtcp_checkpoint: the agent cannot take the request: " + e.getMessage());
            try {
                Files.deleteIfExists(req);
            } catch (IOException ignored) {
                // the next request of that pid overwrites it
            }
        }
    }

    /**
     * One program's participant, from the coordinator to its end: the coordinator found or
     * started, the program announced, the client told to exec it ({@code reply}; null for a
     * take-over), then a framework of its own that adopts it and joins.
     */
    private void serve(int pid, Request r, Path entry, Reply reply, java.util.concurrent.CountDownLatch told) {
        Announcement announced = null;
        Runtime rt = null;
        try {
            if (reply != null) {
                try {
                    utility().bootstrap().subreaper(pid);
                } catch (dmtcp.core.boot.BootException e) {
                    // its orphans would leave the computation unseen: the JVM launcher's way instead
                    reply.line("busy the agent cannot make it a child subreaper: " + e.getMessage());
                    return;
                }
            }
            // what the client's shell had started before it became the program: no part of the computation
            List<Long> plumbing = reply == null ? List.of() : childrenOf(pid);
            Session s = new Session("dmtcp_checkpoint", r.host, r.port, r.join, false, 0, r.interval, r.checkpointDir);
            if (reply != null) {
                s.sayTo(line -> reply.line("say " + line));
            }
            coordinator(s, r);
            // the coordinator knows the program comes before it runs: a checkpoint asked for at once waits for it
            announced = Announcement.start(r.host, r.port);
            announced.await(2000);
            told.countDown();
            if (reply != null) {
                reply.line("ok");
            }
            Map<String, String> props = new HashMap<>();
            props.put("dmtcp.role", "launch");
            props.put("dmtcp.gzip", String.valueOf(r.gzip));
            if (announced != null) {
                props.put("dmtcp.announce", announced.token());
            }
            props.put("dmtcp.host", r.host);
            props.put("dmtcp.port", String.valueOf(r.port));
            props.put("dmtcp.checkpointDir", r.checkpointDir.toAbsolutePath().normalize().toString());
            props.put("dmtcp.stderr", "/proc/" + pid + "/fd/2");
            rt = Runtime.slot(props, Integer.toString(next.incrementAndGet()));
            for (long h : helpers) {
                rt.bootstrap().helper(h);
            }
            for (long c : plumbing) {
                rt.bootstrap().helper(c);
            }
            rt.bootstrap().adopt(pid, r.argv, dir);
            rt.start();
            rt.bootstrap().awaitPrograms();
        } catch (dmtcp.core.boot.BootException e) {
            // gone before it was adopted (it could not exec, or ended at once): nothing to serve
            System.err.println("dmtcp agent: " + r.argv.get(0) + " [" + pid + "]: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            if (reply != null) {
                reply.line("fail 1 dmtcp_checkpoint: " + (e.getMessage() != null ? e.getMessage() : e));
            } else {
                System.err.println("dmtcp agent: " + r.argv.get(0) + " [" + pid + "]: " + e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            told.countDown();
            if (rt != null) {
                rt.stop();
            }
            if (announced != null) {
                announced.close();
            }
            try {
                Files.deleteIfExists(entry);
            } catch (IOException ignored) {
                // the next agent removes an entry whose process is gone
            }
            slots.remove(pid);
            busy();
        }
    }

    private volatile java.util.concurrent.CompletableFuture<Runtime> utility;

    /**
     * A framework that never starts, for what is done to a client's process before it execs
     * (its {@link dmtcp.core.boot.Bootstrap}): made once, in the background from the start.
     */
    private Runtime utility() {
        return utility.join();
    }

    /** Coordinators this agent started, by host:port: a second program for one waits for it to listen. */
    private final Map<String, Process> started = new HashMap<>();

    /**
     * Finds the request's coordinator, or starts one (as dmtcp_checkpoint always did), and
     * waits until it listens: one coordinator per address, however many programs ask at once.
     */
    private void coordinator(Session s, Request r) throws IOException {
        String key = r.host + ":" + r.port;
        Process p;
        synchronized (started) {
            p = started.get(key);
            if (p == null || !p.isAlive()) {
                s.ensureCoordinator();
                p = s.startedProcess();
                if (p == null) {
                    started.remove(key);
                    return;
                }
                started.put(key, p);
                helpers.add(p.pid());
            }
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Session.answers(r.host, r.port)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("the coordinator it started did not come up: " + Daemon.lastLine(Daemon.logOf(p)));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for the coordinator");
            }
        }
    }

    /**
     * dmtcp_restart through the agent, one image: its checks as the restarter's, then a
     * framework of its own (role restart) that rebuilds the process in the client's own
     * process, seized while it waits and then told which executable to exec ({@code stub EXE});
     * the restart round lets it run. What goes wrong after that answer is written to the
     * client's stderr (the client, killed with the half-built process, cannot read it).
     */
    private void restart(int pid, Request r, Path entry, Reply reply) {
        Runtime rt = null;
        Path image = Path.of(r.argv.get(0));
        java.io.PrintStream err = clientStderr(pid);
        try {
            try {
                utility().bootstrap().subreaper(pid);
            } catch (dmtcp.core.boot.BootException e) {
                reply.line("busy the agent cannot make it a child subreaper: " + e.getMessage());
                return;
            }
            try {
                dmtcp.image.format.api.ImageReader.checkFile(image);
            } catch (IOException e) {
                reply.line("fail 1 dmtcp_restart: " + e.getMessage());
                return;
            }
            java.io.ByteArrayOutputStream warned = new java.io.ByteArrayOutputStream();
            String foreign = ImageOwner.check(List.of(image), false, new java.io.PrintStream(warned, true, StandardCharsets.UTF_8));
            for (String l : warned.toString(StandardCharsets.UTF_8).split("\n")) {
                if (!l.isBlank()) {
                    reply.line("say " + l);
                }
            }
            if (foreign != null) {
                reply.line("fail 1 dmtcp_restart: " + foreign + "; nothing was restarted");
                return;
            }
            // the unique ids first, for the framework's properties (a framework's properties are fixed when it is made)
            dmtcp.core.boot.Restart first = utility().bootstrap().restart(List.of(image));
            java.util.Optional<String> refused = first.refusal();
            if (refused.isPresent()) {
                reply.line("fail 1 dmtcp_restart: " + refused.get() + "; nothing was restarted");
                return;
            }
            List<String> ids = first.uniqueIds();
            List<Long> plumbing = childrenOf(pid);
            Session s = new Session("dmtcp_restart", r.host, r.port, r.join, false, 0, r.interval, r.checkpointDir);
            s.sayTo(line -> reply.line("say " + line));
            coordinator(s, r);
            Map<String, String> props = new HashMap<>();
            props.put("dmtcp.role", "restart");
            props.put("dmtcp.gzip", String.valueOf(r.gzip));
            props.put("dmtcp.host", r.host);
            props.put("dmtcp.port", String.valueOf(r.port));
            props.put("dmtcp.checkpointDir", r.checkpointDir.toAbsolutePath().normalize().toString());
            props.put("dmtcp.stderr", "/proc/" + pid + "/fd/2");
            props.put("dmtcp.images", image.toString());
            props.put("dmtcp.restartIds", String.join(",", ids));
            rt = Runtime.slot(props, Integer.toString(next.incrementAndGet()));
            for (long h : helpers) {
                rt.bootstrap().helper(h);
            }
            for (long c : plumbing) {
                rt.bootstrap().helper(c);
            }
            dmtcp.core.boot.Restart restart = rt.bootstrap().restart(List.of(image));
            java.util.Optional<String> locked = restart.lock(dir);
            if (locked.isPresent()) {
                reply.line("fail 1 dmtcp_restart: " + locked.get() + "; nothing was restarted");
                return;
            }
            restart.restoreAheadInto(rt, pid, exe -> reply.line("stub " + exe));
            rt.start();
            rt.bootstrap().awaitPrograms();
            String failure = rt.bootstrap().failure().orElse(null);
            if (failure != null) {
                if (!reply.line("fail 1 dmtcp_restart: " + failure) && err != null) {
                    err.println("dmtcp_restart: " + failure);
                }
            }
        } catch (IOException | RuntimeException e) {
            String why = "dmtcp_restart: " + (e.getMessage() != null ? e.getMessage() : e);
            if (!reply.line("fail 1 " + why) && err != null) {
                err.println(why);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (rt != null) {
                rt.stop();
            }
            if (err != null) {
                err.close();
            }
            try {
                Files.deleteIfExists(entry);
            } catch (IOException ignored) {
                // the next agent removes an entry whose process is gone
            }
            slots.remove(pid);
            busy();
        }
    }

    /** The children {@code pid} has now (before the client execs: its shell's plumbing). */
    private static List<Long> childrenOf(int pid) {
        return ProcessHandle.of(pid).map(h -> h.children().map(ProcessHandle::pid).toList()).orElse(List.of());
    }

    /** The client's stderr (/proc/PID/fd/2), for what it must read after it stopped reading its answer; null if it cannot be opened. */
    private static java.io.PrintStream clientStderr(int pid) {
        Path fd = Path.of("/proc/" + pid + "/fd/2");
        try {
            String target = Files.readSymbolicLink(fd).toString();
            java.io.OutputStream out = target.startsWith("pipe:") ? new java.io.FileOutputStream(new RandomAccessFile(fd.toFile(), "rw").getFD())
                    : new java.io.FileOutputStream(fd.toFile(), true);
            return new java.io.PrintStream(new java.io.BufferedOutputStream(out), true, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A program served: what the idle watch counts. */
    private static final class Slot {}

    /** The client's FIFO: opened read-write so that a client gone does not block the agent. */
    private static final class Reply {
        private final Path path;
        private boolean done;

        Reply(Path path) {
            this.path = path;
        }

        /** Writes {@code text} as one line; false once the final answer (ok, stub, fail, busy) went. */
        synchronized boolean line(String text) {
            if (done) {
                return false;
            }
            if (text.equals("ok") || text.startsWith("fail ") || text.startsWith("stub ") || text.startsWith("busy ")) {
                done = true;
            }
            try {
                PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!a.isOther()) {
                    return true;
                }
                try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
                    f.write((text.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // the client is gone: it falls back or has exited
            }
            return true;
        }
    }

    /**
     * What the client wrote ({@code req-<pid>}, NUL-separated): the format version, the
     * coordinator's host and port, --join, -i, the checkpoint folder (absolute), gzip, then
     * the program's argv.
     */
    record Request(String host, int port, boolean join, int interval, Path checkpointDir, boolean gzip, List<String> argv) {
        /** The same, with the argv {@code pid} runs now (/proc/PID/cmdline), if it can be read. */
        Request running(int pid) {
            try {
                String cmd = Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.UTF_8);
                List<String> now = List.of(cmd.split("\0"));
                return now.isEmpty() || now.get(0).isEmpty() ? this : new Request(host, port, join, interval, checkpointDir, gzip, now);
            } catch (IOException e) {
                return this;
            }
        }

        static Request read(Path file) throws IOException {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            List<String> f = new ArrayList<>(Arrays.asList(text.split("\0", -1)));
            if (!f.isEmpty() && f.get(f.size() - 1).isEmpty()) {
                f.remove(f.size() - 1);
            }
            if (f.size() < 8 || !f.get(0).equals(VERSION)) {
                throw new IOException(file + " is no request of this version (" + VERSION + ")");
            }
            try {
                Path ckpt = Path.of(f.get(5));
                if (!ckpt.isAbsolute()) {
                    throw new IOException(file + ": the checkpoint folder '" + f.get(5) + "' is not absolute");
                }
                return new Request(f.get(1), Integer.parseInt(f.get(2)), f.get(3).equals("1"), Integer.parseInt(f.get(4)),
                        ckpt, !f.get(6).equals("0"), List.copyOf(f.subList(7, f.size())));
            } catch (NumberFormatException e) {
                throw new IOException(file + ": " + e.getMessage());
            }
        }
    }
}
