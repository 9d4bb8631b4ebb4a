package dmtcp.mem.linux.api;

/**
 * A process stopped under this JVM's tracer, as a resource handler may work on it while it
 * is dumped (frozen) or rebuilt (held, not yet run): system calls injected into one of its
 * threads, its memory read and written, scratch memory for the calls' arguments. Every method
 * runs on the tracer thread (callers are already on it while a dump or restore calls their
 * hooks). What a handler injects at dump time must leave the program as it was: it may read
 * and query, open (and close again) fds above the program's own, never change what the
 * program sees.
 */
public interface RemoteProcess {
    /** The process's pid (at restore: its new pid). */
    int pid();

    /** Runs {@code nr(args...)} in the process; returns the raw kernel result (a negative errno on failure). */
    long syscall(long nr, long... args);

    /** As {@link #syscall}, but a failure is a {@link NativeException} naming {@code what} and the arguments. */
    long check(String what, long nr, long... args);

    byte[] read(long address, int length);

    void write(long address, byte[] bytes);

    /**
     * The address of at least {@code size} bytes of scratch memory in the process, readable
     * and writable, valid until the hook returns; at most {@link #SCRATCH_MAX} bytes. Each call
     * may return the same area.
     */
    long scratch(int size);

    /** Writes {@code s} NUL-terminated into a scratch slot reserved for paths and returns its address. */
    long putString(String s);

    /** The largest {@link #scratch} area. */
    int SCRATCH_MAX = 16 << 10;

    /**
     * At restore, release phase only: {@code signal} is sent to the process once it runs and its
     * threads blocked in a system call at checkpoint time are blocked in it again (a SIGWINCH
     * after a terminal of another size was given its settings). Elsewhere it is ignored.
     */
    default void signalAfterRelease(int signal) {}
}
