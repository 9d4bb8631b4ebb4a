package dmtcp.core.barrier.internal;

import dmtcp.core.barrier.protocol.FileErrors;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Which image paths the coordinator puts into the restart script, which the user later
 * runs: only absolute, normalized paths of files named {@code ckpt_*.dmtcp} without control
 * characters and, once committed, regular files (not symbolic links) owned by the
 * coordinator's user. Anything else fails the round (doc/barrier-protocol.md).
 */
final class ImagePaths {
    private ImagePaths() {}

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;

    /** Why a reported image path is not accepted, or null. */
    static String problem(String path) {
        for (int i = 0; i < path.length(); i++) {
            if (Character.isISOControl(path.charAt(i))) {
                return "it holds a control character";
            }
        }
        Path p;
        try {
            p = Path.of(path);
        } catch (InvalidPathException e) {
            return "it is not a path: " + e.getReason();
        }
        if (!p.isAbsolute()) {
            return "it is not absolute";
        }
        if (!p.normalize().toString().equals(path)) {
            return "it is not normalized (" + p.normalize() + ")";
        }
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        if (!name.startsWith("ckpt_") || !name.endsWith(".dmtcp")) {
            return "its file name is not ckpt_*.dmtcp";
        }
        return null;
    }

    /** Why a committed image is not one the script may name (it must be a regular file of {@code uid}), or null. */
    static String committedProblem(String path, int uid) {
        Map<String, Object> a;
        try {
            a = java.nio.file.Files.readAttributes(Path.of(path), "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return "it cannot be read after the commit: " + FileErrors.reason(e);
        }
        if (((Integer) a.get("mode") & S_IFMT) != S_IFREG) {
            return "it is not a regular file after the commit (a symbolic link, directory or device)";
        }
        int owner = (Integer) a.get("uid");
        if (owner != uid) {
            return "it belongs to uid " + owner + ", not to the coordinator's user (uid " + uid + ")";
        }
        return null;
    }
}
