package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dmtcp.image.format.api.ImageFormat;
import dmtcp.image.format.api.ImageReader;
import dmtcp.image.format.api.ImageWriter;
import dmtcp.image.format.api.JdkGzip;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Images are data, not authority, and one process runs once: crafted images refused before
 * anything outside their process is touched, other users' images refused, two restarts of
 * one process and a restart of a process that runs on refused by name, the newest of two
 * images of one process restored, an executable modified in place refused; a JVM restarts
 * after another JVM deleted its perf-data file; and the errors a user sees say what
 * happened.
 */
public class ImagesIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    /** The second ordinary account (.ci/run creates it): owner of the foreign image. */
    static final String OTHER = System.getProperty("dmtcp.e2e.other", "dmtcpother");

    private static List<String> ticks(Path f) {
        try {
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static int tickOf(String line) {
        return Integer.parseInt(line.split(" ")[1]);
    }

    private static String status(Tools t, String port) {
        return t.status(port);
    }

    /** A computation of one program under a coordinator of the test's: checkpoint it, kill it. */
    private static final class Run {
        final Tools t;
        final Tools.Coordinator coord;
        final String port;
        final Path out;
        Process launcher;

        Run(Tools t, Path out, String... program) throws Exception {
            this.t = t;
            this.out = out;
            coord = t.coordinator("coord");
            port = String.valueOf(coord.port);
            List<String> a = new ArrayList<>(List.of("-p", port, "--join"));
            a.addAll(List.of(program));
            launcher = t.start("launch", "dmtcp_checkpoint", a.toArray(new String[0]));
            Tools.waitFor("the participant", 30, () -> status(t, port).contains("NUM_PEERS=1"));
        }

        void ticking(int more) throws InterruptedException {
            int n = ticks(out).size();
            Tools.waitFor(more + " more ticks in " + out, 30, () -> ticks(out).size() >= n + more);
        }

        /** A blocking checkpoint; the last tick before it (the restored program goes on from there or later). */
        int checkpoint() throws Exception {
            ticking(3);
            List<String> l = ticks(out);
            int before = tickOf(l.get(l.size() - 1));
            assertContains(t.run("dmtcp_command", "-p", port, "-bc").ok().out(), "1 image(s)");
            return before;
        }

        void kill() throws Exception {
            t.run("dmtcp_command", "-p", port, "-k").ok();
            Tools.waitFor("the participant to leave", 30, () -> status(t, port).contains("NUM_PEERS=0"));
        }

        Path image(String program) throws IOException {
            try (var s = Files.list(t.workDir)) {
                return s.filter(f -> f.getFileName().toString().matches("ckpt_" + program + "_.*\\.dmtcp")).findFirst().orElseThrow();
            }
        }

        /** A restart joining this coordinator, in the background. */
        Process restart(String tag, String... args) throws IOException {
            List<String> a = new ArrayList<>(List.of("-p", port, "--join"));
            a.addAll(List.of(args));
            return t.start(tag, "dmtcp_restart", a.toArray(new String[0]));
        }
    }

    /** ticker.c under a coordinator of the test's, checkpointed once (not killed); its ticks go to ./ticks. */
    private static Run ticker(Tools t) throws Exception {
        Path prog = t.compile("ticker");
        Path out = t.workDir.resolve("ticks");
        Run run = new Run(t, out, prog.toString(), out.toString());
        run.checkpoint();
        return run;
    }

    /** Asserts that the ticks after {@code from} go one by one (one copy of the program writes them), all "ok". */
    private static void oneCopy(Path out, int from) {
        List<String> all = ticks(out);
        for (int i = from + 1; i < all.size(); i++) {
            assertEquals("one program ticks, not two: " + all.subList(from, all.size()), tickOf(all.get(i - 1)) + 1, tickOf(all.get(i)));
        }
        for (String l : all) {
            assertFalse("memory intact: " + l, l.endsWith("CORRUPT"));
        }
    }

    // ---------------------------------------------------------------- crafted images

    /** Where the INVT record of a raw image starts (records walked frame by frame). */
    private static int inventoryOffset(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int at = ImageFormat.SIGNATURE.length;
        while (!new String(raw, at, 4, StandardCharsets.US_ASCII).equals(ImageFormat.TAG_INVENTORY)) {
            at += ImageFormat.FRAME + (int) b.getLong(at + 4);
        }
        return at;
    }

    /**
     * Rewrites {@code image} record by record into a complete uncompressed image whose
     * region mapping {@code victim} (MAP_SHARED, writable) has saved pages of "PWNED" (added
     * when the image holds none), and whose fd table also names {@code fifo} (when not null).
     */
    private static byte[] craft(Path image, Path victim, Path fifo, Path work) throws IOException {
        Path target = work.resolve("crafted-" + System.nanoTime() + ".dmtcp");
        byte[] pwned = "PWNED ".repeat(700).substring(0, 4096).getBytes(StandardCharsets.US_ASCII);
        long victimAt = -1;
        boolean insert = false;
        try (ImageReader r = ImageReader.open(image, Map.of("gzip", JdkGzip.INSTANCE));
                ImageWriter w = ImageWriter.create(target, null)) {
            for (ImageReader.Record rec; (rec = r.next()) != null;) {
                if (rec.tag().equals(ImageFormat.TAG_PROCESS)) {
                    JsonObject proc = rec.json();
                    for (JsonElement e : proc.getAsJsonArray("regions")) {
                        JsonObject region = e.getAsJsonObject();
                        if (region.get("path").getAsString().equals(victim.toString())) {
                            victimAt = region.get("start").getAsLong();
                            JsonArray saved = region.getAsJsonArray("saved");
                            insert = saved.isEmpty();
                            if (insert) {
                                JsonObject page = new JsonObject();
                                page.addProperty("offset", 0);
                                page.addProperty("length", 4096);
                                saved.add(page);
                            }
                        }
                    }
                    assertTrue("the image maps " + victim, victimAt > 0);
                    if (fifo != null) {
                        JsonObject fd = new JsonObject();
                        fd.addProperty("fd", 3);
                        fd.addProperty("kind", "file");
                        fd.addProperty("path", fifo.toString());
                        fd.addProperty("flags", 1); // O_WRONLY
                        fd.addProperty("offset", 0);
                        fd.addProperty("mode", 0010600);
                        fd.addProperty("cloexec", false);
                        proc.getAsJsonArray("fds").add(fd);
                    }
                    w.json(ImageFormat.TAG_PROCESS, proc);
                } else if (rec.tag().equals(ImageFormat.TAG_PAGES)) {
                    long a = rec.address();
                    if (insert && a > victimAt) {
                        w.pages(victimAt, ByteBuffer.wrap(pwned));
                        insert = false;
                    }
                    if (a == victimAt) {
                        ByteBuffer data = ByteBuffer.allocate(rec.data().remaining());
                        while (data.hasRemaining()) {
                            data.put(pwned, 0, Math.min(pwned.length, data.remaining()));
                        }
                        w.pages(a, data.flip());
                    } else {
                        w.pages(a, rec.data());
                    }
                } else {
                    w.record(rec.tag(), rec.payload());
                }
            }
            if (insert) {
                w.pages(victimAt, ByteBuffer.wrap(pwned));
            }
            w.finish(null);
            w.commit();
        }
        byte[] bytes = Files.readAllBytes(target);
        Files.delete(target);
        return bytes;
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (var out = JdkGzip.INSTANCE.encode(b)) {
            out.write(raw);
        }
        return b.toByteArray();
    }

    /**
     * A crafted image whose process maps a victim file MAP_SHARED read-write, with saved
     * pages of "PWNED" for it, followed by a corrupt inventory or no inventory and trailer,
     * raw and compressed: dmtcp_restart and dmtcp_inspect refuse it naming the image and the
     * record, and the victim file is byte for byte unchanged, mtime included; the fd the
     * image names (a FIFO a reader waits on) was never opened. Complete and intact, the same
     * crafted image restarts, and the victim still is not written: a file that is there
     * keeps its own content.
     */
    @Test
    public void aCraftedImageIsRefusedBeforeAnythingOutsideItsProcessIsTouched() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path prog = t.compile("shared");
        Path victim = t.workDir.resolve("victim");
        byte[] original = "the victim's own bytes\n".repeat(400).substring(0, 8192).getBytes(StandardCharsets.US_ASCII);
        Files.write(victim, original);
        FileTime mtime = FileTime.fromMillis(1_600_000_000_000L);
        Files.setLastModifiedTime(victim, mtime);
        Path out = t.workDir.resolve("ticks");
        Run run = new Run(t, out, "--no-gzip", prog.toString(), victim.toString(), out.toString(), "r");
        run.checkpoint();
        run.kill();
        Path image = run.image("shared");
        Path fifo = t.workDir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());

        byte[] whole = craft(image, victim, fifo, t.workDir);
        int inv = inventoryOffset(whole);
        byte[] noTrailer = java.util.Arrays.copyOf(whole, inv);
        byte[] badInventory = whole.clone();
        badInventory[inv + ImageFormat.FRAME] ^= 0x20;
        String invRecord = "record #";
        Map<String, byte[]> crafted = new java.util.LinkedHashMap<>();
        crafted.put("no-trailer.dmtcp", noTrailer);
        crafted.put("bad-inventory.dmtcp", badInventory);
        crafted.put("no-trailer-gz.dmtcp", gzip(noTrailer));
        crafted.put("bad-inventory-gz.dmtcp", gzip(badInventory));
        for (Map.Entry<String, byte[]> c : crafted.entrySet()) {
            Path bad = t.workDir.resolve(c.getKey());
            Files.write(bad, c.getValue());
            String why = c.getKey().startsWith("no-trailer") ? ": ends after record #" : ": " + invRecord;
            String what = c.getKey().startsWith("no-trailer") ? "without an inventory" : "(INVT, ";

            Tools.Result inspect = t.run("dmtcp_inspect", bad.toString());
            assertEquals(inspect.err(), 1, inspect.exit());
            assertContains(inspect.err(), bad + why);
            assertContains(inspect.err(), what);

            // a reader waits on the FIFO the image names: had the restore opened it, the reader would be let through
            java.util.concurrent.CompletableFuture<Void> reader = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try (var in = new java.io.FileInputStream(fifo.toFile())) {
                    while (in.read() >= 0) {
                        // until the writer closes
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            int before = ticks(out).size();
            Tools.Result restart = t.run("dmtcp_restart", "--new-coordinator", bad.toString());
            assertEquals(restart.err(), 1, restart.exit());
            assertContains(restart.err(), bad + why);
            assertContains(restart.err(), what);
            assertFalse(restart.err(), restart.err().contains("\tat "));
            assertArrayEquals(c.getKey() + ": the victim file is unchanged", original, Files.readAllBytes(victim));
            assertEquals(c.getKey() + ": the victim file was not written", mtime, Files.getLastModifiedTime(victim));
            assertFalse(c.getKey() + ": the FIFO the image names was never opened", reader.isDone());
            new java.io.FileOutputStream(fifo.toFile()).close(); // let the reader go
            reader.get(10, TimeUnit.SECONDS);
            assertEquals(c.getKey() + ": nothing of it ran", before, ticks(out).size());
        }

        // whole and intact, with the PWNED pages but no FIFO: it restarts, and the file that is there is not written
        Path intact = t.workDir.resolve("intact.dmtcp");
        Files.write(intact, craft(image, victim, null, t.workDir));
        int before = ticks(out).size();
        run.restart("intact", intact.toString());
        Tools.waitFor("the restored program to tick", 30, () -> ticks(out).size() > before + 3);
        oneCopy(out, before);
        assertArrayEquals("the victim file is unchanged", original, Files.readAllBytes(victim));
        assertEquals(mtime, Files.getLastModifiedTime(victim));
        run.kill();
    }

    // ---------------------------------------------------------------- older images

    /**
     * An image as the code of b1c2651 wrote it (format version 1: no header, gzip known by its
     * magic; a process description without schema version), raw and then gzip: dmtcp_inspect
     * reads it, dmtcp_restart restarts it, the program goes on from the checkpoint; then it is
     * checkpointed again, into a version 2 image, and restarted from that.
     */
    @Test
    public void imagesOfBeforeTheCodecHeaderAndTheSchemaRestart() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path prog = t.compile("ticker");
        Path out = t.workDir.resolve("ticks");
        Run run = new Run(t, out, prog.toString(), out.toString());
        int at = run.checkpoint();
        run.kill();
        Path image = run.image("ticker");
        Path taken = t.workDir.resolve("taken.dmtcp.copy");
        Files.copy(image, taken);
        for (boolean gz : new boolean[] {false, true}) {
            dmtcp.image.format.Version1Images.convert(taken, image, gz, Map.of("gzip", JdkGzip.INSTANCE), p -> {
                p.remove("schema");
                return p;
            });
            assertContains(t.run("dmtcp_inspect", image.toString()).ok().out(),
                    "  format     DMTCP-JVM-IMAGE 1 (process schema 0), codec " + (gz ? "gzip" : "none") + ", ");
            int before = ticks(out).size();
            run.restart("restart-" + (gz ? "gzip" : "raw"), image.toString());
            Tools.waitFor("the program restored from a version 1 image to tick", 30, () -> ticks(out).size() > before + 3);
            assertTrue("goes on from the checkpoint: " + ticks(out).get(before), tickOf(ticks(out).get(before)) >= at);
            oneCopy(out, before);
        }
        run.checkpoint();
        run.kill();
        assertContains(t.run("dmtcp_inspect", image.toString()).ok().out(), "  format     DMTCP-JVM-IMAGE 2 (process schema 1), codec gzip, ");
        int before = ticks(out).size();
        run.restart("restart-v2", image.toString());
        Tools.waitFor("the restored program to tick", 30, () -> ticks(out).size() > before + 3);
        oneCopy(out, before);
        run.kill();
    }

    // ---------------------------------------------------------------- owners

    /**
     * An image of another user, or in a folder other users may write, is refused naming it
     * and its owner or folder (a restarted image runs as the restarting user); with
     * --allow-foreign-images it restarts, with a one-line warning.
     */
    @Test
    public void anotherUsersImageIsRefusedUnlessAllowed() throws Exception {
        Assume.assumeTrue("root can give an image to another user", "root".equals(System.getProperty("user.name")));
        Assume.assumeTrue("user " + OTHER + " exists (.ci/run creates it)", new ProcessBuilder("id", OTHER).start().waitFor() == 0);
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Run run = ticker(t);
        Path out = run.out;
        run.kill();
        Path image = run.image("ticker");

        Path open = t.workDir.resolve("open");
        Files.createDirectory(open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path planted = open.resolve(image.getFileName());
        Files.copy(image, planted);
        Tools.Result inOpen = t.run("dmtcp_restart", "--new-coordinator", planted.toString());
        assertEquals(inOpen.err(), 1, inOpen.exit());
        assertContains(inOpen.err(), planted + " lies in " + open + ", which other users may write and which has no sticky bit");
        Files.delete(planted);

        int uid = (Integer) Files.getAttribute(image, "unix:uid");
        Files.setOwner(image, image.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OTHER));
        int other = (Integer) Files.getAttribute(image, "unix:uid");
        assertTrue(uid != other);
        Tools.Result refused = t.run("dmtcp_restart", "-p", run.port, "--join", image.toString());
        assertEquals(refused.err(), 1, refused.exit());
        assertEquals("dmtcp_restart: " + image + " belongs to " + OTHER + " (uid " + other + "), not to you: a restarted image runs "
                + "as you, so it is refused (--allow-foreign-images restarts it anyway); nothing was restarted\n", refused.err());

        int before = ticks(out).size();
        run.restart("allowed", "--allow-foreign-images", image.toString());
        Tools.waitFor("the restored program to tick", 30, () -> ticks(out).size() > before + 3);
        assertContains(t.output("allowed", "err"), "dmtcp_restart: warning: " + image + " belongs to " + OTHER + " (uid " + other
                + "), not to you; restarting it as you (--allow-foreign-images)\n");
        oneCopy(out, before);
        run.kill();
        assertContains(t.run("dmtcp_restart", "--help").out(), "--allow-foreign-images");
    }

    // ---------------------------------------------------------------- one live copy

    /**
     * Two dmtcp_restart of one image at once, each with a coordinator of its own: exactly
     * one runs, the other is refused naming the process. Then the restarter that runs is
     * killed (its program runs on): a third restart is still refused, naming the live pid.
     */
    @Test
    public void twoRestartsOfOneProcessRunOneCopy() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Run run = ticker(t);
        Path prog = t.workDir.resolve("ticker");
        Path out = run.out;
        run.kill();
        Path image = run.image("ticker");
        int before = ticks(out).size();
        Process a = t.start("first", "dmtcp_restart", "--new-coordinator", image.toString());
        Process b = t.start("second", "dmtcp_restart", "--new-coordinator", image.toString());
        Tools.waitFor("one restarter to be refused", 60, () -> !a.isAlive() || !b.isAlive());
        Process loser = a.isAlive() ? b : a;
        Process winner = loser == a ? b : a;
        String tag = loser == a ? "first" : "second";
        assertEquals(1, loser.waitFor());
        String err = t.output(tag, "err");
        assertTrue(err, err.matches("(?s).*dmtcp_restart: " + Pattern.quote(image.toString()) + ": process ticker \\(unique id [^)]+\\) "
                + "(already runs as pid \\d+ under|is being restarted by) dmtcp_restart pid " + winner.pid() + "; nothing was restarted\n"));
        Tools.waitFor("the restored program to tick", 30, () -> ticks(out).size() > before + 10);
        oneCopy(out, before);
        assertTrue(winner.isAlive());

        // the restarter dies, its program runs on: still one copy
        winner.destroyForcibly();
        winner.waitFor(20, TimeUnit.SECONDS);
        int n = ticks(out).size();
        Tools.waitFor("the program to run on without its restarter", 20, () -> ticks(out).size() > n + 3);
        Tools.Result third = t.run("dmtcp_restart", "--new-coordinator", image.toString());
        assertEquals(third.err(), 1, third.exit());
        Matcher m = Pattern.compile("process ticker \\(unique id [^)]+\\) already runs as pid (\\d+) \\(its dmtcp_restart, pid "
                + winner.pid() + ", is gone\\); stop it first").matcher(third.err());
        assertTrue(third.err(), m.find());
        int m2 = ticks(out).size();
        Tools.waitFor("ticks", 20, () -> ticks(out).size() > m2 + 3);
        oneCopy(out, before);
        ProcessHandle orphan = ProcessHandle.of(Long.parseLong(m.group(1))).orElseThrow();
        assertEquals(prog.toString(), orphan.info().command().orElse(""));
        orphan.destroyForcibly();
        orphan.onExit().get(20, TimeUnit.SECONDS);
        // gone: its lock goes with it, and the image restarts again
        int o = ticks(out).size();
        run.restart("fourth", image.toString());
        Tools.waitFor("the restored program to tick", 30, () -> ticks(out).size() > o + 3);
        run.kill();
    }

    /**
     * dmtcp_restart ckpt_*.dmtcp with two images of one process (an older one left under
     * another name): the newest is restored and the other named as skipped, never both.
     */
    @Test
    public void ofTwoImagesOfOneProcessTheNewestIsRestored() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Run run = ticker(t);
        Path out = run.out;
        Path image = run.image("ticker");
        Path older = t.workDir.resolve(image.getFileName().toString().replace("ckpt_ticker_", "ckpt_oldname_"));
        Files.copy(image, older);
        run.ticking(10);
        int at = run.checkpoint();
        run.kill();
        int before = ticks(out).size();
        run.restart("restart", older.toString(), image.toString());
        Tools.waitFor("the restored program to tick", 30, () -> ticks(out).size() > before + 5);
        String err = t.output("restart", "err");
        assertContains(err, "dmtcp_restart: skipping " + older + ": " + image + " is a newer image of the same process (unique id ");
        assertTrue("restored from the newer image: tick " + ticks(out).get(before) + ", the newer one holds " + at,
                tickOf(ticks(out).get(before)) >= at);
        oneCopy(out, before);
        run.kill();
    }

    // ---------------------------------------------------------------- executables

    /**
     * A program rebuilt in place since the checkpoint (same inode) is refused by name with
     * both build ids; one only touched restarts.
     */
    @Test
    public void anExecutableRewrittenInPlaceIsRefusedAndOneOnlyTouchedIsNot() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path prog = t.compile("ticker");
        Path rebuilt = t.compile("counter");
        Path out = t.workDir.resolve("ticks");
        Run run = new Run(t, out, prog.toString(), out.toString());
        run.checkpoint();
        run.kill();
        Path image = run.image("ticker");
        Files.setLastModifiedTime(prog, FileTime.fromMillis(System.currentTimeMillis() + 10_000)); // touch
        int before = ticks(out).size();
        run.restart("touched", image.toString());
        Tools.waitFor("the restored program to tick", 30, () -> ticks(out).size() > before + 3);
        oneCopy(out, before);
        run.checkpoint();
        run.kill();

        long inode = (Long) Files.getAttribute(prog, "unix:ino");
        Files.write(prog, Files.readAllBytes(rebuilt), StandardOpenOption.TRUNCATE_EXISTING); // cat counter > ticker
        assertEquals(inode, (long) (Long) Files.getAttribute(prog, "unix:ino"));
        int n = ticks(out).size();
        Tools.Result r = t.run("dmtcp_restart", "-p", run.port, "--join", image.toString());
        assertEquals(r.err(), 1, r.exit());
        assertTrue(r.err(), r.err().matches("(?s).*dmtcp_restart: the executable " + Pattern.quote(prog.toString())
                + " was modified since the checkpoint \\(build id [0-9a-f]{40} then, build id [0-9a-f]{40} now\\).*"));
        assertFalse(r.err(), r.err().contains("\tat "));
        assertEquals("nothing ran", n, ticks(out).size());
    }

    // ---------------------------------------------------------------- errors

    /**
     * What a user sees: a directory or device named as such; a program that does not exist
     * in one line; a restart whose stub cannot exec
     * the program (its ELF loader is gone) in one line; a file an fd needs that is gone,
     * named by its path (not 0x0). No stack traces.
     */
    @Test
    public void errorsSayWhatHappened() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Tools.Result dir = t.run("dmtcp_restart", t.workDir.toString());
        assertEquals(1, dir.exit());
        assertEquals("dmtcp_restart: " + t.workDir + ": is a directory, not an image file\n", dir.err());
        Tools.Result dev = t.run("dmtcp_restart", "/dev/null");
        assertEquals("dmtcp_restart: /dev/null: is a character device, not an image file\n", dev.err());
        Tools.Result nosuch = t.run("dmtcp_checkpoint", "--new-coordinator", "./nosuch");
        assertEquals(127, nosuch.exit());
        assertEquals("dmtcp_checkpoint: cannot run './nosuch': execve(\"./nosuch\") failed: errno 2 (No such file or directory)\n",
                nosuch.err());

        // a program holding a file open, whose ELF loader is a copy the test can take away
        Path src = t.workDir.resolve("holder.c");
        try (var in = Tools.class.getResourceAsStream("/e2e/holder.c")) {
            Files.copy(in, src);
        }
        Path loader = t.workDir.resolve("ld.so");
        Files.copy(Path.of("/lib64/ld-linux-x86-64.so.2"), loader);
        Files.setPosixFilePermissions(loader, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path prog = t.workDir.resolve("holder");
        assertEquals(0, new ProcessBuilder("gcc", "-O1", "-o", prog.toString(), src.toString(), "-Wl,--dynamic-linker=" + loader)
                .inheritIO().start().waitFor());
        Path held = t.workDir.resolve("held file");
        Files.writeString(held, "data");
        Path out = t.workDir.resolve("ticks");
        Run run = new Run(t, out, prog.toString(), held.toString(), out.toString());
        run.checkpoint();
        run.kill();
        Path image = run.image("holder");

        // the file fd 3 needs is gone: named, not 0x0
        Files.delete(held);
        Tools.Result gone = t.run("dmtcp_restart", "-p", run.port, "--join", image.toString());
        assertEquals(gone.err(), 1, gone.exit());
        assertContains(gone.err(), "dmtcp_restart: restore of fd 3 (file " + held + "): openat(0xffffffffffffff9c, \"" + held + "\"");
        assertContains(gone.err(), "errno 2 (No such file or directory)");
        assertFalse(gone.err(), gone.err().contains("openat(0xffffffffffffff9c, 0x0"));

        // the loader is gone: the stub cannot exec the program
        Files.writeString(held, "data");
        Files.delete(loader);
        Tools.Result stub = t.run("dmtcp_restart", "-p", run.port, "--join", image.toString());
        assertEquals(stub.err(), 1, stub.exit());
        assertContains(stub.err(), "dmtcp_restart: cannot exec " + prog + " to restore it: not found: the file, or the ELF loader"
                + " or #! interpreter it names, is missing\n");
        for (Tools.Result r : List.of(dir, dev, nosuch, gone, stub)) {
            assertFalse(r.err(), r.err().contains("\tat ") || r.err().contains("Exception"));
        }
    }

    /**
     * A corrupt gzip member deep in an image (beyond what the parallel reader has in flight
     * when the head is read): the restart names the image (the reader's plain IOException
     * escaped without it).
     */
    @Test
    public void aCorruptGzipMemberNamesTheImage() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Run run = ticker(t);
        Path out = run.out;
        run.kill();
        byte[] all = Files.readAllBytes(run.image("ticker"));
        Path corrupt = t.workDir.resolve("corrupt.dmtcp");
        for (int i = all.length * 9 / 10; i < all.length * 9 / 10 + 64; i++) {
            all[i] ^= 0x55;
        }
        Files.write(corrupt, all);
        int before = ticks(out).size();
        Tools.Result gz = t.run("dmtcp_restart", "-p", run.port, "--join", corrupt.toString());
        assertEquals(gz.err(), 1, gz.exit());
        assertTrue(gz.err(), gz.err().matches("(?s).*\ndmtcp_restart: " + Pattern.quote(corrupt.toString())
                + ": the gzip stream is corrupt at or after byte \\d+ of the image \\(corrupt gzip member.*\\)\n"));
        assertFalse(gz.err(), gz.err().contains("\tat "));
        assertEquals("nothing ran", before, ticks(out).size());
    }

    // ---------------------------------------------------------------- JVM programs

    @Test
    public void aJavaProgramRestartsAfterAnotherJvmDeletedItsPerfDataFile() throws Exception {
        java(new Tools(null, tmp.getRoot().toPath()), System.getProperty("user.name"));
    }

    @Test
    public void theSameAsAnOrdinaryUser() throws Exception {
        Assume.assumeTrue("root".equals(System.getProperty("user.name")));
        Assume.assumeTrue(new ProcessBuilder("id", CommandLineIT.USER).start().waitFor() == 0);
        Path dir = tmp.newFolder("user").toPath();
        Files.setPosixFilePermissions(tmp.getRoot().toPath(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Tools.sharedLikeTmp(dir);
        Tools t = new Tools(CommandLineIT.USER, dir);
        Assume.assumeTrue("the JVM runs as " + CommandLineIT.USER, new ProcessBuilder("runuser", "-u", CommandLineIT.USER, "--",
                "java", "-version").start().waitFor() == 0);
        java(t, CommandLineIT.USER);
    }

    /**
     * A java program (Tick.java, compiled now) under dmtcp_checkpoint: checkpoint, kill,
     * {@code java -version} (which deletes the stale /tmp/hsperfdata_USER/PID the killed JVM
     * had mapped MAP_SHARED), restart: it goes on with its data intact; checkpoint, kill and
     * restart it again.
     */
    private void java(Tools t, String user) throws Exception {
        Path src = t.workDir.resolve("Tick.java");
        try (var in = Tools.class.getResourceAsStream("/e2e/Tick.java")) {
            Files.copy(in, src);
        }
        assertEquals(0, new ProcessBuilder("javac", "-d", t.workDir.toString(), src.toString()).inheritIO().start().waitFor());
        Path out = t.workDir.resolve("ticks");
        Run run = new Run(t, out, "java", "-cp", t.workDir.toString(), "Tick", out.toString());
        for (int cycle = 1; cycle <= 2; cycle++) {
            run.checkpoint();
            Matcher pid = Pattern.compile("java\\[(\\d+)\\]").matcher(t.run("dmtcp_command", "-p", run.port, "-l").out());
            assertTrue(pid.find());
            Path perf = Path.of("/tmp/hsperfdata_" + user, pid.group(1));
            if (cycle == 1) {
                assertTrue(perf + " is the JVM's perf-data file", Files.exists(perf));
            }
            run.kill();
            List<String> version = new ArrayList<>(user.equals(System.getProperty("user.name")) ? List.of()
                    : List.of("runuser", "-u", user, "--"));
            version.addAll(List.of("java", "-version"));
            assertEquals(0, new ProcessBuilder(version).redirectErrorStream(true).redirectOutput(t.workDir.resolve("version").toFile())
                    .start().waitFor());
            assertFalse("java -version deleted " + perf, Files.exists(perf));
            int before = ticks(out).size();
            run.restart("restart-" + cycle, run.image("java").toString());
            Tools.waitFor("the restored JVM to tick", 60, () -> ticks(out).size() > before + 10);
            oneCopy(out, before);
            assertTrue(ticks(out).get(before).endsWith(" ok"));
        }
        run.checkpoint();
        run.kill();
    }
}
