package dmtcp.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The run bundles of the installation: {@code bundles/} beside dmtcp.jar, listed in the
 * resolver's order in {@code bundles/index.txt} (written by the build,
 * runtime/embed-bundles.sh). They are loaded where they are, so they are exactly what was
 * installed. Before anything is loaded, the folder, the index and every bundle must be
 * owned by root or this user and writable by nobody else (group write is accepted for
 * this user's own group only), and so must every folder above them, unless it has the
 * sticky bit: a bundle another user can replace would run as whoever starts a command.
 */
final class InstalledBundles {
    private InstalledBundles() {}

    static List<Path> list() throws IOException {
        Path dir = Env.jar().getParent().resolve("bundles");
        Path index = dir.resolve("index.txt");
        if (!Files.isRegularFile(index)) {
            throw new IOException("the installation has no " + index + ": a broken build or installation");
        }
        trusted(index.toRealPath());
        for (Path p = index.toRealPath().getParent(); p != null; p = p.getParent()) {
            trustedFolder(p);
        }
        List<Path> out = new ArrayList<>();
        for (String name : Files.readAllLines(index)) {
            if (name.isBlank()) {
                continue;
            }
            if (name.contains("/") || name.startsWith(".")) {
                throw new IOException(index + " names '" + name + "', which is not a bundle file of that folder");
            }
            Path b = dir.resolve(name);
            if (!Files.isRegularFile(b)) {
                throw new IOException("the installation lacks " + b + " (listed in " + index + ")");
            }
            Path real = b.toRealPath();
            trusted(real);
            if (!real.getParent().equals(index.toRealPath().getParent())) {
                for (Path p = real.getParent(); p != null; p = p.getParent()) {
                    trustedFolder(p);
                }
            }
            out.add(real);
        }
        return out;
    }

    /** A file or folder that only root or this user (and this user's own group) can change. */
    private static void trusted(Path p) throws IOException {
        String why = untrusted(p, false);
        if (why != null) {
            throw new IOException("refusing to load " + p + ": it " + why);
        }
    }

    private static void trustedFolder(Path p) throws IOException {
        String why = untrusted(p, true);
        if (why != null) {
            throw new IOException("refusing to load the bundles in " + p + ": it " + why);
        }
    }

    private static String untrusted(Path p, boolean stickyOk) {
        int owner = PrivateDir.attr(p, "unix:uid");
        int group = PrivateDir.attr(p, "unix:gid");
        int mode = PrivateDir.attr(p, "unix:mode");
        if (owner != 0 && owner != PrivateDir.uid()) {
            return "belongs to uid " + owner + ", neither root nor this user";
        }
        boolean sticky = stickyOk && (mode & 01000) != 0;
        if ((mode & 002) != 0 && !sticky) {
            return "is writable by every user (mode 0" + Integer.toOctalString(mode & 07777) + ")";
        }
        if ((mode & 020) != 0 && group != PrivateDir.gid() && !sticky) {
            return "is writable by group " + group + " (mode 0" + Integer.toOctalString(mode & 07777) + ")";
        }
        return null;
    }
}
