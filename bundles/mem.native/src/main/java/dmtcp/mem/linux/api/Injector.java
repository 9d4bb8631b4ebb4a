package dmtcp.mem.linux.api;

import dmtcp.mem.linux.internal.Inject;
import dmtcp.mem.linux.api.ProcessMemory;
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

    /**
     * At a known site, on the tracer thread (a dump or restore that found its site once with
     * {@link #findSite}): runs {@code nr(args...)} in the stopped thread {@code tid} at the
     * {@code 0f 05} at {@code site}; returns the raw kernel result (a negative errno on failure).
     * In a thread of a live program the call ends with the thread parked, its registers back.
     */
    public static long inject(int tid, long site, long nr, long... args) {
        return Inject.syscall(tid, site, nr, args);
    }

    /** As {@link #inject}, a failure a {@link NativeException} naming {@code name} and the arguments. */
    public static long injectChecked(int tid, long site, String name, long nr, long... args) {
        return Inject.check(tid, site, name, nr, args);
    }

    /**
     * {@code r} when it is no error (-4095..-1), else a {@link NativeException} naming the call
     * {@code name(args)} injected in {@code tid}, each argument shown by {@code shown} (a
     * pointer to a path written into the tracee: the path, not its address).
     */
    public static long checkResult(int tid, String name, long r, java.util.function.LongFunction<String> shown, long... args) {
        return Inject.checkResult(tid, name, r, shown, args);
    }

    /** As {@link #checkResult(int, String, long, java.util.function.LongFunction, long...)}, arguments in hex. */
    public static long checkResult(int tid, String name, long r, long... args) {
        return Inject.checkResult(tid, name, r, args);
    }

    /** The address of a {@code syscall} instruction ({@code 0f 05}) in the thread's [vdso], else just before its rip. */
    public static long findSite(int tid, ProcessMemory mem) {
        return Inject.findSite(tid, mem);
    }

    private static long site(int tid) {
        Long s = SITES.get(tid);
        try (ProcessMemory mem = new ProcessMemory(tid)) {
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
