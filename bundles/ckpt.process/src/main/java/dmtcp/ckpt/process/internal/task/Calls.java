package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.Injector;
import dmtcp.mem.linux.api.ProcessMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Calls injected into one stopped process being dumped or rebuilt: the thread they run in,
 * the {@code syscall} instruction they run at, its memory, and (at restore) a slot for the
 * path argument of the calls, so that an error names the path, not its address. Every
 * concern (threads, memory, signals, limits, timers, mm) works through one of these; on the
 * tracer thread.
 */
final class Calls {
    final int tid;
    final ProcessMemory mem;
    /** The {@code 0f 05} the calls run at; a restore moves it (trampoline, then the moved vDSO). */
    long site;
    /** Where {@link #putString} writes, 0 when there is no such slot; and what it wrote last. */
    private long pathSlot;
    private int pathMax;
    private String put;

    Calls(int tid, ProcessMemory mem, long site) {
        this.tid = tid;
        this.mem = mem;
        this.site = site;
    }

    /** Gives the calls a slot of {@code max} bytes at {@code at} for their path arguments. */
    void pathSlot(long at, int max) {
        this.pathSlot = at;
        this.pathMax = max;
    }

    /** {@code nr(args...)}: the raw result, a negative errno on failure. */
    long raw(long nr, long... args) {
        return Injector.inject(tid, site, nr, args);
    }

    /** {@code nr(args...)}; a failure is a NativeException naming {@code name} and the arguments (paths shown as such). */
    long call(String name, long nr, long... args) {
        return check(name, raw(nr, args), args);
    }

    /** {@code r} when no error, else a NativeException naming {@code name(args)}. */
    long check(String name, long r, long... args) {
        return Injector.checkResult(tid, name, r, this::shown, args);
    }

    /** As {@link #call}, run in another thread of the process. */
    long callIn(int thread, String name, long nr, long... args) {
        return Injector.checkResult(thread, name, Injector.inject(thread, site, nr, args), this::shown, args);
    }

    /** Writes {@code s} NUL-terminated into the path slot and returns its address. */
    long putString(String s) {
        byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_8);
        if (pathSlot == 0 || b.length > pathMax) {
            throw new IllegalArgumentException("path too long: " + s);
        }
        mem.write(pathSlot, b);
        put = s;
        return pathSlot;
    }

    /** An injected call's argument in an error message: the string {@link #putString} put there, else hex. */
    String shown(long arg) {
        return pathSlot != 0 && arg == pathSlot && put != null ? "\"" + put + "\"" : "0x" + Long.toHexString(arg);
    }

    /** {@code n} bytes of the process at {@code at}, little-endian. */
    ByteBuffer read(long at, int n) {
        return ByteBuffer.wrap(mem.read(at, n)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A little-endian buffer of {@code n} bytes to fill and {@link #write}. */
    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    void write(long at, ByteBuffer b) {
        mem.write(at, b.array());
    }
}
