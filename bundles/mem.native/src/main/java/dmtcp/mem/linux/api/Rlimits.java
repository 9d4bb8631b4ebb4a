package dmtcp.mem.linux.api;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dmtcp.mem.linux.internal.Libc;

/** A process's resource limits, read and set from this JVM with {@code prlimit64} (no injection). */
public final class Rlimits {
    private Rlimits() {}

    /** RLIM_NLIMITS: resources 0 (RLIMIT_CPU) to 15 (RLIMIT_RTTIME). */
    public static final int COUNT = Sys.RLIM_NLIMITS;

    /** {soft, hard} per resource 0..{@link #COUNT}-1; RLIM_INFINITY is -1. */
    public static long[][] get(int pid) {
        long[][] l = new long[COUNT][];
        Memory m = new Memory(16);
        for (int r = 0; r < COUNT; r++) {
            if (Libc.syscall(Sys.SYS_prlimit64, pid, r, 0, Pointer.nativeValue(m), 0, 0) != 0) {
                throw ThreadControl.error("prlimit64(" + pid + ", " + r + ", NULL, &old)");
            }
            l[r] = new long[] {m.getLong(0), m.getLong(8)};
        }
        return l;
    }

    /**
     * Sets one limit; false when the kernel refuses (raising a hard limit needs
     * CAP_SYS_RESOURCE: the caller keeps what there is).
     */
    public static boolean set(int pid, int resource, long soft, long hard) {
        Memory m = new Memory(16);
        m.setLong(0, soft);
        m.setLong(8, hard);
        return Libc.syscall(Sys.SYS_prlimit64, pid, resource, Pointer.nativeValue(m), 0, 0, 0) == 0;
    }
}
