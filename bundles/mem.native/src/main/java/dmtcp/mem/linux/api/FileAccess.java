package dmtcp.mem.linux.api;

import com.sun.jna.Native;
import dmtcp.mem.linux.internal.Libc;
import dmtcp.mem.linux.internal.Uio;
import java.nio.file.Path;

/** What the kernel lets this process do with a path, asked before doing it, with the errno when not. */
public final class FileAccess {
    private FileAccess() {}

    /**
     * Whether this process may create files in {@code dir}: {@code faccessat(AT_FDCWD, dir,
     * W_OK|X_OK, AT_EACCESS)}, as the kernel decides it for the effective ids (modes, ACLs,
     * a read-only mount; root passes modes).
     *
     * @return 0, or the errno (EACCES, EROFS, ENOENT, ENOTDIR...)
     */
    public static int canCreateIn(Path dir) {
        if (Libc.faccessat(Uio.AT_FDCWD, dir.toString(), Libc.W_OK | Libc.X_OK, Libc.AT_EACCESS) == 0) {
            return 0;
        }
        return Native.getLastError();
    }
}
