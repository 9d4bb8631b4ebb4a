package dmtcp.fd.events;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dmtcp.ckpt.process.api.ProcessImages;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.fd.files.FilesHandler;
import dmtcp.fd.files.StandardStreams;
import dmtcp.fd.pipes.PipesHandler;
import dmtcp.image.format.api.ImageFormat;
import dmtcp.image.format.api.ImageReader;
import dmtcp.image.format.api.ImageWriter;
import dmtcp.mem.linux.api.CPrograms;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Freezer;
import dmtcp.mem.linux.api.Frozen;
import dmtcp.mem.linux.api.Processes;
import dmtcp.mem.linux.api.UnsupportedFdException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.After;

/**
 * What the engine tests of this bundle share: the real handlers (this bundle's, fd.files' for
 * the standard streams and logs, fd.pipes' for a pipe in an epoll), a process checkpointed into an image, killed, restored
 * from it; its fdinfo as /proc shows it; a checkpoint that must be refused.
 */
abstract class Rounds {
    static final List<FdHandler> HANDLERS = List.of(new EventfdHandler(), new TimerfdHandler(), new SignalfdHandler(), new EpollHandler(),
            new InotifyHandler(), new PipesHandler(), new FilesHandler(), new StandardStreams());

    final List<Child> children = new ArrayList<>();
    final List<Path> files = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        for (Child c : children) {
            c.signal(9);
            c.onExit().get(10, TimeUnit.SECONDS);
        }
        for (Path p : files) {
            if (Files.exists(p)) {
                try (var s = Files.walk(p)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
                }
            }
        }
    }

    Path temp(String suffix) throws Exception {
        Path p = Files.createTempFile("events", suffix);
        files.add(p);
        return p;
    }

    Path tempDir(String prefix) throws Exception {
        Path p = Files.createTempDirectory(prefix);
        files.add(p);
        return p;
    }

    Child spawn(String program, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(CPrograms.build(program).toString()));
        argv.addAll(List.of(args));
        Child c = Processes.spawn(argv);
        children.add(c);
        return c;
    }

    /** Writes the image of frozen {@code f}, kills the process; returns the fd records of the image by fd. */
    static Map<Integer, JsonObject> checkpointAndKill(Child c, Frozen f, Path image) throws Exception {
        try (ImageWriter w = ProcessImages.dump(f, image, null, new JsonObject(), HANDLERS)) {
            w.commit();
        } finally {
            f.kill();
            c.onExit().get(10, TimeUnit.SECONDS);
        }
        Map<Integer, JsonObject> m = new TreeMap<>();
        try (ImageReader r = ImageReader.open(image, Map.of())) {
            ImageReader.Record rec = r.next();
            assertEquals(ImageFormat.TAG_PROCESS, rec.tag());
            for (JsonElement e : rec.json().getAsJsonArray("fds")) {
                m.put(e.getAsJsonObject().get("fd").getAsInt(), e.getAsJsonObject());
            }
        }
        return m;
    }

    Child restore(Path image) throws Exception {
        Child c = ProcessImages.restore(image, Map.of(), HANDLERS);
        children.add(c);
        return c;
    }

    /** The fds of {@code kind} in {@code records}, by fd. */
    static Map<Integer, JsonObject> ofKind(Map<Integer, JsonObject> records, String kind) {
        Map<Integer, JsonObject> m = new TreeMap<>();
        records.forEach((fd, r) -> {
            if (r.get("kind").getAsString().equals(kind)) {
                m.put(fd, r.getAsJsonObject("data"));
            }
        });
        return m;
    }

    /** /proc/PID/fdinfo/FD without its pos, mnt_id and ino lines (which a new file changes). */
    static List<String> fdinfo(int pid, int fd) throws Exception {
        List<String> l = new ArrayList<>();
        for (String s : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "fdinfo", Integer.toString(fd)))) {
            if (!s.startsWith("pos:") && !s.startsWith("mnt_id:") && !s.startsWith("ino:")) {
                l.add(s.replaceAll("\\s+", " ").trim());
            }
        }
        return l;
    }

    /** Every fd of {@code pid} with its {@link #fdinfo}. */
    static Map<Integer, List<String>> fdinfos(int pid) throws Exception {
        Map<Integer, List<String>> m = new TreeMap<>();
        try (var s = Files.list(Path.of("/proc", Integer.toString(pid), "fd"))) {
            for (Path p : s.toList()) {
                int fd = Integer.parseInt(p.getFileName().toString());
                m.put(fd, fdinfo(pid, fd));
            }
        }
        return m;
    }

    /**
     * Runs {@code program} with {@code args}, waits for 5 lines in {@code log}, and expects its
     * checkpoint to be refused naming fd 5 with a message containing {@code what}; the program
     * must run on, and nothing be written.
     */
    void refused(Path log, String what, Runnable before, String program, String... args) throws Exception {
        Child c = spawn(program, args);
        CPrograms.awaitLines(log, 5, 10_000);
        before.run();
        Path image = temp(".dmtcp");
        Files.delete(image);
        try (Frozen f = Freezer.freeze(c.pid())) {
            ProcessImages.dump(f, image, null, new JsonObject(), HANDLERS).close();
            fail("the checkpoint of " + program + " " + List.of(args) + " was not refused");
        } catch (UnsupportedFdException e) {
            System.out.println(e.getMessage());
            assertEquals(e.getMessage(), 5, e.fd());
            assertTrue(e.getMessage(), e.getMessage().contains(what));
            assertTrue(e.getMessage(), e.getMessage().endsWith("checkpoint refused, the program runs on"));
        }
        assertFalse("nothing is written", Files.exists(image));
        int n = CPrograms.lines(log).size();
        CPrograms.awaitLines(log, n + 20, 10_000);
        assertFalse(c.onExit().isDone());
    }
}
