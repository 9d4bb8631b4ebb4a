package dmtcp.runtime;

import java.nio.file.Path;

/** DMTCP's environment variables and the places derived from them. */
final class Env {
    private Env() {}

    static String get(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    /** --tmpdir, else DMTCP_TMPDIR, else TMPDIR, else /tmp. */
    static Path tmpDir() {
        String forced = System.getProperty("dmtcp.tmpdir");
        return Path.of(forced != null ? forced : get("DMTCP_TMPDIR", get("TMPDIR", "/tmp")));
    }

    static String user() {
        return get("USER", System.getProperty("user.name", "user"));
    }

    /** The installation: the folder holding bin/ (set by the bin scripts), else the working directory. */
    static Path home() {
        String h = System.getProperty("dmtcp.home");
        return Path.of(h == null ? "." : h).toAbsolutePath().normalize();
    }

    /** DMTCP_PLUGIN_DIR, else plugins/ in the installation. */
    static Path pluginDir() {
        String d = System.getenv("DMTCP_PLUGIN_DIR");
        return d == null || d.isEmpty() ? home().resolve("plugins") : Path.of(d).toAbsolutePath();
    }

    /** The dmtcp.jar this JVM runs from. */
    static Path jar() {
        try {
            return Path.of(Env.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The java executable running this JVM. */
    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
