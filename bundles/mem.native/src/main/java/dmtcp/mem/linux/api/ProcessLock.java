package dmtcp.mem.linux.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * One live copy per process of a computation, whatever coordinator it runs under: a lock
 * per unique process id, {@code DIR/locks/<unique id>.lock} in the user's private folder,
 * held by the JVM that runs the process (dmtcp_checkpoint for the programs it spawns,
 * dmtcp_restart for those it restores) for as long as the process lives.
 *
 * <p>Two things make it hold: a lock on the file (fcntl, released by the kernel when the
 * JVM dies), and what the file says: the live process's pid and start time (which name one
 * process) and the holder's pid. A second restarter is refused while the first one lives
 * (the lock is taken), and also after it died while its restored process runs on (the lock
 * is free, but the pid and start time still name a live process). A file whose process is
 * gone is taken over, or removed by the next {@link #acquire}'s sweep.
 *
 * <p>Removing a lock file safely: the remover holds its lock, writes {@code released} into
 * it, unlinks it, then lets go. Whoever had opened it meanwhile and then gets its lock reads
 * {@code released} and opens the path again (a new file). Within one JVM, fcntl locks are
 * per process and closing any descriptor of a file drops them, so a lock file this JVM holds
 * is never opened a second time ({@link #HELD}).
 */
public final class ProcessLock {
    /** The unique ids DMTCP makes ({@code <host hash>-<pid>-<start time>}): a crafted image must not name a path. */
    private static final Pattern ID = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._-]{0,99}");
    private static final String RELEASED = "released";

    /** The locks this JVM holds, by unique id. */
    private static final Map<String, ProcessLock> HELD = new ConcurrentHashMap<>();

    private final String uniqueId;
    private final String program;
    private final String tool;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean released;

    private ProcessLock(String uniqueId, String program, String tool, Path file, FileChannel channel, FileLock lock) {
        this.uniqueId = uniqueId;
        this.program = program;
        this.tool = tool;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** A process that holds, or held, a lock. */
    private record Holder(int pid, long start, int holderPid, String tool) {
        boolean processAlive() {
            return pid > 0 && start > 0 && Child.startTime(pid) == start;
        }
    }

    /** Another copy of the process runs (or is being restarted): the message names it. */
    public static final class AlreadyRunning extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        AlreadyRunning(String message) {
            super(message);
        }
    }

    /**
     * Takes the lock of process {@code uniqueId} for this JVM, the process not yet running
     * ({@link #running} says which pid it is once it does).
     *
     * @param dir the user's private folder (the lock goes to its {@code locks/})
     * @param program its name, for messages
     * @param tool this JVM's command (dmtcp_restart, dmtcp_checkpoint), for messages
     * @throws AlreadyRunning when another copy runs or is being restarted, naming it
     * @throws IllegalArgumentException when {@code uniqueId} is not one DMTCP makes
     */
    public static ProcessLock acquire(Path dir, String uniqueId, String program, String tool) throws IOException {
        try {
            return acquireOrWait(dir, uniqueId, program, tool);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while taking the lock of " + describe(program, uniqueId));
        }
    }

    private static ProcessLock acquireOrWait(Path dir, String uniqueId, String program, String tool)
            throws IOException, InterruptedException {
        if (!ID.matcher(uniqueId).matches()) {
            throw new IllegalArgumentException("the unique id '" + uniqueId + "' of " + program + " is not one DMTCP makes");
        }
        if (HELD.containsKey(uniqueId)) {
            throw new AlreadyRunning(describe(program, uniqueId) + " is given twice");
        }
        Path locks = dir.resolve("locks");
        Files.createDirectories(locks, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        sweep(locks);
        Path file = locks.resolve(uniqueId + ".lock");
        for (;;) {
            FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            boolean keep = false;
            try {
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (java.nio.channels.OverlappingFileLockException e) {
                    l = null; // another framework of this JVM holds it (the agent's): held, as by another process
                }
                String content = read(ch);
                if (l == null) {
                    Holder h = parse(content);
                    // its holder has just locked it and is writing it: that takes microseconds
                    for (int i = 0; h == null && i < 200; i++) {
                        Thread.sleep(5);
                        h = parse(read(ch));
                    }
                    throw new AlreadyRunning(describe(program, uniqueId) + (h == null ? " is being started by another DMTCP command"
                            : h.processAlive() ? " already runs as pid " + h.pid() + " under " + h.tool() + " pid " + h.holderPid()
                            : " is being restarted by " + h.tool() + " pid " + h.holderPid()));
                }
                if (content.equals(RELEASED)) {
                    continue; // removed while we opened it: open the path again
                }
                Holder h = parse(content);
                if (h != null && h.processAlive()) {
                    throw new AlreadyRunning(describe(program, uniqueId) + " already runs as pid " + h.pid() + " (its " + h.tool()
                            + ", pid " + h.holderPid() + ", is gone); stop it first (kill " + h.pid() + ")");
                }
                ProcessLock pl = new ProcessLock(uniqueId, program, tool, file, ch, l);
                pl.write(0, 0);
                HELD.put(uniqueId, pl);
                keep = true;
                return pl;
            } finally {
                if (!keep) {
                    ch.close();
                }
            }
        }
    }

    /**
     * Takes the lock of a program this JVM has just spawned and records it as running; it
     * is released when the program ends.
     */
    public static ProcessLock acquire(Path dir, Child child, String tool) throws IOException {
        ProcessLock l = acquire(dir, child.uniqueId(), child.name(), tool);
        running(child);
        return l;
    }

    /**
     * Records {@code child} as the live process of the lock this JVM holds for its unique id
     * (if any), and releases the lock when it ends.
     */
    public static void running(Child child) {
        ProcessLock l = HELD.get(child.uniqueId());
        if (l == null) {
            return;
        }
        try {
            l.write(child.pid(), Child.startTime(child.pid()));
        } catch (IOException e) {
            System.err.println("dmtcp: cannot record " + child + " in " + l.file + ": " + e.getMessage());
        }
        child.onExit().thenRun(l::release);
    }

    /** Releases the lock this JVM holds for {@code uniqueId}, if any (its process will not run). */
    public static void release(String uniqueId) {
        ProcessLock l = uniqueId == null ? null : HELD.get(uniqueId);
        if (l != null) {
            l.release();
        }
    }

    /** Removes the lock file and lets go of it (the process ended, or will not run). */
    public synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        HELD.remove(uniqueId, this);
        try {
            tombstone(channel, file);
        } catch (IOException e) {
            // the kernel lets go of it with the channel; the next sweep removes the file
        } finally {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closed anyway
            }
        }
    }

    public Path file() {
        return file;
    }

    private synchronized void write(int pid, long start) throws IOException {
        if (released) {
            return;
        }
        String line = "pid=" + pid + " start=" + start + " holder=" + ProcessHandle.current().pid() + " tool=" + tool + " program="
                + program.replaceAll("\\s", "_") + "\n";
        channel.truncate(0);
        ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        long at = 0;
        while (b.hasRemaining()) {
            at += channel.write(b, at);
        }
    }

    /** Marks a locked file released and unlinks it, lock still held (see the class comment). */
    private static void tombstone(FileChannel ch, Path file) throws IOException {
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(RELEASED.getBytes(StandardCharsets.US_ASCII)), 0);
        Files.deleteIfExists(file);
    }

    /**
     * Removes the lock files of processes that are gone, and of holders that died before
     * their process ran; leaves those held and those whose process runs on.
     */
    private static void sweep(Path locks) throws IOException {
        Map<Path, Boolean> files = new LinkedHashMap<>();
        try (var s = Files.newDirectoryStream(locks, "*.lock")) {
            for (Path p : s) {
                String id = p.getFileName().toString().replaceFirst("\\.lock$", "");
                if (!HELD.containsKey(id) && files.size() < 1000) {
                    files.put(p, true);
                }
            }
        }
        for (Path p : files.keySet()) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock l = ch.tryLock();
                if (l == null) {
                    continue;
                }
                String content = read(ch);
                Holder h = parse(content);
                if (!content.equals(RELEASED) && (h == null || !h.processAlive())) {
                    tombstone(ch, p);
                }
            } catch (IOException | RuntimeException e) {
                // gone meanwhile, or not ours to judge: left
            }
        }
    }

    private static String read(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // small file
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
    }

    /** The holder a lock file names; null when it names none (empty, released, not ours). */
    private static Holder parse(String content) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String w : content.split("\\s+")) {
            int eq = w.indexOf('=');
            if (eq > 0) {
                kv.put(w.substring(0, eq), w.substring(eq + 1));
            }
        }
        try {
            return new Holder(Integer.parseInt(kv.get("pid")), Long.parseLong(kv.get("start")), Integer.parseInt(kv.get("holder")),
                    kv.getOrDefault("tool", "a DMTCP command"));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String describe(String program, String uniqueId) {
        return "process " + program + " (unique id " + uniqueId + ")";
    }
}
