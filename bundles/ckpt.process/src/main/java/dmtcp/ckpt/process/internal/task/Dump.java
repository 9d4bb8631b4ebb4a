package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.Fds;
import dmtcp.mem.linux.api.Injector;
import dmtcp.mem.linux.api.Maps;
import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.MemorySink;
import dmtcp.mem.linux.api.Mman;
import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.ProcessMemory;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.RemoteProcess;
import dmtcp.mem.linux.api.Scratch;
import dmtcp.mem.linux.api.SigAction;
import dmtcp.mem.linux.api.ThreadControl;
import dmtcp.mem.linux.api.ThreadState;
import dmtcp.mem.linux.api.UserRegs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dump sequence of a frozen process (see {@link Checkpointer}), as CRIU's cr-dump calls
 * its per-concern files: the resource hooks' claim first (a descriptor nobody saves refuses
 * the checkpoint before anything is injected), the POSIX timers' check, then {@link Threads},
 * {@link Signals}, {@link Timers}, the hooks' dump, {@link Limits}, {@link Mm}, the process
 * attributes from /proc, {@link Pages} (which pages) and the memory streamed to the sink.
 * Runs on the tracer thread. What only the process itself can tell (clear_child_tid,
 * sigaltstack, sigactions, itimers, POSIX timers' values, brk) is read by injected calls whose
 * output goes to a scratch slot below each thread's red zone; every trace of them is taken
 * back ({@link #putBack}) before the memory is streamed.
 */
final class Dump {
    private final int pid;
    /**
     * A live thread: a leader that left with pthread_exit is a zombie whose /proc/PID/mem,
     * maps and pagemap are empty, so every per-process file is read through this one.
     */
    private final int live;
    private final List<Integer> tids;
    private final ProcessMemory mem;
    private final boolean stopped;
    private final ResourceHooks hooks;
    private Calls calls;
    private List<MemoryRegion> maps;
    /** A page mapped when a thread's stack has no room for a slot, unmapped by {@link #putBack}. */
    private Scratch spare;
    /** A scratch area mapped for the resource hooks (see {@link Remote#scratch}), unmapped by {@link #putBack}. */
    private Scratch hookScratch;
    private static final long HOOK_SCRATCH = RemoteProcess.SCRATCH_MAX + Mman.PAGE_SIZE;
    /** Scratch slots in the program's stacks and the bytes they held before the dump wrote there. */
    private final Map<Long, byte[]> slots = new LinkedHashMap<>();

    Dump(int pid, List<Integer> tids, boolean stopped, ResourceHooks hooks) {
        this.pid = pid;
        this.hooks = hooks;
        this.stopped = stopped;
        this.tids = tids;
        this.live = tids.get(0);
        this.mem = new ProcessMemory(live);
    }

    ProcessState dump(MemorySink sink) throws IOException {
        ThreadControl.checkThread();
        try {
            // first: a descriptor no resource handler saves refuses the checkpoint before anything is done
            hooks.claim(Fds.list(live));
            // so does a POSIX timer a restore could not rebuild (/proc/PID/timers, nothing injected)
            List<PosixTimer> timers = Timers.list(live, tids.size());
            int main = tids.get(0);
            calls = new Calls(main, mem, Injector.findSite(main, mem));
            maps = Maps.read(live); // before any injected mmap of a spare scratch page
            List<ThreadState> threads = new ArrayList<>();
            for (int t : tids) {
                threads.add(Threads.dump(t, calls, scratchOf(t)));
            }
            long scratch = scratchOf(main);
            long brk = Mm.brk(calls);
            List<SigAction> actions = Signals.dump(live, calls, scratch);
            long[][] itimers = Timers.itimers(calls, scratch);
            timers = Timers.withValues(timers, calls, scratch);
            hooks.dump(new Remote(main));
            // the last injected call: from here on the program is exactly as the freeze left it
            putBack();
            long[][] rlimits = Limits.dump(live);
            String base = "/proc/" + live;
            String exe = Files.readSymbolicLink(Path.of(base, "exe")).toString();
            String cwd = Files.readSymbolicLink(Path.of(base, "cwd")).toString();
            String comm = Files.readString(Path.of("/proc", Integer.toString(pid), "comm")).trim(); // the leader's
            List<String> argv = new ArrayList<>();
            for (String a : new String(Files.readAllBytes(Path.of(base, "cmdline")), java.nio.charset.StandardCharsets.UTF_8).split("\0")) {
                argv.add(a);
            }
            int umask = 022;
            for (String l : Files.readAllLines(Path.of(base, "status"))) {
                if (l.startsWith("Umask:")) {
                    umask = Integer.parseInt(l.substring(6).trim(), 8);
                }
            }
            byte[] auxv = Files.readAllBytes(Path.of(base, "auxv"));
            List<MemoryRegion> regions = Pages.saved(live, maps);
            ProcessState state = new ProcessState(pid, exe, comm, argv, cwd, umask, Mm.dump(live, brk), auxv, regions, threads,
                    actions, rlimits, itimers, ThreadControl.pendingSignals(live, true), stopped, timers,
                    MappedFiles.identify(exe, maps));
            sink.describe(state); // the process is frozen: nothing above changes while memory streams
            Pages.stream(mem, regions, sink);
            return state;
        } finally {
            try {
                putBack(); // a no-op unless the dump failed before its last injected call
            } catch (RuntimeException e) {
                // the dump failed already (a thread died?): its error is the one to report
            }
            mem.close();
        }
    }

    /** The frozen process as the resource hooks see it: calls injected in thread {@code tid}. */
    private final class Remote implements RemoteProcess {
        private final int tid;

        Remote(int tid) {
            this.tid = tid;
        }

        @Override
        public int pid() {
            return pid;
        }

        @Override
        public long syscall(long nr, long... args) {
            return Injector.inject(tid, calls.site, nr, args);
        }

        @Override
        public long check(String what, long nr, long... args) {
            return Injector.injectChecked(tid, calls.site, what, nr, args);
        }

        @Override
        public byte[] read(long address, int length) {
            return mem.read(address, length);
        }

        @Override
        public void write(long address, byte[] bytes) {
            if (hookScratch == null || !hookScratch.holds(address, bytes.length)) {
                throw new IllegalArgumentException("a dump writes only into its scratch memory, not at 0x" + Long.toHexString(address));
            }
            mem.write(address, bytes);
        }

        @Override
        public long scratch(int size) {
            if (size > SCRATCH_MAX) {
                throw new IllegalArgumentException("scratch of " + size + " bytes asked, at most " + SCRATCH_MAX);
            }
            if (hookScratch == null) {
                hookScratch = Scratch.map(tids.get(0), calls.site, HOOK_SCRATCH);
            }
            return hookScratch.address() + Mman.PAGE_SIZE;
        }

        @Override
        public long putString(String s) {
            byte[] b = (s + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (b.length > Mman.PAGE_SIZE) {
                throw new IllegalArgumentException("path too long: " + s);
            }
            scratch(0);
            mem.write(hookScratch.address(), b);
            return hookScratch.address();
        }
    }

    /**
     * Undoes what the injected calls left in the program: the spare page and the hooks'
     * scratch are unmapped and the scratch slots get their bytes back. Runs once the last
     * call has been made and before any memory is streamed (so the image holds the program's
     * own bytes), and again (a no-op then) when the dump fails half-way. With every thread
     * also parked after each call, a tracer that dies while the image is written leaves a
     * program exactly as it was frozen.
     */
    private void putBack() {
        if (hookScratch != null) {
            Scratch s = hookScratch;
            hookScratch = null;
            s.unmap(calls.site);
        }
        if (spare != null) {
            Scratch s = spare;
            spare = null;
            s.unmap(calls.site);
        }
        for (Map.Entry<Long, byte[]> e : slots.entrySet()) {
            mem.write(e.getKey(), e.getValue());
        }
        slots.clear();
    }

    /**
     * A 64-byte slot for injected calls' output: 1 KiB below the thread's stack pointer
     * (well past the red zone) when that lies in a writable mapping (its bytes are kept and
     * put back by {@link #putBack}), else a spare page mapped for the dump (and unmapped
     * again; it is not in the saved maps).
     */
    private long scratchOf(int tid) {
        long slot = (ThreadControl.getRegs(tid)[UserRegs.RSP] - 1024) & ~63L;
        for (MemoryRegion r : maps) {
            if (slot >= r.start() && slot + 64 <= r.end() && (r.prot() & Mman.PROT_WRITE) != 0 && !r.shared()) {
                slots.computeIfAbsent(slot, a -> mem.read(a, 64));
                return slot;
            }
        }
        if (spare == null) {
            spare = Scratch.map(tids.get(0), calls.site, Mman.PAGE_SIZE);
        }
        return spare.address();
    }
}
