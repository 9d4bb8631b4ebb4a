package dmtcp.mem.linux.internal;

import dmtcp.mem.linux.api.Sys;
import dmtcp.mem.linux.api.Mman;
import dmtcp.mem.linux.api.UserRegs;
import dmtcp.mem.linux.api.Maps;
import dmtcp.mem.linux.api.Fds;
import dmtcp.mem.linux.api.ThreadControl;
import dmtcp.mem.linux.api.ProcessMemory;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.RemoteProcess;
import dmtcp.mem.linux.api.ResourceHooks;
import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.MemorySink;
import dmtcp.mem.linux.api.MmLayout;
import dmtcp.mem.linux.api.PageRange;
import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.SigAction;
import dmtcp.mem.linux.api.ThreadState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the state of a frozen process (see {@link dmtcp.mem.linux.api.Checkpointer}).
 * Runs on the tracer thread. Thread and process attributes that only the process itself
 * can ask for (clear_child_tid, sigaltstack, sigactions, itimers, POSIX timers' values, brk) are read by
 * injected syscalls whose output goes to a scratch slot below each thread's red zone;
 * memory goes to the sink through process_vm_readv into one reusable direct buffer.
 */
public final class Dumper {
    /** Size of the reusable transfer buffer. */
    static final int CHUNK = 32 << 20;
    private static ByteBuffer chunk;

    private final int pid;
    /**
     * A live thread: a leader that left with pthread_exit is a zombie whose /proc/PID/mem,
     * maps and pagemap are empty, so every per-process file is read through this one.
     */
    private final int live;
    private final List<Integer> tids;
    private final ProcessMemory mem;
    private long site;

    private final boolean stopped;

    private final ResourceHooks hooks;

    public Dumper(int pid, List<Integer> tids, boolean stopped, ResourceHooks hooks) {
        this.pid = pid;
        this.hooks = hooks;
        this.stopped = stopped;
        this.tids = tids;
        this.live = tids.get(0);
        this.mem = new ProcessMemory(live);
    }

    /** The transfer buffer, direct (the tracee's pages go straight into it): the tracer thread's only. */
    static ByteBuffer chunk() {
        if (chunk == null) {
            chunk = ByteBuffer.allocateDirect(CHUNK);
        }
        return chunk.clear();
    }

    public ProcessState dump(MemorySink sink) throws IOException {
        ThreadControl.checkThread();
        try {
            // first: a descriptor no resource handler saves refuses the checkpoint before anything is done
            hooks.claim(Fds.list(live));
            // so does a POSIX timer a restore could not rebuild (/proc/PID/timers, nothing injected)
            List<PosixTimer> timers = Timers.list(live, tids.size());
            int main = tids.get(0);
            site = Inject.findSite(main, mem);
            maps = Maps.read(live); // before any injected mmap of a spare scratch page
            List<ThreadState> threads = new ArrayList<>();
            for (int t : tids) {
                threads.add(dumpThread(t));
            }
            long scratch = scratchOf(main);
            long brk = Inject.check(main, site, "brk", Sys.SYS_brk, 0);
            // caught signals (SigCgt) need an injected rt_sigaction for handler, flags, restorer and
            // mask; ignored ones (SigIgn) and defaults are known from /proc. SIGCHLD is always asked:
            // SA_NOCLDWAIT/SA_NOCLDSTOP matter even with SIG_DFL.
            long caught = 0, ignored = 0;
            for (String l : Files.readAllLines(Path.of("/proc", Integer.toString(live), "status"))) {
                if (l.startsWith("SigCgt:")) {
                    caught = Long.parseUnsignedLong(l.substring(7).trim(), 16);
                } else if (l.startsWith("SigIgn:")) {
                    ignored = Long.parseUnsignedLong(l.substring(7).trim(), 16);
                }
            }
            List<SigAction> actions = new ArrayList<>();
            for (int sig = 1; sig <= Sys.NSIG; sig++) {
                if (sig == 9 || sig == 19) {
                    continue;
                }
                long bit = 1L << (sig - 1);
                if ((caught & bit) == 0 && sig != 17) {
                    actions.add(new SigAction(sig, (ignored & bit) != 0 ? 1 : 0, 0, 0, 0));
                    continue;
                }
                Inject.check(main, site, "rt_sigaction", Sys.SYS_rt_sigaction, sig, 0, scratch, 8);
                byte[] b = mem.read(scratch, Sys.KSIGACTION_SIZE);
                ByteBuffer bb = ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                actions.add(new SigAction(sig, bb.getLong(0), bb.getLong(8), bb.getLong(16), bb.getLong(24)));
            }
            long[][] itimers = new long[3][];
            for (int w = 0; w < 3; w++) {
                Inject.check(main, site, "getitimer", Sys.SYS_getitimer, w, scratch);
                ByteBuffer bb = ByteBuffer.wrap(mem.read(scratch, 32)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                itimers[w] = new long[] {bb.getLong(0), bb.getLong(8), bb.getLong(16), bb.getLong(24)};
            }
            timers = Timers.withValues(timers, main, site, scratch, mem);
            hooks.dump(new Remote(main));
            // the last injected call: from here on the program is exactly as the freeze left it
            putBack();
            long[][] rlimits = rlimits(live);
            String[] stat = statFields(live);
            MmLayout mm = new MmLayout(num(stat, 26), num(stat, 27), num(stat, 45), num(stat, 46), num(stat, 47), brk,
                    num(stat, 28), num(stat, 48), num(stat, 49), num(stat, 50), num(stat, 51));
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
            List<MemoryRegion> regions = savedPages(maps);
            ProcessState state = new ProcessState(pid, exe, comm, argv, cwd, umask, mm, auxv, regions, threads, actions,
                    rlimits, itimers, ThreadControl.pendingSignals(live, true), stopped, timers, MappedFiles.identify(exe, maps));
            sink.describe(state); // the process is frozen: nothing above changes while memory streams
            streamMemory(regions, sink);
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

    private List<MemoryRegion> maps;
    private long spare;
    /** A scratch area mapped for the resource hooks (see {@link Remote#scratch}), unmapped by {@link #putBack}. */
    private long hookScratch;
    private static final long HOOK_SCRATCH = RemoteProcess.SCRATCH_MAX + Mman.PAGE_SIZE;

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
            return Inject.syscall(tid, site, nr, args);
        }

        @Override
        public long check(String what, long nr, long... args) {
            return Inject.check(tid, site, what, nr, args);
        }

        @Override
        public byte[] read(long address, int length) {
            return mem.read(address, length);
        }

        @Override
        public void write(long address, byte[] bytes) {
            if (hookScratch == 0 || address < hookScratch || address + bytes.length > hookScratch + HOOK_SCRATCH) {
                throw new IllegalArgumentException("a dump writes only into its scratch memory, not at 0x" + Long.toHexString(address));
            }
            mem.write(address, bytes);
        }

        @Override
        public long scratch(int size) {
            if (size > SCRATCH_MAX) {
                throw new IllegalArgumentException("scratch of " + size + " bytes asked, at most " + SCRATCH_MAX);
            }
            if (hookScratch == 0) {
                hookScratch = Inject.check(tids.get(0), site, "mmap", Sys.SYS_mmap, 0, HOOK_SCRATCH, Mman.PROT_READ | Mman.PROT_WRITE,
                        Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
            }
            return hookScratch + Mman.PAGE_SIZE;
        }

        @Override
        public long putString(String s) {
            byte[] b = (s + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (b.length > Mman.PAGE_SIZE) {
                throw new IllegalArgumentException("path too long: " + s);
            }
            scratch(0);
            mem.write(hookScratch, b);
            return hookScratch;
        }
    }
    /** Scratch slots in the program's stacks and the bytes they held before the dump wrote there. */
    private final java.util.Map<Long, byte[]> slots = new java.util.LinkedHashMap<>();

    /**
     * Undoes what the injected calls left in the program: the spare page is unmapped and
     * the scratch slots get their bytes back. Runs once the last call has been made and
     * before any memory is streamed (so the image holds the program's own bytes), and again
     * (a no-op then) when the dump fails half-way. With every thread also parked after each
     * call (see {@link ThreadControl#park}), a tracer that dies while the image is written leaves a
     * program exactly as it was frozen.
     */
    private void putBack() {
        if (hookScratch != 0) {
            long area = hookScratch;
            hookScratch = 0;
            Inject.syscall(tids.get(0), site, Sys.SYS_munmap, area, HOOK_SCRATCH);
        }
        if (spare != 0) {
            long page = spare;
            spare = 0;
            Inject.syscall(tids.get(0), site, Sys.SYS_munmap, page, Mman.PAGE_SIZE);
        }
        for (java.util.Map.Entry<Long, byte[]> e : slots.entrySet()) {
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
        if (spare == 0) {
            spare = Inject.check(tids.get(0), site, "mmap", Sys.SYS_mmap, 0, Mman.PAGE_SIZE, Mman.PROT_READ | Mman.PROT_WRITE,
                    Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        }
        return spare;
    }

    private ThreadState dumpThread(int tid) {
        long[] regs = ThreadControl.getRegs(tid);
        byte[] xstate = ThreadControl.getXstate(tid);
        long sigmask = ThreadControl.getSigmask(tid);
        long[] rseq = ThreadControl.getRseq(tid);
        long scratch = scratchOf(tid);
        // PR_GET_TID_ADDRESS needs CONFIG_CHECKPOINT_RESTORE; without it the tid address is lost
        long r = Inject.syscall(tid, site, Sys.SYS_prctl, Sys.PR_GET_TID_ADDRESS, scratch);
        long clearTid = r != 0 ? 0 : ByteBuffer.wrap(mem.read(scratch, 8)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        Inject.check(tid, site, "sigaltstack", Sys.SYS_sigaltstack, 0, scratch);
        ByteBuffer ss = ByteBuffer.wrap(mem.read(scratch, 24)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long[] robust = robustList(tid);
        return new ThreadState(tid, regs, xstate, sigmask, rseq[0], (int) rseq[1], (int) rseq[2], robust[0], robust[1],
                clearTid, ss.getLong(0), ss.getInt(8), ss.getLong(16), ThreadControl.pendingSignals(tid, false));
    }

    /** get_robust_list(tid) asked from this JVM: it needs only PTRACE_MODE_READ access. */
    private static long[] robustList(int tid) {
        Memory m = new Memory(16);
        long r = Libc.syscall(Sys.SYS_get_robust_list, tid, Pointer.nativeValue(m), Pointer.nativeValue(m) + 8, 0, 0, 0);
        if (r != 0) {
            throw ThreadControl.error("get_robust_list(" + tid + ")");
        }
        return new long[] {m.getLong(0), m.getLong(8)};
    }

    static long[][] rlimits(int pid) {
        long[][] l = new long[Sys.RLIM_NLIMITS][];
        Memory m = new Memory(16);
        for (int r = 0; r < Sys.RLIM_NLIMITS; r++) {
            if (Libc.syscall(Sys.SYS_prlimit64, pid, r, 0, Pointer.nativeValue(m), 0, 0) != 0) {
                throw ThreadControl.error("prlimit64(" + pid + ", " + r + ", NULL, &old)");
            }
            l[r] = new long[] {m.getLong(0), m.getLong(8)};
        }
        return l;
    }

    /** /proc/PID/stat split so that index n is field n of proc(5) (comm may hold spaces). */
    static String[] statFields(int pid) throws IOException {
        String s = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        String rest = s.substring(s.lastIndexOf(')') + 2).trim();
        String[] f = rest.split(" ");
        String[] out = new String[f.length + 3];
        System.arraycopy(f, 0, out, 3, f.length);
        return out;
    }

    private static long num(String[] f, int i) {
        return Long.parseUnsignedLong(f[i]);
    }

    /**
     * Which pages of each region carry data the mapping alone cannot give back: in anonymous
     * memory the present and swapped pages; in a private file mapping those no longer the
     * file's (written to, copied on write); in a writable shared file mapping the present
     * ones, which a restart uses only when the file is gone (the JVM's hsperfdata file, which
     * the next JVM deletes), never to write into a file that is there; in a read-only shared
     * file mapping none (the file is the data).
     */
    private List<MemoryRegion> savedPages(List<MemoryRegion> regions) {
        String path = "/proc/" + live + "/pagemap";
        int fd = Uio.open(path, Uio.O_RDONLY | Uio.O_CLOEXEC, 0);
        if (fd < 0) {
            throw ThreadControl.error("open(\"" + path + "\")");
        }
        int maxPages = 1 << 16;
        Memory pm = new Memory(8L * maxPages);
        // one bulk copy per pread, then plain Java: a JNA getLong per page cost ~0.1-0.5 us,
        // tens of milliseconds for the reserved-but-untouched arenas and stacks of a few threads
        long[] entries = new long[maxPages];
        List<MemoryRegion> out = new ArrayList<>();
        try {
            for (MemoryRegion r : regions) {
                boolean sharedFile = r.shared() && r.isFile();
                if (r.isKernelProvided() || (sharedFile && (r.prot() & Mman.PROT_WRITE) == 0)) {
                    out.add(r);
                    continue;
                }
                List<PageRange> ranges = new ArrayList<>();
                // a shared mapping's pages are the file's page cache (PM_FILE): present is what counts
                boolean fileBacked = r.isFile() && !sharedFile;
                boolean all = !fileBacked && r.inode() != 0 && !r.shared(); // private map of a deleted file
                long pages = r.length() / Mman.PAGE_SIZE;
                long runStart = -1;
                for (long p0 = 0; p0 < pages; p0 += maxPages) {
                    int n = (int) Math.min(maxPages, pages - p0);
                    if (!all) {
                        long want = 8L * n;
                        long off = (r.start() / Mman.PAGE_SIZE + p0) * 8;
                        long got = Uio.pread(fd, Pointer.nativeValue(pm), want, off);
                        if (got != want) {
                            throw ThreadControl.error("pread(" + path + ", " + want + ", " + off + ")");
                        }
                        pm.read(0, entries, 0, n);
                    }
                    for (int i = 0; i < n; i++) {
                        boolean keep;
                        if (all) {
                            keep = true;
                        } else {
                            long e = entries[i];
                            boolean present = (e & Mman.PM_PRESENT) != 0;
                            boolean swapped = (e & Mman.PM_SWAP) != 0;
                            keep = fileBacked ? (present && (e & Mman.PM_FILE) == 0) || swapped : present || swapped;
                        }
                        long page = p0 + i;
                        if (keep && runStart < 0) {
                            runStart = page;
                        } else if (!keep && runStart >= 0) {
                            ranges.add(new PageRange(runStart * Mman.PAGE_SIZE, (page - runStart) * Mman.PAGE_SIZE));
                            runStart = -1;
                        }
                    }
                }
                if (runStart >= 0) {
                    ranges.add(new PageRange(runStart * Mman.PAGE_SIZE, (pages - runStart) * Mman.PAGE_SIZE));
                }
                out.add(r.withSaved(ranges));
            }
        } finally {
            Uio.close(fd);
        }
        return out;
    }

    /** Reads every saved range, many per process_vm_readv, and hands them to the sink. */
    private void streamMemory(List<MemoryRegion> regions, MemorySink sink) throws IOException {
        ByteBuffer bb = chunk();
        long[] addrs = new long[Uio.UIO_MAXIOV];
        long[] lens = new long[Uio.UIO_MAXIOV];
        MemoryRegion[] owner = new MemoryRegion[Uio.UIO_MAXIOV];
        int n = 0;
        long used = 0;
        for (MemoryRegion r : regions) {
            for (PageRange pr : r.saved()) {
                long off = pr.offset();
                long left = pr.length();
                while (left > 0) {
                    if (n == addrs.length || used == CHUNK) {
                        flush(bb, addrs, lens, owner, n, sink);
                        n = 0;
                        used = 0;
                    }
                    long len = Math.min(left, CHUNK - used);
                    addrs[n] = r.start() + off;
                    lens[n] = len;
                    owner[n] = r;
                    n++;
                    used += len;
                    off += len;
                    left -= len;
                }
            }
        }
        flush(bb, addrs, lens, owner, n, sink);
    }

    private void flush(ByteBuffer bb, long[] addrs, long[] lens, MemoryRegion[] owner, int n, MemorySink sink)
            throws IOException {
        if (n == 0) {
            return;
        }
        mem.readv(bb, addrs, lens, 0, n);
        long pos = 0;
        for (int i = 0; i < n; i++) {
            bb.limit((int) (pos + lens[i])).position((int) pos);
            sink.write(owner[i], addrs[i] - owner[i].start(), bb);
            bb.clear();
            pos += lens[i];
        }
    }
}
