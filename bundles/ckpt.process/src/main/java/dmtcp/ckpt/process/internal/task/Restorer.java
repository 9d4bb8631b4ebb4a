package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.MappedFile;
import dmtcp.mem.linux.api.MemorySource;
import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.ProcessLock;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.Processes;
import dmtcp.mem.linux.api.Tracer;

/**
 * Restores a {@link ProcessState} as a new child of this JVM: spawns {@code /bin/sh -c
 * 'kill -STOP $$; exec "$0"' <exe>}, seizes it, lets it exec the saved executable (so
 * /proc/PID/exe, comm and ps are right without privilege) and stops it before ld.so runs;
 * then, by injected syscalls, replaces its address space with the saved one, moves the
 * vDSO to its saved address, restores mm bounds (PR_SET_MM_MAP), sigactions, itimers,
 * rlimits, umask and cwd, has the resource handlers re-create the saved fds under their
 * numbers ({@link ResourceHooks}), re-creates the threads with clone(), gives each its registers,
 * FP state, signal mask, rseq, robust list and sigaltstack, re-creates the POSIX timers
 * under their ids ({@link PosixTimer}; a SIGEV_THREAD_ID timer aimed at its thread's new
 * tid) and arms them with the time they had left, and detaches. Every signal but SIGTRAP
 * is blocked while it works, so re-queued signals and timer expiries keep their siginfo
 * until the program runs. The restored
 * process gets a new pid and new tids; this JVM is its parent, so it can be checkpointed
 * again. Where the executable is gone, the stub execs {@code /bin/true} instead (then
 * only /proc/PID/exe differs). A mapped file replaced since the checkpoint is an error, and
 * so is an executable or library modified in place ({@link MappedFile}). A source is read
 * to its end ({@link MemorySource#end}) before anything outside the new process is done.
 * A failure kills the half-built process and throws.
 */
public final class Restorer {
    private Restorer() {}

    public static Child restore(ProcessState state, MemorySource source, ResourceHooks hooks) {
        return restore(state, source, null, hooks);
    }

    /**
     * As {@link #restore(ProcessState, MemorySource, ResourceHooks)}, the restored process
     * keeping the unique id it had when checkpointed (null: a new one).
     */
    public static Child restore(ProcessState state, MemorySource source, String uniqueId, ResourceHooks hooks) {
        Prepared p = prepare(state, source, uniqueId);
        p.finish(hooks);
        return p.release();
    }

    /**
     * Rebuilds the process's memory but does not let it run: it stays stopped under this
     * JVM's tracer; {@link Prepared#finish} builds the rest once the resource handlers are
     * known, {@link Prepared#release()} lets it run and arms its timers (itimers, POSIX
     * timers), so that the time it was held does not count against them. A restarter builds
     * its processes' memory while the rest of the runtime starts, and lets them run when the
     * restart round says so. A failure kills the half-built process and throws.
     */
    public static Prepared prepare(ProcessState state, MemorySource source, String uniqueId) {
        return prepare(state, source, uniqueId, (Stub.Into) null);
    }

    /**
     * As {@link #prepare(ProcessState, MemorySource, String)}, in a process of this user
     * instead of a child of this JVM (the agent's client): {@code into} is seized (it runs on,
     * blocked reading its answer), then {@code exec} is given the executable it must exec
     * (the agent tells it), and its exec is the stub's. Null: a child spawned here.
     */
    public static Prepared prepare(ProcessState state, MemorySource source, String uniqueId, Stub.Into into) {
        // before anything starts: a description a restore must not follow, a program modified since
        Mappings.validate(state);
        MappedFiles.verify(state.exe(), state.files());
        return Tracer.get().call(() -> {
            Child stub;
            if (into == null) {
                stub = Processes.spawnAs(Stub.command(state), state.argv());
            } else {
                stub = Processes.adopt(into.pid(), state.argv());
                Stub.seize(into.pid());
                into.exec().accept(Stub.command(state).get(3));
            }
            return build(state, source, uniqueId, stub);
        });
    }

    private static Prepared build(ProcessState state, MemorySource source, String uniqueId, Child stub) {
        Restore r = new Restore(state, source, stub);
        try {
            r.build();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (uniqueId != null) {
            stub.uniqueId(uniqueId);
        }
        return new Prepared(r, stub);
    }

    /** A process {@link #prepare rebuilt} and held stopped: release it or abandon it, once. */
    public static final class Prepared {
        private final Restore restorer;
        private final Child child;
        private boolean settled;

        private Prepared(Restore restorer, Child child) {
            this.restorer = restorer;
            this.child = child;
        }

        /** The process (not yet running). */
        public Child child() {
            return child;
        }

        private boolean finished;

        /**
         * Re-creates the fds (through {@code hooks}), attributes, threads and timers; the
         * process stays held. Once, before {@link #release()}. A failure kills the process
         * (it never ran) and throws.
         */
        public synchronized void finish(ResourceHooks hooks) {
            if (settled || finished) {
                throw new IllegalStateException(child.name() + " (pid " + child.pid() + ") was already finished, released or abandoned");
            }
            finished = true;
            try {
                Tracer.get().call(() -> {
                    try {
                        restorer.finish(hooks);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    return null;
                });
            } catch (RuntimeException e) {
                settled = true;
                ProcessLock.release(child.uniqueId());
                throw e;
            }
        }

        /**
         * Lets the process run from where it was checkpointed (its timers armed now, so the
         * time it was held does not count). A process that dies as it starts is reported as an error.
         */
        public synchronized Child release() {
            if (!finished) {
                throw new IllegalStateException(child.name() + " (pid " + child.pid() + ") is released before it was finished");
            }
            settle();
            Child c;
            try {
                c = Tracer.get().call(restorer::release);
            } catch (RuntimeException e) {
                ProcessLock.release(child.uniqueId());
                throw e;
            }
            ProcessLock.running(c);
            return c;
        }

        /** Kills the held process (a refused or abandoned restart): it never ran. */
        public synchronized void abandon() {
            if (!settled) {
                settle();
                Tracer.get().call(() -> {
                    restorer.abandon();
                    return null;
                });
                ProcessLock.release(child.uniqueId());
            }
        }

        private void settle() {
            if (settled) {
                throw new IllegalStateException(child.name() + " (pid " + child.pid() + ") was already released or abandoned");
            }
            settled = true;
        }
    }
}
