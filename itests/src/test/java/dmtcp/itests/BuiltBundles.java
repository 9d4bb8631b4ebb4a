package dmtcp.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;

import java.io.File;
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

    /** Declarative Services (Felix SCR) and Configuration Admin, with the OSGi libraries they need. */
    static Option declarativeServices() {
        return composite(bundle(jar("function")), bundle(jar("promise")), bundle(jar("component")), bundle(jar("scr")),
                bundle(jar("configadmin")));
    }
}
