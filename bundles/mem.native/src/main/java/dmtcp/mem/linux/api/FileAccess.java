package dmtcp.mem.linux.api;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dmtcp.mem.linux.internal.Libc;
import dmtcp.mem.linux.internal.Uio;
import java.nio.file.Path;

/**
 * What the kernel lets this process do with a path, asked before doing it, with the errno
 * when not; and the file operations Java's API does not have.
 */
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

    /**
     * Swaps two names atomically: {@code renameat2(AT_FDCWD, a, AT_FDCWD, b,
     * RENAME_EXCHANGE)}. Both must exist, on one file system. Unlike a rename over an
     * existing file, this frees nothing and does not make ext4 allocate the new file's
     * delayed blocks at once (its auto_da_alloc heuristic).
     *
     * @return 0, or the errno (EINVAL where the file system cannot exchange, ENOSYS before
     *     Linux 3.15, ENOENT, EXDEV...)
     */
    public static int exchange(Path a, Path b) {
        try (Memory pa = cString(a.toString()); Memory pb = cString(b.toString())) {
            long r = Libc.syscall(Libc.SYS_renameat2, Uio.AT_FDCWD, Pointer.nativeValue(pa), Uio.AT_FDCWD,
                    Pointer.nativeValue(pb), Libc.RENAME_EXCHANGE, 0);
            return r == 0 ? 0 : Native.getLastError();
        }
    }

    private static Memory cString(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Memory m = new Memory(b.length + 1L);
        m.write(0, b, 0, b.length);
        m.setByte(b.length, (byte) 0);
        return m;
    }
}
