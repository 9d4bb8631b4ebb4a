package dmtcp.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The user's private folder for what the commands keep while they run and between runs
 * (framework storage, coordinator logs, restart locks): a folder only this user can write,
 * checked before anything is put into or read from it, because a folder another user can
 * write lets that user plant files (code, locks, logs) that we would trust.
 *
 * <p>Where: {@code --tmpdir DIR} or {@code DMTCP_TMPDIR}: {@code DIR/dmtcp-<user>}; else
 * {@code $XDG_RUNTIME_DIR/dmtcp} (a per-user tmpfs the system made 0700); else
 * {@code $XDG_CACHE_HOME/dmtcp} or {@code ~/.cache/dmtcp}, ~ being the home of the
 * passwd entry of the real user (not $HOME, which sudo and runuser may keep).
 *
 * <p>The checks, as OpenSSH makes them for ~/.ssh: the folder is a real directory (not a
 * symbolic link) owned by this user and not writable by anyone else (a looser read mode
 * is tightened to 0700); every folder above it is owned by root or this user and is not
 * writable by others unless it has the sticky bit (as /tmp has), so nobody else can
 * rename it away and put their own in its place. Anything else is refused with a message
 * saying which folder and why.
 */
final class PrivateDir {
    private PrivateDir() {}

    private static final Path SELF = Path.of("/proc", Long.toString(ProcessHandle.current().pid()));

    /** The effective uid of this process: the owner of its /proc/PID folder (no JNA here). */
    static int uid() {
        return attr(SELF, "unix:uid");
    }

    /** The effective gid of this process. */
    static int gid() {
        return attr(SELF, "unix:gid");
    }

    /**
     * The folder the rules above choose for this environment, created (0700) when missing
     * and checked.
     *
     * @param tmpDir --tmpdir or DMTCP_TMPDIR, or null
     * @throws IllegalStateException naming the folder and what is wrong with it
     */
    static Path of(Path tmpDir, Map<String, String> env) {
        Path dir;
        String why;
        if (tmpDir != null) {
            dir = tmpDir.toAbsolutePath().normalize().resolve("dmtcp-" + Env.user());
            why = "DMTCP_TMPDIR";
        } else if (usable(env.get("XDG_RUNTIME_DIR"))) {
            dir = Path.of(env.get("XDG_RUNTIME_DIR")).resolve("dmtcp");
            why = "XDG_RUNTIME_DIR";
        } else {
            String cache = env.get("XDG_CACHE_HOME");
            Path base = cache != null && cache.startsWith("/") ? Path.of(cache)
                    : Path.of(System.getProperty("user.home")).resolve(".cache");
            dir = base.resolve("dmtcp");
            why = "the user's cache folder";
        }
        return ensure(dir, why);
    }

    /** $XDG_RUNTIME_DIR when it is set, absolute, a directory owned by this user and 0700 (as pam_systemd makes it). */
    private static boolean usable(String xdg) {
        if (xdg == null || !xdg.startsWith("/")) {
            return false;
        }
        Path p = Path.of(xdg);
        try {
            return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && attr(p, "unix:uid") == uid()
                    && (attr(p, "unix:mode") & 077) == 0;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /**
     * Creates {@code dir} (0700) and the folders above it when missing, then checks it.
     *
     * @param why where the location came from, for messages
     */
    static Path ensure(Path dir, String why) {
        dir = dir.toAbsolutePath().normalize();
        try {
            if (dir.getParent() != null) {
                Files.createDirectories(dir.getParent());
            }
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // checked below, whoever made it
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the private folder " + dir + " (" + why + "): " + reason(e)
                    + "; set DMTCP_TMPDIR to a folder of yours");
        }
        check(dir, why);
        return dir;
    }

    /** The checks of the class comment, for an existing folder. */
    static void check(Path dir, String why) {
        int me = uid();
        String bad = null;
        if (Files.isSymbolicLink(dir)) {
            bad = "is a symbolic link";
        } else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            bad = "is not a directory";
        } else {
            int owner = attr(dir, "unix:uid");
            int mode = attr(dir, "unix:mode") & 07777;
            if (owner != me) {
                bad = "belongs to uid " + owner + ", not to this user (uid " + me + ")";
            } else if ((mode & 022) != 0) {
                bad = "is writable by other users (mode 0" + Integer.toOctalString(mode) + "): they could have put files in it";
            } else if ((mode & 077) != 0) {
                try {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                } catch (IOException e) {
                    bad = "cannot be made private (chmod 700): " + reason(e);
                }
            }
        }
        if (bad == null) {
            bad = replaceable(dir.getParent());
        }
        if (bad != null) {
            throw new IllegalStateException("refusing the private folder " + dir + " (" + why + "): it " + bad
                    + "; remove it or set DMTCP_TMPDIR to a folder of yours");
        }
    }

    /**
     * Why what lies in {@code folder} could be replaced by another user: {@code folder} or
     * one above it belongs to someone other than root and this user, or others may write it
     * and it has no sticky bit (renaming or deleting in a sticky folder needs ownership of
     * the entry, as in /tmp); null when nobody else can.
     */
    static String replaceable(Path folder) {
        int me = uid();
        for (Path p = folder; p != null; p = p.getParent()) {
            int owner = attr(p, "unix:uid");
            int mode = attr(p, "unix:mode");
            if (owner != 0 && owner != me) {
                return "lies in " + p + ", which belongs to uid " + owner + " (who could replace it)";
            } else if ((mode & 022) != 0 && (mode & 01000) == 0) {
                return "lies in " + p + ", which other users may write and which has no sticky bit (mode 0"
                        + Integer.toOctalString(mode & 07777) + "): they could replace it";
            }
        }
        return null;
    }

    static int attr(Path p, String name) {
        try {
            return (Integer) Files.getAttribute(p, name, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + p + ": " + reason(e), e);
        }
    }

    static String reason(IOException e) {
        return dmtcp.core.barrier.protocol.FileErrors.reason(e);
    }
}
