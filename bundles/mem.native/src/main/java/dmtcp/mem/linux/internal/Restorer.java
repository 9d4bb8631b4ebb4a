package dmtcp.mem.linux.internal;

import dmtcp.mem.linux.api.Mman;
import dmtcp.mem.linux.api.UserRegs;
import dmtcp.mem.linux.api.Maps;
import dmtcp.mem.linux.api.Fds;
import dmtcp.mem.linux.api.ThreadControl;
import dmtcp.mem.linux.api.ProcessMemory;
import static dmtcp.mem.linux.api.Sys.*;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.ExitStatus;
import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.MemorySource;
import dmtcp.mem.linux.api.NativeException;
import dmtcp.mem.linux.api.PageRange;
import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.RemoteProcess;
import dmtcp.mem.linux.api.ResourceHooks;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.SigAction;
import dmtcp.mem.linux.api.ThreadState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds a dumped process inside a fresh stub (see {@link dmtcp.mem.linux.api.Restorer}).
 * Runs on the tracer thread. Every change to the stub's address space and kernel state is
 * an injected syscall; memory contents are written through /proc/PID/mem.
 */
public final class Restorer {
    /** Scratch page layout: trampoline, then argument areas. */
    private static final long SCRATCH_SIZE = 16 * Mman.PAGE_SIZE;
    private static final long OFF_STRUCT = 64;
    private static final long OFF_AUXV = 1024;
    private static final long OFF_PATH = 4096;
    /** A buffer for injected reads (directory entries), below the injected calls' stack. */
    private static final long OFF_DATA = 8 * 4096;
    private static final long DATA_SIZE = 6 * 4096;
    private static final long LOWEST = 0x10000;
    private static final long TASK_SIZE = 0x7ffffffff000L;
    private static final int SIGSTOP = 19;
    private static final int SIGTRAP = 5;
    private static final int SS_DISABLE = 2;
    private static final int SS_AUTODISARM = 1 << 31;

    private final ProcessState st;
    private final MemorySource src;
    private int pid;
    private ProcessMemory mem;
    private long site;
    private long scratch;
    /** The restored threads so far, the leader (the stub's pid) first. */
    private final List<Integer> tids = new ArrayList<>();

    /** Milliseconds per phase of this restore (diagnostics). */
    private final Map<String, Long> timings = new java.util.LinkedHashMap<>();
    private long t0;

    private final Child stub;

    /**
     * @param stub a fresh child running {@code /bin/sh -c 'kill -STOP $$; exec "$0"' EXE}
     *     (see {@link #stubCommand}), not yet waited for
     */
    public Restorer(ProcessState st, MemorySource src, Child stub) {
        this.st = st;
        this.src = src;
        this.stub = stub;
    }

    /**
     * The stub's command line: the saved executable when it is still there and is the same
     * file, else {@code /bin/true} (any executable will do; only /proc/PID/exe then differs).
     */
    public static List<String> stubCommand(ProcessState st) {
        String exe = st.exe();
        String target = "/bin/true";
        if (!exe.endsWith(" (deleted)") && java.nio.file.Files.isExecutable(java.nio.file.Path.of(exe))) {
            target = exe;
        }
        return List.of("/bin/sh", "-c", "kill -STOP $$; exec \"$0\"", target);
    }

    public Map<String, Long> timings() {
        return java.util.Collections.unmodifiableMap(timings);
    }

    private void mark(String phase) {
        long now = System.nanoTime();
        timings.put(phase, (now - t0) / 1_000_000);
        t0 = now;
    }

    /** Builds the process and lets it run: {@link #build()}, {@link #finish} then {@link #release()}. */
    public Child restore(ResourceHooks hooks) throws IOException {
        build();
        finish(hooks);
        return release();
    }

    /**
     * Builds the process's memory (the stub's address space replaced by the saved one, filled
     * from the source, the whole source verified) and its mm layout, and leaves the stub stopped
     * under this tracer: nothing of the program has run yet. {@link #finish} builds the rest,
     * {@link #release()} lets it run, {@link #abandon()} kills it. A failure kills the
     * half-built process and throws.
     */
    public void build() throws IOException {
        ThreadControl.checkThread();
        t0 = System.nanoTime();
        pid = stub.pid();
        boolean done = false;
        try {
            startStub();
            // every signal but SIGTRAP (a blocked one would reset its handler at our steps' traps)
            // stays queued, siginfo and all, until the saved masks are set after the last step;
            // cloned threads inherit this mask
            ThreadControl.setSigmask(pid, ~(1L << (SIGTRAP - 1)));
            mark("stub");
            mem = new ProcessMemory(pid);
            List<MemoryRegion> stubMaps = Maps.read(pid);
            site = Inject.findSite(pid, mem);
            MemoryRegion stubVdso = find(stubMaps, "[vdso]");
            long siteInVdso = stubVdso != null && site >= stubVdso.start() && site < stubVdso.end() ? site - stubVdso.start() : -1;

            List<long[]> busy = new ArrayList<>();
            for (MemoryRegion r : st.regions()) {
                busy.add(new long[] {r.start(), r.end()});
            }
            for (MemoryRegion r : stubMaps) {
                busy.add(new long[] {r.start(), r.end()});
            }
            scratch = gap(busy, SCRATCH_SIZE);
            long a = inject("mmap", SYS_mmap, scratch, SCRATCH_SIZE, Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC,
                    Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED_NOREPLACE, -1, 0);
            if (a != scratch) {
                throw new IllegalStateException("trampoline mapped at 0x" + Long.toHexString(a) + ", not 0x" + Long.toHexString(scratch));
            }
            mem.write(scratch, new byte[] {0x0f, 0x05, (byte) 0xcc});
            site = scratch;
            busy.add(new long[] {scratch, scratch + SCRATCH_SIZE});
            // injected calls run on a stack in the scratch area: never on a restored sigaltstack
            // (sigaltstack() refuses to change the stack it runs on)
            long[] regs = ThreadControl.getRegs(pid);
            regs[UserRegs.RSP] = stackTop();
            ThreadControl.setRegs(pid, regs);

            unmapStub(stubMaps);
            mark("unmap stub");
            moveVdso(stubMaps, busy);
            MemoryRegion savedVdso = find(st.regions(), "[vdso]");
            long finalSite = siteInVdso >= 0 && savedVdso != null ? savedVdso.start() + siteInVdso : -1;
            mapRegions();
            mark("map+fill memory");
            // the whole image is checked before anything outside this process is touched:
            // until here only the memory of a process that never ran was filled
            src.end();
            mark("image verified");
            setMm();
            this.finalSite = finalSite;
            done = true;
        } finally {
            if (mem != null) {
                mem.close();
            }
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
    public void finish(ResourceHooks hooks) throws IOException {
        ThreadControl.checkThread();
        t0 = System.nanoTime();
        this.hooks = hooks;
        boolean done = false;
        try {
            mem = new ProcessMemory(pid);
            Remote remote = new Remote(false);
            hooks.beforeThreads(remote);
            mark("fds");
            processAttributes();
            ThreadState leader = st.threads().get(0);
            threadAttributes(pid, leader, true);
            tids.add(pid);
            for (int i = 1; i < st.threads().size(); i++) {
                tids.add(cloneThread(st.threads().get(i)));
            }
            // POSIX timers once every thread a SIGEV_THREAD_ID timer may signal exists; armed last
            Map<Integer, Integer> newTids = new HashMap<>();
            for (int i = 0; i < tids.size(); i++) {
                newTids.put(st.threads().get(i).tid(), tids.get(i));
            }
            Timers.create(pid, site, mem, scratch + OFF_STRUCT, st.timers(), newTids);
            due = requeueSignals(tids);
            mark("threads");
            hooks.afterThreads(remote, java.util.Collections.unmodifiableMap(newTids));
            done = true;
        } finally {
            if (mem != null) {
                mem.close();
            }
            if (!done) {
                abandon();
            }
        }
    }

    /** Kills a process {@link #build()} built (or half-built) and collects its traced threads. */
    public void abandon() {
        ThreadControl.checkThread();
        Libc.kill(pid, 9);
        for (int tid : tids) {
            if (tid != pid) {
                ThreadControl.reap(tid); // traced threads stay zombies until their tracer collects them
            }
        }
    }

    /** Timers whose saved expiry signal was re-queued (see {@link Timers#arm}); set by {@link #build}. */
    private Set<Integer> due;
    /** Where the last injected call runs: a syscall in the moved vDSO, or -1 (the trampoline). */
    private long finalSite;
    /** The resource hooks given to {@link #finish}, called again at {@link #release}. */
    private ResourceHooks hooks = ResourceHooks.NONE;
    /** Signals the release hooks asked to be sent once the process runs ({@link RemoteProcess#signalAfterRelease}). */
    private final List<Integer> afterRelease = new ArrayList<>();

    /**
     * Arms the timers, removes the trampoline, gives every thread its saved registers and
     * mask, and detaches: the process runs from where it was checkpointed. The timers are
     * armed here, not when the process was built, so that the time it was held stopped
     * does not count against them.
     */
    public Child release() {
        ThreadControl.checkThread();
        t0 = System.nanoTime();
        boolean done = false;
        try {
            mem = new ProcessMemory(pid);
            try {
                try {
                    hooks.release(new Remote(true));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                armItimers();
                Timers.arm(pid, site, mem, scratch + OFF_STRUCT, st.timers(), due);
                // from the moved vDSO's syscall if there is one; else from the trampoline itself
                // (the step's trap comes at syscall exit, before anything is fetched there)
                if (finalSite >= 0) {
                    site = finalSite;
                }
                inject("munmap", SYS_munmap, scratch, SCRATCH_SIZE);
            } finally {
                mem.close();
            }
            // no step follows: what is queued now (re-queued signals, timers that fired already)
            // is delivered by the program itself once detached
            for (int i = 0; i < tids.size(); i++) {
                ThreadState ts = st.threads().get(i);
                int tid = tids.get(i);
                ThreadControl.setSigmask(tid, ts.sigmask());
                ThreadControl.setXstate(tid, ts.xstate());
                ThreadControl.setRegs(tid, resumeRegs(ts.regs()));
            }
            mark("timers+registers");
            // a process stopped at checkpoint time gets SIGSTOP with the detach: each thread
            // stops before running one instruction, and SIGCONT resumes it
            int sig = st.stopped() ? SIGSTOP : 0;
            for (int tid : tids) {
                if (!ThreadControl.detachIfAlive(tid, sig)) {
                    int[] status = new int[1];
                    Libc.waitpid(tid, status, Libc.__WALL | Libc.WNOHANG);
                    throw new NativeException("restore of " + st.comm() + ": detach of thread " + tid, 3,
                            "the restored process ended as soon as it ran (" + ExitStatus.fromWaitStatus(status[0]) + ")");
                }
            }
            for (ThreadControl.Caught p : ThreadControl.drainPending(tids)) {
                ThreadControl.resend(pid, p);
            }
            if (!afterRelease.isEmpty()) {
                // e.g. a terminal of another size than it knew: it asks again, and redraws
                awaitRestartedCalls();
                for (int s : afterRelease) {
                    Libc.kill(pid, s);
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

    /**
     * Waits (at most 200 ms) until the threads that were blocked in a system call at
     * checkpoint time (read() on the terminal, select()...) are blocked in it again. A signal
     * that arrives before a thread re-entered its call runs the handler and the call then
     * blocks again (its restart was rewound into the program, see {@link #resumeRegs}): a
     * full-screen program would redraw only at the next key. Once the call blocks, the
     * signal interrupts it (EINTR), as a SIGWINCH does when the user resizes the window.
     */
    private void awaitRestartedCalls() {
        long deadline = System.nanoTime() + 200_000_000L;
        for (int i = 0; i < tids.size(); i++) {
            long[] regs = st.threads().get(i).regs();
            long rax = regs[UserRegs.RAX];
            boolean inCall = regs[UserRegs.ORIG_RAX] >= 0
                    && (rax == -ERESTARTSYS || rax == -ERESTARTNOINTR || rax == -ERESTARTNOHAND);
            java.nio.file.Path syscall = java.nio.file.Path.of("/proc", Integer.toString(pid), "task",
                    Integer.toString(tids.get(i)), "syscall");
            String want = Long.toString(regs[UserRegs.ORIG_RAX]) + " ";
            while (inCall && System.nanoTime() < deadline) {
                try {
                    if (java.nio.file.Files.readString(syscall).startsWith(want)) {
                        break;
                    }
                } catch (IOException e) {
                    break; // the thread is gone, or may not be read: do not wait for it
                }
                Thread.onSpinWait();
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
        }
    }

    /** Seizes the stub at once, lets it exec the saved executable (its self-stop swallowed) and steps out of execve. */
    private void startStub() {
        // seized at once, with EXITKILL: a restarter killed from here on takes its stub with it
        // (seized only after the stub's self-stop, a restarter killed in between left a stopped
        // /bin/sh behind for good). The self-stop either came already (SIGCONT ends that group
        // stop; a seize alone would leave it in force after the detach) or comes later, a
        // signal this loop swallows.
        ThreadControl.seize(pid, Ptrace.PTRACE_O_TRACEEXEC | Ptrace.PTRACE_O_TRACECLONE | Ptrace.PTRACE_O_EXITKILL);
        Libc.kill(pid, 18); // SIGCONT
        String target = stubCommand(st).get(3);
        for (;;) {
            int s = ThreadControl.waitTid(pid);
            if (!ThreadControl.isStopped(s)) {
                throw new IllegalStateException(stubFailure(target, ExitStatus.fromWaitStatus(s)));
            }
            int ev = ThreadControl.event(s);
            // posix_spawn returns once the child's exec of /bin/sh has released its memory, not
            // once that exec is done: seized that early, the shell's own exec is reported too
            if (ev == Ptrace.PTRACE_EVENT_EXEC && isExecOf(target)) {
                break;
            }
            if (ev != 0) {
                ThreadControl.cont(pid, 0);
            } else {
                int sig = ThreadControl.stopSig(s);
                ThreadControl.cont(pid, sig == SIGSTOP ? 0 : sig);
            }
        }
        ThreadControl.step(pid); // out of execve: registers set inside a syscall would be overwritten
        long[] rseq = ThreadControl.getRseq(pid);
        if (rseq[0] != 0) {
            // not expected before ld.so ran, but a registered rseq makes the first munmap fatal
            Inject.check(pid, Inject.findSite(pid, new ProcessMemory(pid)), "rseq(unregister)", SYS_rseq, rseq[0], rseq[1],
                    RSEQ_FLAG_UNREGISTER, rseq[2]);
        }
    }

    /** Whether the stub now runs {@code target} (/proc/PID/exe is the file {@code target} names). */
    private boolean isExecOf(String target) {
        try {
            java.nio.file.Path exe = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc", Integer.toString(pid), "exe"));
            return exe.equals(java.nio.file.Path.of(target).toRealPath());
        } catch (IOException e) {
            return true; // cannot tell: as before, the first exec reported is the program's
        }
    }

    /** Why the stub's shell could not exec the program, as sh's exit status says (126, 127: POSIX's). */
    static String stubFailure(String target, ExitStatus how) {
        String why = switch (how.code()) {
            case 127 -> "not found: the file, or the ELF loader or #! interpreter it names, is missing";
            case 126 -> "not executable: permission denied, or not a program this system runs";
            default -> "the stub shell ended (" + how + ")";
        };
        return "cannot exec " + target + " to restore it: " + why;
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
            return Inject.syscall(pid, site, nr, args);
        }

        @Override
        public long check(String what, long nr, long... args) {
            return Inject.checkResult(pid, what, Inject.syscall(pid, site, nr, args), Restorer.this::shown, args);
        }

        @Override
        public byte[] read(long address, int length) {
            return mem.read(address, length);
        }

        @Override
        public void write(long address, byte[] bytes) {
            mem.write(address, bytes);
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
            return Restorer.this.putString(s);
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

    private long inject(String name, long nr, long... args) {
        return Inject.checkResult(pid, name, Inject.syscall(pid, site, nr, args), this::shown, args);
    }

    /** An injected call's argument in an error message: the string {@link #putString} put there, else hex. */
    private String shown(long arg) {
        return arg == scratch + OFF_PATH && put != null ? "\"" + put + "\"" : "0x" + Long.toHexString(arg);
    }

    /** What {@link #putString} last wrote at the path slot, for error messages. */
    private String put;

    private static MemoryRegion find(List<MemoryRegion> l, String path) {
        for (MemoryRegion r : l) {
            if (r.path().equals(path)) {
                return r;
            }
        }
        return null;
    }

    /** The lowest page-aligned hole of {@code size} (plus a guard page each side) between {@code busy} ranges. */
    static long gap(List<long[]> busy, long size) {
        List<long[]> l = new ArrayList<>(busy);
        l.sort(Comparator.comparingLong(x -> x[0]));
        long cand = 0x100000;
        for (long[] b : l) {
            if (b[1] <= cand) {
                continue;
            }
            if (b[0] >= cand + size + 2 * Mman.PAGE_SIZE) {
                return cand + Mman.PAGE_SIZE;
            }
            cand = Math.max(cand, b[1]);
        }
        if (cand + size + 2 * Mman.PAGE_SIZE <= TASK_SIZE) {
            return cand + Mman.PAGE_SIZE;
        }
        throw new IllegalStateException("no free address range of " + size + " bytes");
    }

    /** munmap every hole between what must stay: the trampoline and the kernel's [vdso]/[vvar*]/[vsyscall]. */
    private void unmapStub(List<MemoryRegion> stubMaps) {
        List<long[]> keep = new ArrayList<>();
        keep.add(new long[] {scratch, scratch + SCRATCH_SIZE});
        for (MemoryRegion r : stubMaps) {
            if (r.isKernelProvided()) {
                keep.add(new long[] {r.start(), r.end()});
            }
        }
        keep.sort(Comparator.comparingLong(x -> x[0]));
        long from = LOWEST;
        for (long[] k : keep) {
            if (k[0] >= TASK_SIZE) {
                break;
            }
            if (k[0] > from) {
                inject("munmap", SYS_munmap, from, k[0] - from);
            }
            from = Math.max(from, k[1]);
        }
        if (from < TASK_SIZE) {
            inject("munmap", SYS_munmap, from, TASK_SIZE - from);
        }
    }

    /** mremap [vvar], [vvar_vclock] and [vdso] to their saved addresses, keeping their relative layout. */
    private void moveVdso(List<MemoryRegion> stubMaps, List<long[]> busy) {
        List<MemoryRegion[]> pairs = new ArrayList<>();
        for (MemoryRegion s : stubMaps) {
            if (!s.isKernelProvided() || s.path().equals("[vsyscall]")) {
                continue;
            }
            MemoryRegion d = find(st.regions(), s.path());
            if (d == null) {
                inject("munmap", SYS_munmap, s.start(), s.length());
                continue;
            }
            if (d.length() != s.length() || d.start() - s.start() != pairs.stream().findFirst().map(p -> p[1].start() - p[0].start()).orElse(d.start() - s.start())) {
                throw new IllegalStateException("the vDSO differs from the one at checkpoint time (was the image taken on another kernel?): "
                        + s + " vs saved " + d);
            }
            pairs.add(new MemoryRegion[] {s, d});
        }
        if (pairs.isEmpty() || pairs.get(0)[0].start() == pairs.get(0)[1].start()) {
            return;
        }
        long lo = Long.MAX_VALUE, hi = 0;
        for (MemoryRegion[] p : pairs) {
            lo = Math.min(lo, p[0].start());
            hi = Math.max(hi, p[0].end());
        }
        long tmp = gap(busy, hi - lo);
        for (MemoryRegion[] p : pairs) {
            inject("mremap", SYS_mremap, p[0].start(), p[0].length(), p[0].length(), Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED,
                    tmp + (p[0].start() - lo));
        }
        for (MemoryRegion[] p : pairs) {
            inject("mremap", SYS_mremap, tmp + (p[0].start() - lo), p[0].length(), p[0].length(),
                    Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, p[1].start());
        }
    }

    private long putString(String s) {
        byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_8);
        if (b.length > OFF_DATA - OFF_PATH) {
            throw new IllegalArgumentException("path too long: " + s);
        }
        mem.write(scratch + OFF_PATH, b);
        put = s;
        return scratch + OFF_PATH;
    }

    /**
     * Maps every saved region at its address with its protection and fills it with its
     * saved pages: all of it inside the process being built, which has not run. A file
     * mapping must be the same file as at checkpoint time ({@link #checkSameFile}). A shared
     * mapping of a file that is there gets its pages from the file: the image's copy of a
     * writable one is read past, never written into the file (the file holds the newer
     * data, and an image is data, not a licence to write the user's files). A writable
     * shared mapping whose file is gone (a JVM's hsperfdata file, which the next JVM deletes)
     * is rebuilt from that copy in a memfd, one per file and sized to its mappings, so that
     * several mappings of the file (or pieces of one split by mprotect) still share their
     * pages at their offsets, and /proc/PID/maps names the file (/memfd:PATH (deleted)).
     */
    private void mapRegions() throws IOException {
        Map<String, Long> fds = new HashMap<>();
        Map<String, Long> memfds = new HashMap<>();
        ByteBuffer bb = Dumper.chunk();
        try {
            for (MemoryRegion r : st.regions()) {
                if (r.isKernelProvided()) {
                    continue;
                }
                int flags = (r.shared() ? Mman.MAP_SHARED : Mman.MAP_PRIVATE) | Mman.MAP_FIXED;
                long fd = -1;
                // pages that are the file's own: read past, not written into the mapping
                boolean theFiles = false;
                if (r.isFile()) {
                    boolean there = checkSameFile(r);
                    boolean rw = r.shared() && (r.prot() & Mman.PROT_WRITE) != 0;
                    if (!there && rw && !r.saved().isEmpty()) {
                        Long m = memfds.get(r.path());
                        if (m == null) {
                            m = memfdFor(r.path());
                            memfds.put(r.path(), m);
                        }
                        fd = m;
                    } else if (!there && (r.shared() || r.savedBytes() != r.length())) {
                        throw new IllegalStateException("the file " + r.path() + ", mapped " + (r.shared() ? "shared" : "private")
                                + " at 0x" + Long.toHexString(r.start()) + ", is gone, and the image does not hold "
                                + (r.shared() ? "a copy of it (only writable shared mappings are saved)" : "all its pages"));
                    } else {
                        String key = (rw ? "rw:" : "ro:") + r.path();
                        Long f = fds.get(key);
                        if (f == null) {
                            f = Inject.syscall(pid, site, SYS_openat, Uio.AT_FDCWD, putString(r.path()),
                                    (rw ? Uio.O_RDWR : Uio.O_RDONLY) | Fds.O_NOCTTY, 0);
                            fds.put(key, f);
                        }
                        fd = f;
                        if (fd < 0 && (r.shared() || r.savedBytes() != r.length())) {
                            Inject.checkResult(pid, "open the file mapped at 0x" + Long.toHexString(r.start()) + ": openat", fd,
                                    this::shown, Uio.AT_FDCWD, putString(r.path()), rw ? Uio.O_RDWR : Uio.O_RDONLY, 0);
                        }
                        theFiles = fd >= 0 && r.shared();
                    }
                }
                long off = 0;
                if (fd < 0) {
                    flags |= Mman.MAP_ANONYMOUS;
                    if (r.path().equals("[stack]")) {
                        flags |= Mman.MAP_GROWSDOWN;
                    }
                } else {
                    off = r.offset();
                }
                String what = "mmap of " + r;
                long a = Inject.syscall(pid, site, SYS_mmap, r.start(), r.length(), r.prot(), flags, fd, off);
                if (a == -12 && (flags & Mman.MAP_SHARED) == 0) {
                    // ENOMEM: the kernel will not commit this much private memory, so the program had
                    // it MAP_NORESERVE (maps does not say so): map it the same way
                    a = inject(what, SYS_mmap, r.start(), r.length(), r.prot(), flags | Mman.MAP_NORESERVE, fd, off);
                } else {
                    Inject.checkResult(pid, what, a, r.start(), r.length(), r.prot(), flags, fd, off);
                }
                if (a != r.start()) {
                    throw new IllegalStateException("mmap of " + r + " landed at 0x" + Long.toHexString(a));
                }
                for (PageRange pr : r.saved()) {
                    long done = 0;
                    while (done < pr.length()) {
                        int n = (int) Math.min(Dumper.CHUNK, pr.length() - done);
                        bb.clear().limit(n);
                        src.read(r, pr.offset() + done, bb);
                        if (bb.hasRemaining()) {
                            throw new IOException("memory source gave " + bb.position() + " of " + n + " bytes for " + r);
                        }
                        if (!theFiles) {
                            mem.write(r.start() + pr.offset() + done, bb.flip());
                        }
                        done += n;
                    }
                }
            }
        } finally {
            for (Map<String, Long> m : List.of(fds, memfds)) {
                for (long fd : m.values()) {
                    if (fd >= 0) {
                        Inject.syscall(pid, site, SYS_close, fd);
                    }
                }
            }
        }
    }

    /**
     * A memfd standing for a shared file that is gone, as large as the furthest of its
     * mappings reaches. Says so on stderr: the pages the program had not touched at
     * checkpoint time were not saved and read as zeros.
     */
    private long memfdFor(String path) {
        long size = 0;
        long saved = 0;
        for (MemoryRegion r : st.regions()) {
            if (r.shared() && r.path().equals(path)) {
                size = Math.max(size, r.offset() + r.length());
                saved += r.savedBytes();
            }
        }
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        String shown = name.length <= MFD_NAME_MAX ? path : new String(name, name.length - MFD_NAME_MAX, MFD_NAME_MAX,
                StandardCharsets.UTF_8);
        long fd = inject("memfd_create", SYS_memfd_create, putString(shown), MFD_CLOEXEC);
        inject("ftruncate(memfd for " + path + ")", SYS_ftruncate, fd, size);
        System.err.println("dmtcp restore: " + path + ", mapped shared, is gone: its mappings are rebuilt from the "
                + (saved >> 10) + " KiB the image holds (what the program had not touched reads as zeros)");
        return fd;
    }

    /** Bytes of a memfd name the kernel keeps (MFD_NAME_MAX_LEN, mm/memfd.c): the path's end is kept. */
    private static final int MFD_NAME_MAX = 249;

    /**
     * A file mapped at checkpoint time must still be the same file (same inode): mapping a
     * rebuilt library or executable under the saved pages would corrupt the process. It
     * must be a regular file or a device (as /dev/zero): opening a FIFO or socket named in
     * an image would block the restore or have effects outside it.
     *
     * @return true when it is there, false when it is gone
     */
    static boolean checkSameFile(MemoryRegion r) {
        Map<String, Object> a;
        try {
            a = java.nio.file.Files.readAttributes(java.nio.file.Path.of(r.path()), "unix:ino,mode");
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            return true; // cannot tell; the injected openat reports what is wrong
        }
        int type = (Integer) a.get("mode") & S_IFMT;
        if (type != S_IFREG && type != S_IFCHR && type != S_IFBLK) {
            throw new IllegalStateException("the file " + r.path() + " mapped at 0x" + Long.toHexString(r.start())
                    + " is not a regular file now (mode 0" + Integer.toOctalString((Integer) a.get("mode")) + "): not opened");
        }
        long ino = (Long) a.get("ino");
        if (ino != r.inode()) {
            throw new NativeException("restore mapping of " + r.path(), 116,
                    "the file was replaced since the checkpoint (inode " + r.inode() + " then, " + ino + " now)");
        }
        return true;
    }

    /** &lt;sys/stat.h&gt; file types. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFCHR = 0020000;

    /**
     * Refuses a process description a restore must not follow, before anything is started:
     * regions out of address order, overlapping or not page aligned, saved ranges outside
     * their region, out of order or not whole pages. A crafted image could otherwise aim one
     * region's saved pages at its neighbour (such as a file mapped shared) or map over what
     * it already wrote.
     *
     * @throws IllegalArgumentException naming the region
     */
    public static void validate(ProcessState st) {
        if (st.threads().isEmpty()) {
            throw new IllegalArgumentException("the process description lists no thread");
        }
        long prevEnd = 0;
        for (MemoryRegion r : st.regions()) {
            if (r.start() % Mman.PAGE_SIZE != 0 || r.end() % Mman.PAGE_SIZE != 0 || Long.compareUnsigned(r.end(), r.start()) <= 0
                    || Long.compareUnsigned(r.start(), prevEnd) < 0) {
                throw new IllegalArgumentException("the region " + r + " is not page aligned, empty, or overlaps the one before it");
            }
            long at = 0;
            for (PageRange pr : r.saved()) {
                if (r.isKernelProvided() || pr.offset() % Mman.PAGE_SIZE != 0 || pr.length() <= 0 || pr.length() % Mman.PAGE_SIZE != 0
                        || pr.offset() < at || pr.offset() > r.length() - pr.length()) {
                    throw new IllegalArgumentException("the region " + r + " lists saved pages " + pr + " outside it or out of order");
                }
                at = pr.offset() + pr.length();
            }
            prevEnd = r.end();
        }
    }

    /** prctl(PR_SET_MM, PR_SET_MM_MAP): brk, code/data/stack/arg/env bounds and auxv; exe_fd -1 needs no capability. */
    private void setMm() {
        var m = st.mm();
        ByteBuffer b = ByteBuffer.allocate(PRCTL_MM_MAP_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : new long[] {m.startCode(), m.endCode(), m.startData(), m.endData(), m.startBrk(), m.brk(),
                m.startStack(), m.argStart(), m.argEnd(), m.envStart(), m.envEnd()}) {
            b.putLong(v);
        }
        b.putLong(scratch + OFF_AUXV);
        b.putInt(st.auxv().length);
        b.putInt(-1);
        mem.write(scratch + OFF_AUXV, st.auxv());
        mem.write(scratch + OFF_STRUCT, b.array());
        inject("prctl(PR_SET_MM, PR_SET_MM_MAP)", SYS_prctl, PR_SET_MM, PR_SET_MM_MAP, scratch + OFF_STRUCT, PRCTL_MM_MAP_SIZE, 0);
    }

    /** alarm/setitimer timers, with the time they had left at checkpoint time. */
    private void armItimers() {
        for (int w = 0; w < st.itimers().length; w++) {
            long[] t = st.itimers()[w];
            if (t[2] != 0 || t[3] != 0) {
                ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
                for (long v : t) {
                    b.putLong(v);
                }
                mem.write(scratch + OFF_STRUCT, b.array());
                inject("setitimer", SYS_setitimer, w, scratch + OFF_STRUCT, 0);
            }
        }
    }

    private void processAttributes() {
        inject("umask", SYS_umask, st.umask());
        inject("prctl(PR_SET_NAME)", SYS_prctl, PR_SET_NAME, putString(st.comm()), 0, 0, 0);
        long r = Inject.syscall(pid, site, SYS_chdir, putString(st.cwd()));
        if (r < 0) {
            System.err.println("dmtcp restore: chdir(" + st.cwd() + ") failed with errno " + -r + "; staying in the stub's cwd");
        }
        // exec left every handler of the stub default or ignored: set the non-default ones and
        // reset those the stub ignores
        long stubIgnored = 0;
        for (String l : Inject.lines(java.nio.file.Path.of("/proc", Integer.toString(pid), "status"))) {
            if (l.startsWith("SigIgn:")) {
                stubIgnored = Long.parseUnsignedLong(l.substring(7).trim(), 16);
            }
        }
        for (SigAction a : st.sigactions()) {
            if (a.isDefault() && a.signal() != 17 && (stubIgnored & (1L << (a.signal() - 1))) == 0) {
                continue;
            }
            ByteBuffer b = ByteBuffer.allocate(KSIGACTION_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(a.handler()).putLong(a.flags()).putLong(a.restorer()).putLong(a.mask());
            mem.write(scratch + OFF_STRUCT, b.array());
            inject("rt_sigaction(" + a.signal() + ")", SYS_rt_sigaction, a.signal(), scratch + OFF_STRUCT, 0, 8);
        }
        Memory lim = new Memory(16);
        for (int res = 0; res < st.rlimits().length; res++) {
            lim.setLong(0, st.rlimits()[res][0]);
            lim.setLong(8, st.rlimits()[res][1]);
            // raising a hard limit needs CAP_SYS_RESOURCE: keep the stub's then
            Libc.syscall(SYS_prlimit64, pid, res, Pointer.nativeValue(lim), 0, 0, 0);
        }
    }

    /**
     * Per-thread kernel state only the thread itself can set: tid address (the leader
     * only: a cloned thread got it from CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID), robust
     * list, rseq, sigaltstack.
     */
    private void threadAttributes(int tid, ThreadState ts, boolean leader) {
        if (leader && ts.clearChildTid() != 0) {
            long newTid = Inject.check(tid, site, "set_tid_address", SYS_set_tid_address, ts.clearChildTid());
            // glibc caches the tid in struct pthread, which is where clear_child_tid points
            mem.write(ts.clearChildTid(), ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) newTid).array());
        }
        if (ts.robustListHead() != 0) {
            Inject.check(tid, site, "set_robust_list", SYS_set_robust_list, ts.robustListHead(), ts.robustListLength());
        }
        if (ts.rseqAddress() != 0) {
            Inject.check(tid, site, "rseq", SYS_rseq, ts.rseqAddress(), ts.rseqLength(), 0, ts.rseqSignature() & 0xffffffffL);
        }
        if ((ts.altStackFlags() & SS_DISABLE) == 0) {
            ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            // SS_ONSTACK is a report, not a setting; SS_AUTODISARM is kept
            b.putLong(ts.altStackSp()).putInt(ts.altStackFlags() & SS_AUTODISARM).putInt(0).putLong(ts.altStackSize());
            mem.write(scratch + OFF_STRUCT, b.array());
            Inject.check(tid, site, "sigaltstack", SYS_sigaltstack, scratch + OFF_STRUCT, 0);
        }
    }

    /**
     * Queues the saved pending signals again, siginfo and all. Injected in the leader: the
     * kernel lets a process queue any siginfo only to itself, judged by the caller's own
     * tid, which for the leader is the pid. The expiry of a timer that is armed again is
     * left to the timer (see {@link Timers#rearmedOwner}).
     *
     * @return the periodic timers whose expiry was queued: they are armed to expire at once
     */
    private Set<Integer> requeueSignals(List<Integer> tids) {
        Set<Integer> due = new HashSet<>();
        for (int i = 0; i <= tids.size(); i++) {
            boolean process = i == tids.size();
            for (byte[] info : process ? st.pendingSignals() : st.threads().get(i).pendingSignals()) {
                PosixTimer t = Timers.rearmedOwner(info, st.timers());
                if (t != null) {
                    if (t.intervalNanos() != 0) {
                        due.add(t.id());
                    }
                    continue;
                }
                mem.write(scratch + OFF_AUXV, info);
                int sig = ByteBuffer.wrap(info).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
                if (process) {
                    inject("rt_sigqueueinfo(" + sig + ")", SYS_rt_sigqueueinfo, pid, sig, scratch + OFF_AUXV);
                } else {
                    inject("rt_tgsigqueueinfo(" + sig + ")", SYS_rt_tgsigqueueinfo, pid, tids.get(i), sig, scratch + OFF_AUXV);
                }
            }
        }
        return due;
    }

    /** clone() a thread from the leader (auto-attached by PTRACE_O_TRACECLONE) and give it its kernel state. */
    private int cloneThread(ThreadState ts) {
        long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS;
        if (ts.clearChildTid() != 0) {
            flags |= CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
        }
        int tid = (int) Inject.check(pid, site, "clone", SYS_clone, flags, stackTop(), 0, ts.clearChildTid(), ts.regs()[UserRegs.FS_BASE]);
        for (;;) {
            int s = ThreadControl.waitTid(tid);
            if (!ThreadControl.isStopped(s)) {
                throw new NativeException("clone of thread " + ts.tid(), 3, "new thread " + tid + " ended, status 0x" + Integer.toHexString(s));
            }
            if (ThreadControl.event(s) == Ptrace.PTRACE_EVENT_STOP || ThreadControl.stopSig(s) == SIGSTOP) {
                break;
            }
            ThreadControl.cont(tid, 0);
        }
        // CLONE_CHILD_SETTID already wrote the new tid into glibc's struct pthread
        threadAttributes(tid, ts, false);
        return tid;
    }

    /**
     * The registers to resume with. A thread stopped inside a syscall must restart it in
     * the new process (as CRIU does): -ERESTARTSYS/-ERESTARTNOINTR/-ERESTARTNOHAND re-run
     * the call; -ERESTART_RESTARTBLOCK (the restart block belongs to the old process)
     * returns -EINTR. orig_rax = -1 so the kernel does no restart handling of its own.
     */
    static long[] resumeRegs(long[] saved) {
        long[] r = saved.clone();
        if (r[UserRegs.ORIG_RAX] >= 0) {
            long rax = r[UserRegs.RAX];
            if (rax == -ERESTARTSYS || rax == -ERESTARTNOINTR || rax == -ERESTARTNOHAND) {
                r[UserRegs.RAX] = r[UserRegs.ORIG_RAX];
                r[UserRegs.RIP] -= 2;
            } else if (rax == -ERESTART_RESTARTBLOCK) {
                r[UserRegs.RAX] = -EINTR;
            }
        }
        r[UserRegs.ORIG_RAX] = -1;
        return r;
    }
}
