package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.Freezer;
import dmtcp.mem.linux.api.Frozen;
import dmtcp.mem.linux.api.Maps;
import dmtcp.mem.linux.api.MemorySink;
import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.ThreadControl;
import dmtcp.mem.linux.api.Tracer;
import dmtcp.mem.linux.api.UnsupportedFdException;

/**
 * Dumps a process from outside: its threads' registers, FP state, signal masks, rseq,
 * robust lists and tid addresses; its mappings (from /proc/PID/maps) and the pages the
 * mappings alone cannot give back (from /proc/PID/pagemap: touched anonymous pages and
 * written private file pages; never-touched and clean file pages are skipped); auxv, mm
 * bounds, brk, cwd, umask, rlimits, sigactions and itimers; the POSIX timers ({@link
 * PosixTimer}: /proc/PID/timers and an injected timer_gettime). The fd table goes to the
 * {@link ResourceHooks} (which refuse what no handler saves, with an {@link
 * UnsupportedFdException}). Memory bytes are streamed to a {@link MemorySink}, never held in
 * the heap. A process with a POSIX timer on a clock a
 * restore could not name (another process's or thread's CPU clock, a dynamic fd clock,
 * CLOCK_THREAD_CPUTIME_ID with several threads) with an IllegalStateException, both
 * before anything reaches the sink.
 */
public final class Checkpointer {
    private Checkpointer() {}

    /**
     * Loads and links the engine's classes and JNA bindings ahead of the first checkpoint,
     * so that a frozen program does not wait for class loading. Safe from any thread.
     */
    public static void warmUp() {
        ThreadControl.warmUp();
        for (Class<?> c : new Class<?>[] {Dump.class, Restore.class, Calls.class, Threads.class, Pages.class, Mappings.class,
            Signals.class, Limits.class, Timers.class, Mm.class, Stub.class}) {
            try {
                Class.forName(c.getName(), true, Checkpointer.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // it loads when first used
            }
        }
        try {
            // identifies this JVM's own executable files: loads and warms what a dump's
            // MappedFiles.identify runs, and caches the libraries programs share (libc, ld.so),
            // so that the first checkpoint does not pay for them while its program is frozen
            int self = (int) ProcessHandle.current().pid();
            MappedFiles.identify(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/exe")).toString(),
                    Maps.read(self));
        } catch (java.io.IOException | RuntimeException e) {
            // it is done at the first dump
        }
    }

    /** Freezes {@code pid}, dumps it and lets it run on. */
    public static ProcessState dump(int pid, MemorySink sink, ResourceHooks hooks) {
        try (Frozen f = Freezer.freeze(pid)) {
            return dump(f, sink, hooks);
        }
    }

    /**
     * Dumps a process already frozen; it stays frozen (the caller thaws it, or kills it).
     * The sink is called on the tracer thread; its IOException comes out as an
     * UncheckedIOException.
     */
    public static ProcessState dump(Frozen frozen, MemorySink sink, ResourceHooks hooks) {
        return Tracer.get().call(() -> {
            try {
                return new Dump(frozen.pid(), frozen.tids(), frozen.groupStopped(), hooks).dump(sink);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
