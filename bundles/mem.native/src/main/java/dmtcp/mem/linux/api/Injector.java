package dmtcp.mem.linux.api;

import dmtcp.mem.linux.internal.Inject;
import dmtcp.mem.linux.internal.RemoteMemory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs a system call inside a stopped tracee thread: save its registers, load rax = nr
 * and the arguments (rdi rsi rdx r10 r8 r9), orig_rax = -1, rip = a {@code syscall}
 * instruction ({@code 0f 05}, found in the process's [vdso]), single-step, read rax,
 * restore the registers. The thread must be ptrace-stopped by this JVM (e.g. through
 * {@link Freezer}). About 50-80 µs per call inside the engine; 100-300 µs through this
 * facade (a hop to the tracer thread and a check of the cached syscall site).
 */
public final class Injector {
    /** tid -> a 0f 05 address in its process, checked before each use (tids are reused). */
    private static final Map<Integer, Long> SITES = new ConcurrentHashMap<>();

    private Injector() {}

    /**
     * Runs {@code nr(args...)} in thread {@code tid}. Returns the raw kernel result: a
     * negative errno on failure.
     */
    public static long syscall(int tid, long nr, long... args) {
        return Tracer.get().call(() -> Inject.syscall(tid, site(tid), nr, args));
    }

    /** As {@link #syscall}, but throws a {@link NativeException} naming the call when it fails. */
    public static long check(int tid, String name, long nr, long... args) {
        return Inject.checkResult(tid, name, syscall(tid, nr, args), args);
    }

    private static long site(int tid) {
        Long s = SITES.get(tid);
        try (RemoteMemory mem = new RemoteMemory(tid)) {
            if (s != null) {
                byte[] b = mem.read(s, 2);
                if (b[0] == 0x0f && b[1] == 0x05) {
                    return s;
                }
            }
            long found = Inject.findSite(tid, mem);
            SITES.put(tid, found);
            return found;
        }
    }

}
