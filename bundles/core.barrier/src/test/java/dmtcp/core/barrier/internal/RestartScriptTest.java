package dmtcp.core.barrier.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dmtcp.core.barrier.api.RoundResult;
import dmtcp.core.barrier.protocol.UserKey;
import dmtcp.core.barrier.spi.StageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * When the restart script is written (once every image is, under a temporary name; in
 * place when the round ends well), what a failure to write it does (the round fails, the
 * previous checkpoint stays), and which image paths it may name.
 */
public class RestartScriptTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Harness h;

    @After
    public void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    private Path images() throws Exception {
        Path d = tmp.getRoot().toPath().resolve("images");
        Files.createDirectories(d);
        return d;
    }

    /** A participant whose hook writes one image to {@code target} (under target.tmp) with {@code content}. */
    private void writer(String name, Path target, String content) throws Exception {
        h.join(name, new Harness.Recorder(name, new ArrayList<>()) {
            @Override
            public void checkpoint(StageContext ctx) throws Exception {
                Path t = target.resolveSibling(target.getFileName() + ".tmp");
                Files.writeString(t, content);
                ctx.addImage(t, target);
            }
        });
    }

    private RoundResult round() throws Exception {
        return h.server.checkpoint().get(30, TimeUnit.SECONDS);
    }

    @Test
    public void theScriptIsPreparedOnceEveryImageIsWrittenAndPutInPlaceWhenTheRoundEnds() throws Exception {
        Path dir = images();
        h = new Harness(dir, 20_000, 0);
        Path script = dir.resolve(RestartScript.NAME);
        List<String> seen = new ArrayList<>();
        writer("w", dir.resolve("ckpt_w_1.dmtcp"), "image");
        h.join("observer", new Harness.Recorder("o", new ArrayList<>()) {
            @Override
            public void refill(StageContext ctx) throws Exception {
                // REFILLED: the images are committed; the script is written but not yet in place
                try (var s = Files.list(dir)) {
                    seen.add(s.map(p -> p.getFileName().toString())
                            .filter(n -> n.startsWith("." + RestartScript.NAME) && n.endsWith(".tmp")).count() + " prepared");
                }
                seen.add(Files.exists(script) ? "in place" : "not in place");
            }
        });
        RoundResult r = round();
        assertTrue(r.message(), r.ok());
        assertEquals(List.of("1 prepared", "not in place"), seen);
        assertTrue(Files.readString(script).contains("'" + dir.resolve("ckpt_w_1.dmtcp") + "'"));
        try (var s = Files.list(dir)) {
            assertEquals("no temporary script left", 0, s.filter(p -> p.toString().endsWith(".tmp")).count());
        }
    }

    @Test
    public void aScriptThatCannotBeWrittenFailsTheRoundAndThePreviousImagesStay() throws Exception {
        // the coordinator's checkpoint directory lies under a regular file (root ignores modes:
        // this fails for every user); the launcher writes its images elsewhere
        Path file = Files.writeString(tmp.getRoot().toPath().resolve("a-file"), "not a directory");
        Path unwritable = file.resolve("ckpt");
        Path dir = images();
        h = new Harness(dir, unwritable, 20_000, 0);
        Path image = dir.resolve("ckpt_w_1.dmtcp");
        Files.writeString(image, "previous good image");
        writer("w", image, "new image");
        RoundResult r = round();
        assertFalse(r.message(), r.ok());
        assertTrue(r.message(), r.message().contains("checkpoint round 1 aborted: cannot write the restart script in "
                + unwritable + ": Not a directory"));
        ProtocolLimitsTest.waitFor("the temporary image to be deleted", () -> !Files.exists(image.resolveSibling(
                image.getFileName() + ".tmp")));
        assertEquals("previous good image", Files.readString(image));
        assertTrue(h.log.stream().anyMatch(l -> l.startsWith("WARN checkpoint round 1 aborted: cannot write the restart script")
                && l.endsWith("the previous checkpoint stays valid")));
    }

    @Test
    public void theScriptQuotesEveryPathSoTheShellPassesItAsIs() throws Exception {
        Path weird = tmp.getRoot().toPath().resolve("it's a \"dir\" with $HOME and `date` and \\ and spaces  ");
        Files.createDirectories(weird);
        Path stub = tmp.getRoot().toPath().resolve("print args");
        Files.writeString(stub, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));
        List<String> images = List.of(weird.resolve("ckpt_a_1.dmtcp").toString(), weird.resolve("ckpt_$(id)_2.dmtcp").toString());
        Path script = Files.writeString(tmp.getRoot().toPath().resolve("script.sh"),
                RestartScript.text(stub.toString(), "host'name", 4711, images));
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "--extra");
        pb.environment().remove("DMTCP_HOST");
        pb.environment().remove("DMTCP_PORT");
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        List<String> expected = new ArrayList<>(List.of("--host", "host'name", "--port", "4711", "--extra"));
        expected.addAll(images);
        assertEquals(expected, out.lines().toList());
    }

    // ------------------------------------------------------------------ image paths

    /** A round whose one participant reports {@code target} (after writing {@code written}); its failure message. */
    private String refused(String target, Path written) throws Exception {
        Path dir = images();
        h = new Harness(dir, 20_000, 0);
        h.join("liar", new Harness.Recorder("liar", new ArrayList<>()) {
            @Override
            public void checkpoint(StageContext ctx) throws Exception {
                Path t = Files.writeString(dir.resolve("ckpt_liar.tmp"), "image");
                ctx.addImage(t, written != null ? written : Path.of(target));
            }
        });
        RoundResult r = round();
        assertFalse(r.message(), r.ok());
        assertFalse("no script names it", Files.exists(dir.resolve(RestartScript.NAME)));
        return r.message();
    }

    @Test
    public void aRelativePathIsRefusedNamingTheParticipant() throws Exception {
        String m = refused("ckpt_a_1.dmtcp", null);
        assertTrue(m, m.contains("participant 1 (liar@testhost) reported an image the coordinator does not accept:"
                + " 'ckpt_a_1.dmtcp': it is not absolute"));
    }

    @Test
    public void aPathWithDotDotIsRefused() throws Exception {
        String m = refused(images() + "/../images/ckpt_a_1.dmtcp", null);
        assertTrue(m, m.contains("it is not normalized"));
    }

    @Test
    public void aFileNotNamedLikeAnImageIsRefused() throws Exception {
        String m = refused(images().resolve(".bashrc").toString(), null);
        assertTrue(m, m.contains("'" + images().resolve(".bashrc") + "': its file name is not ckpt_*.dmtcp"));
    }

    @Test
    public void aControlCharacterIsRefused() throws Exception {
        String m = refused(images().resolve("ckpt_a\n; rm -rf ~ #.dmtcp").toString(), null);
        assertTrue(m, m.contains("ckpt_a?; rm -rf ~ #.dmtcp': it holds a control character"));
    }

    @Test
    public void aSymbolicLinkInPlaceOfTheImageIsRefused() throws Exception {
        // the participant's commit renames its temporary file onto the target; a link made
        // after that (by a hook of REFILLED here) is what the check after the commit sees
        Path dir = images();
        h = new Harness(dir, 20_000, 0);
        Path target = dir.resolve("ckpt_l_1.dmtcp");
        h.join("linker", new Harness.Recorder("l", new ArrayList<>()) {
            @Override
            public void checkpoint(StageContext ctx) throws Exception {
                ctx.addImage(Files.writeString(dir.resolve("t.tmp"), "image"), target);
            }

            @Override
            public void refill(StageContext ctx) throws Exception {
                Files.move(target, dir.resolve("elsewhere"));
                Files.createSymbolicLink(target, Path.of("/etc/passwd"));
            }
        });
        RoundResult r = round();
        assertFalse(r.ok());
        assertTrue(r.message(), r.message().contains("participant 1 (linker@testhost) committed an image the restart script"
                + " will not name: '" + target + "': it is not a regular file after the commit"));
        assertFalse(Files.exists(dir.resolve(RestartScript.NAME)));
    }

    @Test
    public void anImageOwnedByAnotherUserIsRefused() throws Exception {
        Assume.assumeTrue("needs root to give a file away", UserKey.currentUid() == 0);
        Path dir = images();
        h = new Harness(dir, 20_000, 0);
        Path target = dir.resolve("ckpt_o_1.dmtcp");
        h.join("giver", new Harness.Recorder("g", new ArrayList<>()) {
            @Override
            public void checkpoint(StageContext ctx) throws Exception {
                Path t = Files.writeString(dir.resolve("t.tmp"), "image");
                Files.setAttribute(t, "unix:uid", 4242);
                ctx.addImage(t, target);
            }
        });
        RoundResult r = round();
        assertFalse(r.ok());
        assertTrue(r.message(), r.message().contains("'" + target + "': it belongs to uid 4242, not to the coordinator's user (uid 0)"));
    }

    @Test
    public void twoParticipantsReportingTheSameImageAreRefused() throws Exception {
        Path dir = images();
        h = new Harness(dir, 20_000, 0);
        Path target = dir.resolve("ckpt_same_1.dmtcp");
        for (String n : List.of("a", "b")) {
            h.join(n, new Harness.Recorder(n, new ArrayList<>()) {
                @Override
                public void checkpoint(StageContext ctx) throws Exception {
                    ctx.addImage(Files.writeString(dir.resolve(n + ".tmp"), n), target);
                }
            });
        }
        RoundResult r = round();
        assertFalse(r.ok());
        assertTrue(r.message(), r.message().matches(".*participant \\d \\(.@testhost\\) reported an image the coordinator"
                + " does not accept: '" + target + "': it is also participant \\d \\(.@testhost\\)'s.*"));
    }
}
