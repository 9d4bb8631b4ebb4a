package dmtcp.ckpt.process.internal.task;

import static dmtcp.mem.linux.api.Sys.*;

import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.ExitStatus;
import dmtcp.mem.linux.api.Injector;
import dmtcp.mem.linux.api.Maps;
import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.MemorySource;
import dmtcp.mem.linux.api.Mman;
import dmtcp.mem.linux.api.NativeException;
import dmtcp.mem.linux.api.ProcessMemory;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.Processes;
import dmtcp.mem.linux.api.RemoteProcess;
import dmtcp.mem.linux.api.Scratch;
import dmtcp.mem.linux.api.ThreadControl;
import dmtcp.mem.linux.api.ThreadState;
import dmtcp.mem.linux.api.UserRegs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The restore sequence of a dumped process inside a fresh {@link Stub} (see {@link
 * Restorer}), as CRIU's cr-restore calls its per-concern files: {@link #build} ({@link
 * Mappings}: the stub unmapped, the vDSO moved, the regions mapped and filled; the source
 * verified; {@link Mm}), {@link #finish} (the resource hooks' fds, process attributes,
 * {@link Signals}, {@link Limits}, {@link Threads}, {@link Timers} created), {@link
 * #release} (itimers and timers armed, registers, detach). Runs on the tracer thread. Every
 * change to the stub's address space and kernel state is an injected syscall, at a
 * trampoline in a scratch area this restore maps and removes last.
 */
final class Restore {
    /** Scratch area layout: trampoline, then argument areas. */
    private static final long SCRATCH_SIZE = 16 * Mman.PAGE_SIZE;
    private static final long OFF_STRUCT = 64;
    private static final long OFF_AUXV = 1024;
    private static final long OFF_PATH = 4096;
    /** A buffer for injected reads (directory entries), below the injected calls' stack. */
    private static final long OFF_DATA = 8 * 4096;
    private static final long DATA_SIZE = 6 * 4096;
    private static final int SIGSTOP = 19;
    private static final int SIGTRAP = 5;
    private static final int SIGKILL = 9;

    private final ProcessState st;
    private final MemorySource src;
    private final Child stub;
    private int pid;
    private Calls calls;
    private Scratch area;
    private long scratch;
    /** The restored threads so far, the leader (the stub's pid) first. */
    private final List<Integer> tids = new ArrayList<>();

    /** Milliseconds per phase of this restore (diagnostics). */
    private final Map<String, Long> timings = new LinkedHashMap<>();
    private long t0;

    /** Timers whose saved expiry signal was re-queued (see {@link Timers#arm}); set by {@link #finish}. */
    private Set<Integer> due;
    /** Where the last injected call runs: a syscall in the moved vDSO, or -1 (the trampoline). */
    private long finalSite;
    /** The resource hooks given to {@link #finish}, called again at {@link #release}. */
    private ResourceHooks hooks = ResourceHooks.NONE;
    /** Signals the release hooks asked to be sent once the process runs ({@link RemoteProcess#signalAfterRelease}). */
    private final List<Integer> afterRelease = new ArrayList<>();

    /**
     * @param stub a fresh child running {@link Stub#command}, not yet waited for, or a process of
     *     this user that stops itself and then execs the same executable (the agent's client)
     */
    Restore(ProcessState st, MemorySource src, Child stub) {
        this.st = st;
        this.src = src;
        this.stub = stub;
    }

    Map<String, Long> timings() {
        return Collections.unmodifiableMap(timings);
    }

    private void mark(String phase) {
        long now = System.nanoTime();
        timings.put(phase, (now - t0) / 1_000_000);
        t0 = now;
    }

    /** The calls of this restore, on a fresh memory handle (closed by {@link #closeMemory}). */
    private void openMemory(long site) {
        calls = new Calls(pid, new ProcessMemory(pid), site);
        if (scratch != 0) {
            calls.pathSlot(scratch + OFF_PATH, (int) (OFF_DATA - OFF_PATH));
        }
    }

    private void closeMemory() {
        if (calls != null) {
            calls.mem.close();
        }
    }

    /**
     * Builds the process's memory (the stub's address space replaced by the saved one, filled
     * from the source, the whole source verified) and its mm layout, and leaves the stub stopped
     * under this tracer: nothing of the program has run yet. {@link #finish} builds the rest,
     * {@link #release()} lets it run, {@link #abandon()} kills it. A failure kills the
     * half-built process and throws.
     */
    void build() throws IOException {
        ThreadControl.checkThread();
        t0 = System.nanoTime();
        pid = stub.pid();
        boolean done = false;
        try {
            Stub.start(pid, st, !stub.adopted());
            // every signal but SIGTRAP (a blocked one would reset its handler at our steps' traps)
            // stays queued, siginfo and all, until the saved masks are set after the last step;
            // cloned threads inherit this mask
            ThreadControl.setSigmask(pid, ~(1L << (SIGTRAP - 1)));
            mark("stub");
            ProcessMemory mem = new ProcessMemory(pid);
            calls = new Calls(pid, mem, Injector.findSite(pid, mem));
            List<MemoryRegion> stubMaps = Maps.read(pid);
            MemoryRegion stubVdso = Mappings.find(stubMaps, "[vdso]");
            long site = calls.site;
            long siteInVdso = stubVdso != null && site >= stubVdso.start() && site < stubVdso.end() ? site - stubVdso.start() : -1;

            List<long[]> busy = new ArrayList<>();
            for (MemoryRegion r : st.regions()) {
                busy.add(new long[] {r.start(), r.end()});
            }
            for (MemoryRegion r : stubMaps) {
                busy.add(new long[] {r.start(), r.end()});
            }
            area = Scratch.mapAt(pid, site, Mappings.gap(busy, SCRATCH_SIZE), SCRATCH_SIZE,
                    Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC);
            scratch = area.address();
            mem.write(scratch, new byte[] {0x0f, 0x05, (byte) 0xcc});
            calls.site = scratch;
            calls.pathSlot(scratch + OFF_PATH, (int) (OFF_DATA - OFF_PATH));
            busy.add(new long[] {scratch, scratch + SCRATCH_SIZE});
            // injected calls run on a stack in the scratch area: never on a restored sigaltstack
            // (sigaltstack() refuses to change the stack it runs on)
            long[] regs = ThreadControl.getRegs(pid);
            regs[UserRegs.RSP] = stackTop();
            ThreadControl.setRegs(pid, regs);

            Mappings.unmapStub(stubMaps, new long[] {scratch, scratch + SCRATCH_SIZE}, calls);
            mark("unmap stub");
            Mappings.moveVdso(stubMaps, st.regions(), busy, calls);
            MemoryRegion savedVdso = Mappings.find(st.regions(), "[vdso]");
            long finalSite = siteInVdso >= 0 && savedVdso != null ? savedVdso.start() + siteInVdso : -1;
            Mappings.map(st, src, calls);
            mark("map+fill memory");
            // the whole image is checked before anything outside this process is touched:
            // until here only the memory of a process that never ran was filled
            src.end();
            mark("image verified");
            Mm.restore(st, calls, scratch + OFF_STRUCT, scratch + OFF_AUXV);
            this.finalSite = finalSite;
            done = true;
        } finally {
            closeMemory();
            if (!done) {
                abandon();
            }
        }
    }

    /**
     * The rest of the rebuild, once the resource handlers are there (at the restart round's
     * RESTARTING; {@link #build} may have run earlier, while the runtime started): the fds
     * ({@link ResourceHooks#beforeThreads}), process attributes, the threads with their kernel
     * state, the POSIX timers (not armed) and the re-queued signals ({@link
     * ResourceHooks#afterThreads}). Every thread stays stopped. A failure kills the process and throws.
     */
    void finish(ResourceHooks hooks) throws IOException {
        ThreadControl.checkThread();
        t0 = System.nanoTime();
        this.hooks = hooks;
        boolean done = false;
        try {
            openMemory(scratch);
            Remote remote = new Remote(false);
            hooks.beforeThreads(remote);
            mark("fds");
            processAttributes();
            ThreadState leader = st.threads().get(0);
            Threads.restore(pid, leader, true, calls, scratch + OFF_STRUCT);
            tids.add(pid);
            for (int i = 1; i < st.threads().size(); i++) {
                tids.add(Threads.clone(st.threads().get(i), calls, stackTop(), scratch + OFF_STRUCT));
            }
            // POSIX timers once every thread a SIGEV_THREAD_ID timer may signal exists; armed last
            Map<Integer, Integer> newTids = new HashMap<>();
            for (int i = 0; i < tids.size(); i++) {
                newTids.put(st.threads().get(i).tid(), tids.get(i));
            }
            Timers.create(calls, scratch + OFF_STRUCT, st.timers(), newTids);
            due = Signals.requeue(st, pid, tids, calls, scratch + OFF_AUXV);
            mark("threads");
            hooks.afterThreads(remote, Collections.unmodifiableMap(newTids));
            done = true;
        } finally {
            closeMemory();
            if (!done) {
                abandon();
            }
        }
    }

    /** umask, comm, cwd, signal dispositions and resource limits. */
    private void processAttributes() {
        calls.call("umask", SYS_umask, st.umask());
        calls.call("prctl(PR_SET_NAME)", SYS_prctl, PR_SET_NAME, calls.putString(st.comm()), 0, 0, 0);
        long r = calls.raw(SYS_chdir, calls.putString(st.cwd()));
        if (r < 0) {
            System.err.println("dmtcp restore: chdir(" + st.cwd() + ") failed with errno " + -r + "; staying in the stub's cwd");
        }
        Signals.restore(st.sigactions(), pid, calls, scratch + OFF_STRUCT);
        Limits.restore(pid, st.rlimits());
    }

    /** Kills a process {@link #build()} built (or half-built) and collects its traced threads. */
    void abandon() {
        ThreadControl.checkThread();
        if (stub.adopted() && exitAdopted(1)) {
            return;
        }
        Processes.kill(pid, SIGKILL);
        for (int tid : tids) {
            if (tid != pid) {
                ThreadControl.reap(tid); // traced threads stay zombies until their tracer collects them
            }
        }
        if (stub.adopted()) {
            ThreadControl.reap(pid); // not our child: its parent (the agent's client's shell) reaps it once we let go
        }
    }

    /**
     * Ends an adopted stub (the agent's client) with exit status {@code code} rather than a
     * SIGKILL, so that the user's shell sees a failed restart as the restarter JVM reports it
     * (exit 1, not 137): exit_group injected at the restore's current syscall site and the
     * leader let go (not stepped: its exit is reported only once its other threads are
     * collected, which happens next), then every thread collected. A leader that stops
     * instead (no syscall there any more) is SIGKILLed. False when there is no site yet.
     */
    private boolean exitAdopted(int code) {
        if (calls == null || calls.site <= 0) {
            return false;
        }
        try {
            long[] r = ThreadControl.getRegs(pid);
            r[UserRegs.RAX] = 231; // exit_group
            r[UserRegs.RDI] = code;
            r[UserRegs.ORIG_RAX] = -1;
            r[UserRegs.RIP] = calls.site;
            ThreadControl.setRegs(pid, r);
            ThreadControl.cont(pid, 0);
        } catch (RuntimeException e) {
            return false;
        }
        for (int tid : tids) {
            if (tid != pid) {
                ThreadControl.reap(tid);
            }
        }
        for (;;) {
            int status;
            try {
                status = ThreadControl.waitTid(pid);
            } catch (RuntimeException e) {
                return true; // gone
            }
            if (!ThreadControl.isStopped(status)) {
                return true; // its exit, reported to us: its parent gets it now
            }
            Processes.kill(pid, SIGKILL); // stopped on the way (a fault at the site): killed after all
            try {
                ThreadControl.cont(pid, 0);
            } catch (RuntimeException e) {
                // dying
            }
        }
    }

    /**
     * Arms the timers, removes the trampoline, gives every thread its saved registers and
     * mask, and detaches: the process runs from where it was checkpointed. The timers are
     * armed here, not when the process was built, so that the time it was held stopped
     * does not count against them.
     */
    Child release() {
        ThreadControl.checkThread();
        t0 = System.nanoTime();
        boolean done = false;
        try {
            openMemory(scratch);
            try {
                try {
                    hooks.release(new Remote(true));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                Timers.armItimers(st.itimers(), calls, scratch + OFF_STRUCT);
                Timers.arm(calls, scratch + OFF_STRUCT, st.timers(), due);
                // from the moved vDSO's syscall if there is one; else from the trampoline itself
                // (the step's trap comes at syscall exit, before anything is fetched there)
                if (finalSite >= 0) {
                    calls.site = finalSite;
                }
                calls.check("munmap", area.unmap(calls.site), scratch, SCRATCH_SIZE);
            } finally {
                closeMemory();
            }
            // no step follows: what is queued now (re-queued signals, timers that fired already)
            // is delivered by the program itself once detached
            Threads.resume(st.threads(), tids);
            mark("timers+registers");
            // a process stopped at checkpoint time gets SIGSTOP with the detach: each thread
            // stops before running one instruction, and SIGCONT resumes it
            int sig = st.stopped() ? SIGSTOP : 0;
            for (int tid : tids) {
                if (!ThreadControl.detachIfAlive(tid, sig)) {
                    int status = ThreadControl.poll(tid);
                    throw new NativeException("restore of " + st.comm() + ": detach of thread " + tid, 3,
                            "the restored process ended as soon as it ran (" + ExitStatus.fromWaitStatus(Math.max(status, 0)) + ")");
                }
            }
            for (ThreadControl.Caught p : ThreadControl.drainPending(tids)) {
                ThreadControl.resend(pid, p);
            }
            if (!afterRelease.isEmpty()) {
                // e.g. a terminal of another size than it knew: it asks again, and redraws
                Threads.awaitRestartedCalls(pid, st.threads(), tids);
                for (int s : afterRelease) {
                    Processes.kill(pid, s);
                }
            }
            mark("detach");
            done = true;
            return stub;
        } finally {
            if (!done) {
                abandon();
            }
        }
    }

    /** The process being rebuilt as the resource hooks see it: calls injected in its leader. */
    private final class Remote implements RemoteProcess {
        private final boolean releasing;

        Remote(boolean releasing) {
            this.releasing = releasing;
        }

        @Override
        public int pid() {
            return pid;
        }

        @Override
        public long syscall(long nr, long... args) {
            return calls.raw(nr, args);
        }

        @Override
        public long check(String what, long nr, long... args) {
            return calls.call(what, nr, args);
        }

        @Override
        public byte[] read(long address, int length) {
            return calls.mem.read(address, length);
        }

        @Override
        public void write(long address, byte[] bytes) {
            calls.mem.write(address, bytes);
        }

        @Override
        public long scratch(int size) {
            if (size > SCRATCH_MAX || size > DATA_SIZE) {
                throw new IllegalArgumentException("scratch of " + size + " bytes asked, at most " + SCRATCH_MAX);
            }
            return scratch + OFF_DATA;
        }

        @Override
        public long putString(String s) {
            return calls.putString(s);
        }

        @Override
        public void signalAfterRelease(int signal) {
            if (releasing && !afterRelease.contains(signal)) {
                afterRelease.add(signal);
            }
        }
    }

    private long stackTop() {
        return scratch + SCRATCH_SIZE - 256;
    }
}
