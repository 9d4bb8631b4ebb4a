package dmtcp.runtime.e2e;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The class-data sharing archive the build writes beside dmtcp.jar (runtime/make-cds.sh) is
 * what the tools' classes come from, for the ordinary user too; and the scripts hand the
 * JVM an archive only where no other user can have written it (the JVM would take a crafted
 * archive's classes as its own).
 */
public class ClassSharingIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    /** The JVM's class-loading log of {@code dmtcp_command --help} run from {@code home}'s bin/. */
    private static String classLog(Tools t, Path home, String... env) throws Exception {
        Path log = t.workDir.resolve("classes-" + System.nanoTime() + ".log");
        List<String> cmd = new java.util.ArrayList<>();
        if (t.user != null) {
            cmd.addAll(List.of("runuser", "-u", t.user, "--"));
        }
        cmd.addAll(List.of(home.resolve("bin/dmtcp_command").toString(), "--help"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(t.workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("DMTCP_JAVA_OPTS", "-Xlog:class+load=info,cds=info:file=" + log);
        for (int i = 0; i < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        assertTrue(pb.start().waitFor() == 0);
        return Files.readString(log);
    }

    @Test
    public void theToolsClassesComeFromTheArchiveTheBuildWrote() throws Exception {
        Path archive = Tools.HOME.resolve("runtime/target/dmtcp.jsa");
        assertTrue("the build wrote " + archive, Files.isRegularFile(archive));
        Path dir = tmp.getRoot().toPath();
        Tools.sharedLikeTmp(dir);
        for (String user : ROOT ? new String[] {null, "dmtcptest"} : new String[] {null}) {
            String log = classLog(new Tools(user, dir), Tools.HOME);
            Tools.assertContains(log, "dmtcp.runtime.Main source: shared objects file");
            Tools.assertContains(log, "dmtcp.runtime.CommandCli source: shared objects file");
        }
        String off = classLog(new Tools(null, dir), Tools.HOME, "DMTCP_CDS", "0");
        assertFalse("DMTCP_CDS=0 leaves the archive out", off.contains("trying to map " + archive));
    }

    /** A copy of the installation (bin/, the jar and its archive), where the archive's rights can be changed. */
    private Path copyOfTheInstallation() throws Exception {
        Path home = tmp.newFolder("install").toPath();
        Files.createDirectories(home.resolve("bin"));
        try (Stream<Path> s = Files.list(Tools.HOME.resolve("bin"))) {
            for (Path f : s.toList()) {
                Files.copy(f, home.resolve("bin").resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        Path target = Files.createDirectories(home.resolve("runtime/target"));
        for (String f : new String[] {"dmtcp.jar", "dmtcp.jsa"}) {
            Files.copy(Tools.HOME.resolve("runtime/target").resolve(f), target.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
        }
        return home;
    }

    private static boolean offered(Tools t, Path home) throws Exception {
        return classLog(t, home).contains("trying to map " + home.resolve("runtime/target/dmtcp.jsa"));
    }

    @Test
    public void anArchiveAnotherUserCouldHaveWrittenIsLeftOut() throws Exception {
        Path home = copyOfTheInstallation();
        Path archive = home.resolve("runtime/target/dmtcp.jsa");
        Tools t = new Tools(null, tmp.newFolder("work").toPath());
        assertTrue("the copy's own archive is offered to the JVM", offered(t, home));

        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-rw-r--"));
        assertFalse("a group-writable archive", offered(t, home));
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("r--r--r--"));

        Path folder = archive.getParent();
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertFalse("an archive in a folder every user can write", offered(t, home));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path real = folder.resolve("real.jsa");
        Files.move(archive, real);
        Files.createSymbolicLink(archive, real);
        assertFalse("an archive that is a symbolic link", offered(t, home));
        Files.delete(archive);
        Files.move(real, archive);
        assertTrue(offered(t, home));

        Assume.assumeTrue("changing the owner needs root", ROOT);
        new ProcessBuilder("chown", "dmtcpother", archive.toString()).inheritIO().start().waitFor();
        assertFalse("an archive another user owns", offered(t, home));
    }
}
