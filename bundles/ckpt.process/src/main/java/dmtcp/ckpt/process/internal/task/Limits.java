package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.Rlimits;

/** Resource limits (CRIU's rlimits in cr-dump/cr-restore): read and set from this JVM with prlimit64. */
final class Limits {
    private Limits() {}

    /** {soft, hard} per resource. */
    static long[][] dump(int pid) {
        return Rlimits.get(pid);
    }

    /** Sets each saved limit; raising a hard limit needs CAP_SYS_RESOURCE: the stub's is kept then. */
    static void restore(int pid, long[][] rlimits) {
        for (int res = 0; res < rlimits.length; res++) {
            Rlimits.set(pid, res, rlimits[res][0], rlimits[res][1]);
        }
    }
}
