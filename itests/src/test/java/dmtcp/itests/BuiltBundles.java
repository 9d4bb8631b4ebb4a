package dmtcp.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ops4j.pax.exam.Option;

/** The bundle files the build passes to the integration tests (system properties itest.bundle.NAME, set by Failsafe). */
final class BuiltBundles {
    private BuiltBundles() {}

    /** The file URL of bundle {@code name}. */
    static String jar(String name) {
        String path = System.getProperty("itest.bundle." + name);
        if (path == null || path.isEmpty() || path.startsWith("${")) {
            throw new IllegalStateException("system property itest.bundle." + name
                    + " is not set: run the test through Maven (mvn verify), which passes the bundle files");
        }
        return new File(path).toURI().toString();
    }

    /**
     * What every DMTCP framework of these tests sets: Pax Exam's own logging quiet, JNA
     * unpacking into {@code workDir/jna} (not ~/.cache/JNA), {@code itest.workdir} for the
     * probe, and DMTCP's log at info.
     */
    static Option common(Path workDir) throws IOException {
        Path dir = workDir.toAbsolutePath();
        Files.createDirectories(dir.resolve("jna"));
        return composite(
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                systemProperty("jna.tmpdir").value(dir.resolve("jna").toString()),
                systemProperty("itest.workdir").value(dir.toString()),
                frameworkProperty("dmtcp.logLevel").value("info"));
    }

    /** Declarative Services (Felix SCR) and Configuration Admin, with the OSGi libraries they need. */
    static Option declarativeServices() {
        return composite(bundle(jar("function")), bundle(jar("promise")), bundle(jar("component")), bundle(jar("scr")),
                bundle(jar("configadmin")));
    }
}
