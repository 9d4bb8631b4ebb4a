package dmtcp.mem.linux.api;

import dmtcp.mem.linux.internal.Libc;
import java.util.Map;

/**
 * Error numbers as &lt;errno.h&gt; names them, for messages that say what happened: {@code
 * Permission denied (EACCES)}. Java's file exceptions keep only the C library's words;
 * {@link #ofMessage} finds the number back.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ENAMETOOLONG = 36;
    public static final int ELOOP = 40;
    public static final int EDQUOT = 122;

    private static final Map<Integer, String> NAMES = Map.ofEntries(Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"),
            Map.entry(EIO, "EIO"), Map.entry(EACCES, "EACCES"), Map.entry(EEXIST, "EEXIST"), Map.entry(ENOTDIR, "ENOTDIR"),
            Map.entry(EISDIR, "EISDIR"), Map.entry(EINVAL, "EINVAL"), Map.entry(EFBIG, "EFBIG"), Map.entry(ENOSPC, "ENOSPC"),
            Map.entry(EROFS, "EROFS"), Map.entry(ENAMETOOLONG, "ENAMETOOLONG"), Map.entry(ELOOP, "ELOOP"),
            Map.entry(EDQUOT, "EDQUOT"));

    /** {@code EACCES}, or {@code errno N} for a number this class does not name. */
    public static String name(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }

    /** {@code Permission denied (EACCES)}: the C library's words and the name. */
    public static String describe(int errno) {
        return Libc.strerror(errno) + " (" + name(errno) + ")";
    }

    /** The named errno whose C library words are {@code message} (as a Java file exception gives them), or 0. */
    public static int ofMessage(String message) {
        for (int e : NAMES.keySet()) {
            if (Libc.strerror(e).equals(message)) {
                return e;
            }
        }
        return 0;
    }
}
