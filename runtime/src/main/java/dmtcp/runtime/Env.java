package dmtcp.runtime;

import java.nio.file.Path;

/** DMTCP's environment variables and the places derived from them. */
final class Env {
    private Env() {}

    static String get(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    /** --tmpdir, else DMTCP_TMPDIR, else null (then the private folder is the user's own, see {@link PrivateDir}). */
    static Path tmpDir() {
        String forced = System.getProperty("dmtcp.tmpdir");
        String v = forced != null ? forced : get("DMTCP_TMPDIR", null);
        return v == null ? null : Path.of(v);
    }

    private static Path runtimeDir;
    private static Path runtimeDirFor;

    /**
     * The user's private folder ({@link PrivateDir}) for this environment, checked once per
     * JVM (again if --tmpdir changed it); also published as the system property
     * {@code dmtcp.runtimeDir} for the bundles.
     *
     * @throws IllegalStateException when the folder is missing and cannot be made, or is not private
     */
    static synchronized Path runtimeDir() {
        Path want = tmpDir();
        if (runtimeDir == null || !java.util.Objects.equals(want, runtimeDirFor)) {
            runtimeDir = PrivateDir.of(want, System.getenv());
            runtimeDirFor = want;
            System.setProperty("dmtcp.runtimeDir", runtimeDir.toString());
        }
        return runtimeDir;
    }

    /** The user name of the passwd entry of this process's user (not $USER, which su and runuser may keep). */
    static String user() {
        return System.getProperty("user.name", "user");
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
