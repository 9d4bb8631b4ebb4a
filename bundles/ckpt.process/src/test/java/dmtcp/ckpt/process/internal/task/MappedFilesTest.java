package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.MappedFile;
import dmtcp.mem.linux.api.Maps;
import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.Mman;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The identity of executables and libraries: build ids as readelf reads them, SHA-256 for
 * files without one, and the restart's verdict on a file rewritten in place (refused, naming
 * both identities) or only touched (accepted).
 */
public class MappedFilesTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(String.join(" ", cmd) + ": " + out, 0, p.waitFor());
        return out;
    }

    private Path compile(String name, String body, String... flags) throws Exception {
        Path src = tmp.getRoot().toPath().resolve(name + ".c");
        Files.writeString(src, "int main(void) { " + body + " }\n");
        Path exe = tmp.getRoot().toPath().resolve(name);
        List<String> cmd = new java.util.ArrayList<>(List.of("gcc", "-O1", "-o", exe.toString(), src.toString()));
        cmd.addAll(List.of(flags));
        run(cmd.toArray(new String[0]));
        return exe;
    }

    @Test
    public void readsTheBuildIdReadelfReads() throws Exception {
        for (Path p : List.of(Path.of("/bin/ls"), compile("a", "return 1;", "-Wl,--build-id=sha1"))) {
            String readelf = run("readelf", "-n", p.toString());
            String want = readelf.substring(readelf.indexOf("Build ID: ") + 10).trim().split("\\s")[0];
            assertEquals(p.toString(), want, MappedFiles.buildId(p));
        }
    }

    @Test
    public void aFileWithoutBuildIdIsIdentifiedByItsSha256() throws Exception {
        Path p = compile("nobuildid", "return 2;", "-Wl,--build-id=none");
        assertNull(MappedFiles.buildId(p));
        MappedFile f = MappedFiles.identify(p);
        assertNull(f.buildId());
        assertEquals(run("sha256sum", p.toString()).split(" ")[0], f.sha256());
        Path text = tmp.newFile("script").toPath();
        Files.writeString(text, "#!/bin/sh\n");
        assertNull("not ELF", MappedFiles.buildId(text));
    }

    @Test
    public void aFileRewrittenInPlaceIsRefusedAndOneOnlyTouchedIsNot() throws Exception {
        for (String buildId : List.of("-Wl,--build-id=sha1", "-Wl,--build-id=none")) {
            Path prog = compile("prog", "return 1;", buildId);
            Path other = compile("other", "return 2;", buildId);
            long ino = (Long) Files.getAttribute(prog, "unix:ino");
            MemoryRegion text = new MemoryRegion(0x400000, 0x401000, Mman.PROT_READ | Mman.PROT_EXEC, false, 0, 0, 0, ino,
                    prog.toString(), List.of());
            List<MappedFile> then = MappedFiles.identify(prog.toString(), List.of(text));
            assertEquals(1, then.size());

            Files.setLastModifiedTime(prog, FileTime.fromMillis(System.currentTimeMillis() + 5000));
            MappedFiles.verify(prog.toString(), then); // touched only: the same program

            Files.write(prog, Files.readAllBytes(other), StandardOpenOption.TRUNCATE_EXISTING); // cat other > prog
            assertEquals("same inode", ino, (long) (Long) Files.getAttribute(prog, "unix:ino"));
            try {
                MappedFiles.verify(prog.toString(), then);
                fail("a program rewritten in place was accepted");
            } catch (IllegalStateException e) {
                String m = e.getMessage();
                assertTrue(m, m.startsWith("the executable " + prog + " was modified since the checkpoint ("
                        + then.get(0).identity() + " then, "));
                MappedFile now = MappedFiles.identify(prog);
                assertTrue(m, m.contains(now.identity() + " now)"));
            }
            // a library is named as one
            try {
                MappedFiles.verify("/bin/true", then);
                fail();
            } catch (IllegalStateException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("the library " + prog));
            }
            Files.delete(prog);
            MappedFiles.verify(prog.toString(), then); // gone: the mapping itself names it
        }
    }

    @Test
    public void identifiesTheExecutableAndExecutableMappingsOnly() throws Exception {
        List<MemoryRegion> maps = Maps.read((int) ProcessHandle.current().pid());
        String exe = Files.readSymbolicLink(Path.of("/proc/self/exe")).toString();
        List<MappedFile> files = MappedFiles.identify(exe, maps);
        assertTrue(files.stream().anyMatch(f -> f.path().equals(exe) && f.buildId() != null));
        assertTrue(files.stream().anyMatch(f -> f.path().contains("libjvm.so")));
        assertTrue("no data-only file", files.stream().noneMatch(f -> f.path().endsWith("/lib/modules")));
        for (MappedFile f : files) {
            assertNotNull(f.identity(), f.buildId() != null ? f.buildId() : f.sha256());
        }
    }
}
