package dmtcp.fd.pipes;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dmtcp.ckpt.process.api.ProcessImages;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.fd.files.FilesHandler;
import dmtcp.fd.files.StandardStreams;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * Pipes and FIFOs whose both ends the process holds (pipes.c), through the process images
 * and the real handlers: the bytes in flight counted exactly once across a checkpoint the
 * program resumes from and across three checkpoint/kill/restore cycles (the program checks
 * every record it reads is the next one), dups kept on one open file description, the
 * capacity, packet mode and O_NONBLOCK kept, a FIFO reopened by path, re-created when its
 * path is gone, and re-created unlinked when it was deleted; a pipe end on fd 5 whose other
 * end the process does not hold refuses the checkpoint and the program runs on.
 */
public class PipesTest {
    static final List<FdHandler> HANDLERS = List.of(new PipesHandler(), new FilesHandler(), new StandardStreams());

    private final List<Child> children = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        for (Child c : children) {
            c.signal(9);
            c.onExit().get(10, TimeUnit.SECONDS);
        }
        for (Path p : files) {
            Files.deleteIfExists(p);
        }
    }

    private Path temp(String suffix) throws Exception {
        Path p = Files.createTempFile("pipes", suffix);
        files.add(p);
        return p;
    }

    /** A path for a FIFO the program makes (nothing there yet). */
    private Path fifoPath() throws Exception {
        Path p = temp(".fifo");
        Files.delete(p);
        return p;
    }

    private Child spawn(Path log, String mode, String... more) throws Exception {
        List<String> argv = new ArrayList<>(List.of(CPrograms.build("pipes").toString(), log.toString(), mode));
        argv.addAll(List.of(more));
        Child c = Processes.spawn(argv);
        children.add(c);
        return c;
    }

    /** Writes {@code c}'s image, then kills it (frozen: it writes nothing after the checkpoint); its fd records by number. */
    static Map<Integer, JsonObject> checkpointAndKill(Child c, Path image) throws Exception {
        Frozen f = Freezer.freeze(c.pid());
        try (ImageWriter w = ProcessImages.dump(f, image, null, new JsonObject(), HANDLERS)) {
            w.commit();
        } finally {
            f.kill();
            c.onExit().get(10, TimeUnit.SECONDS);
        }
        return fdRecords(image);
    }

    static Map<Integer, JsonObject> fdRecords(Path image) throws Exception {
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

    private static JsonObject data(JsonObject fd) {
        return fd.getAsJsonObject("data");
    }

    private static byte[] content(JsonObject fd) {
        return Base64.getDecoder().decode(data(fd).get("content").getAsString());
    }

    /** Every line of the log is "N ok ..." with N = 1, 2, 3...: no record lost, none twice, all intact. */
    private static int assertExactlyOnce(Path log) throws Exception {
        List<String> l = CPrograms.lines(log);
        for (int i = 0; i < l.size(); i++) {
            String[] f = l.get(i).split(" ");
            assertEquals("line " + (i + 1) + ": " + l.get(i), String.valueOf(i + 1), f[0]);
            assertEquals("line " + (i + 1) + ": " + l.get(i), "ok", f[1]);
        }
        return l.size();
    }

    @Test
    public void aSelfPipeWithBytesInFlightThroughAResumeAndThreeRestores() throws Exception {
        Path log = temp(".log");
        Child c = spawn(log, "self");
        CPrograms.awaitLines(log, 300, 10_000);
        // a checkpoint the program resumes from: nothing was taken out of the pipe
        int n = CPrograms.lines(log).size();
        Path live = temp(".dmtcp");
        try (Frozen f = Freezer.freeze(c.pid())) {
            try (ImageWriter w = ProcessImages.dump(f, live, null, new JsonObject(), HANDLERS)) {
                w.commit();
            }
            f.thaw();
        }
        assertTrue("bytes were in flight", content(fdRecords(live).get(4)).length > 0);
        CPrograms.awaitLines(log, n + 300, 10_000);
        assertExactlyOnce(log);
        for (int round = 0; round < 3; round++) {
            n = CPrograms.lines(log).size();
            Path img = temp(".dmtcp");
            Map<Integer, JsonObject> fds = checkpointAndKill(c, img);
            // 0-2, the log on 3, the pipe's ends on 4 and 5, their dups on 20 and 21
            JsonObject r = null, w = null, rdup = fds.get(20), wdup = fds.get(21);
            for (JsonObject o : fds.values()) {
                if (o.get("kind").getAsString().equals("pipe")) {
                    String end = data(o).get("end").getAsString();
                    if (end.equals("read") && o != rdup) {
                        r = o;
                    } else if (end.equals("write") && o != wdup) {
                        w = o;
                    }
                }
            }
            assertTrue(fds.toString(), r != null && w != null && rdup != null && wdup != null);
            assertEquals("pipe", rdup.get("kind").getAsString());
            assertEquals(data(r).get("pipe"), data(w).get("pipe"));
            assertEquals("a dup shares its open file description", r.get("fd"), data(rdup).get("ofd"));
            assertEquals(w.get("fd"), data(wdup).get("ofd"));
            assertEquals(131072, data(r).get("capacity").getAsInt());
            byte[] inFlight = content(r);
            assertTrue("bytes in flight at checkpoint " + round + ": " + inFlight.length, inFlight.length > 0);
            assertFalse("only the lowest fd of a pipe holds its content", data(w).has("content"));
            c = ProcessImages.restore(img, Map.of(), HANDLERS);
            children.add(c);
            // the first reads after the restore are the saved bytes, then what the writer goes on with
            CPrograms.awaitLines(log, n + inFlight.length / 32 + 300, 10_000);
            System.out.printf("self-pipe round %d: %d bytes in flight restored, pid %d%n", round, inFlight.length, c.pid());
            Path pfd = Path.of("/proc", Integer.toString(c.pid()), "fd");
            assertEquals(Files.readSymbolicLink(pfd.resolve(r.get("fd").getAsString())), Files.readSymbolicLink(pfd.resolve("21")));
        }
        assertExactlyOnce(log);
    }

    @Test
    public void packetModeAndNonBlockingEndsAreKept() throws Exception {
        Path log = temp(".log");
        Child c = spawn(log, "packets");
        CPrograms.awaitLines(log, 100, 10_000);
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(log).size();
            Path img = temp(".dmtcp");
            Map<Integer, JsonObject> fds = checkpointAndKill(c, img);
            JsonObject r = fds.values().stream().filter(o -> o.get("kind").getAsString().equals("pipe")).findFirst().orElseThrow();
            JsonObject w = fds.get(r.get("fd").getAsInt() + 1);
            assertEquals("write", data(w).get("end").getAsString());
            assertEquals(04000, r.get("flags").getAsInt() & 044000);
            assertEquals(044000, w.get("flags").getAsInt() & 044000);
            JsonArray packets = data(r).getAsJsonArray("packets");
            assertTrue(r.toString(), packets != null && packets.size() >= 9);
            int sum = 0;
            for (JsonElement p : packets) {
                sum += p.getAsJsonObject().get("size").getAsInt();
            }
            assertEquals(content(r).length, sum);
            c = ProcessImages.restore(img, Map.of(), HANDLERS);
            children.add(c);
            CPrograms.awaitLines(log, n + 100, 10_000);
        }
        assertExactlyOnce(log);
    }

    @Test
    public void aFifoIsReopenedByPathAndRecreatedWhenItsPathIsGone() throws Exception {
        Path log = temp(".log");
        Path fifo = fifoPath();
        Child c = spawn(log, "fifo", fifo.toString());
        CPrograms.awaitLines(log, 300, 10_000);
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(log).size();
            Path img = temp(".dmtcp");
            Map<Integer, JsonObject> fds = checkpointAndKill(c, img);
            List<JsonObject> ends = fds.values().stream().filter(o -> o.get("kind").getAsString().equals("fifo")).toList();
            assertEquals(fds.toString(), 2, ends.size());
            assertEquals(fifo.toString(), data(ends.get(0)).get("path").getAsString());
            assertEquals(0640, data(ends.get(0)).get("mode").getAsInt());
            assertTrue("bytes in flight", content(ends.get(0)).length > 0);
            long inode = (Long) Files.getAttribute(fifo, "unix:ino");
            if (round == 1) {
                Files.delete(fifo); // re-created at restart with its saved mode (pipes.c checks it is 0640)
            }
            c = ProcessImages.restore(img, Map.of(), HANDLERS);
            children.add(c);
            CPrograms.awaitLines(log, n + 300, 10_000);
            if (round != 1) {
                assertEquals("the same FIFO, reopened", inode, ((Long) Files.getAttribute(fifo, "unix:ino")).longValue());
            } // else a new one (its inode number may be the old one's, reused): pipes.c checks the one it holds is the path's
            assertEquals("a FIFO of mode 0640", 0010640, ((Integer) Files.getAttribute(fifo, "unix:mode")).intValue());
        }
        assertExactlyOnce(log);
    }

    @Test
    public void aFifoOpenedReadWriteAndOneUnlinkedWhileOpen() throws Exception {
        for (String mode : List.of("fiforw", "fifogone")) {
            Path log = temp(".log");
            Path fifo = fifoPath();
            Child c = spawn(log, mode, fifo.toString());
            CPrograms.awaitLines(log, 100, 10_000);
            for (int round = 0; round < 2; round++) {
                int n = CPrograms.lines(log).size();
                Path img = temp(".dmtcp");
                Map<Integer, JsonObject> fds = checkpointAndKill(c, img);
                JsonObject f = fds.values().stream().filter(o -> o.get("kind").getAsString().equals("fifo")).findFirst().orElseThrow();
                assertEquals("both", data(f).get("end").getAsString());
                assertEquals(mode.equals("fifogone"), data(f).get("deleted").getAsBoolean());
                assertTrue("about 100 records in flight", content(f).length >= 99 * 32);
                c = ProcessImages.restore(img, Map.of(), HANDLERS);
                children.add(c);
                CPrograms.awaitLines(log, n + 100, 10_000);
                String target = Files.readSymbolicLink(Path.of("/proc", Integer.toString(c.pid()), "fd", f.get("fd").getAsString())).toString();
                assertEquals(mode.equals("fifogone") ? fifo + " (deleted)" : fifo.toString(), target);
                assertEquals("a deleted FIFO leaves nothing behind", mode.equals("fiforw"), Files.exists(fifo));
            }
            assertExactlyOnce(log);
        }
    }

    @Test
    public void aPipeEndOnFd5WhoseOtherEndIsNotHereRefusesTheCheckpoint() throws Exception {
        Path log = temp(".log");
        Child c = spawn(log, "onesided");
        CPrograms.awaitLines(log, 5, 10_000);
        Path image = temp(".dmtcp");
        Files.delete(image);
        try (Frozen f = Freezer.freeze(c.pid())) {
            ProcessImages.dump(f, image, null, new JsonObject(), HANDLERS).close();
            fail("a dump of a process holding one end of a pipe on fd 5 succeeded");
        } catch (UnsupportedFdException e) {
            System.out.println(e.getMessage());
            assertEquals(5, e.fd());
            assertTrue(e.getMessage(), e.getMessage().startsWith("fd 5 is the read end of a pipe whose write end is not in this process: "
                    + "pipes between processes come with process trees (pipe:["));
            assertTrue(e.getMessage(), e.getMessage().endsWith("checkpoint refused, the program runs on"));
        }
        assertFalse("nothing is written", Files.exists(image));
        int n = CPrograms.lines(log).size();
        CPrograms.awaitLines(log, n + 20, 10_000);
        assertFalse(c.onExit().isDone());
    }
}
