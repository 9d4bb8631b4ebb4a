package dmtcp.mem.linux.api;

import static dmtcp.mem.linux.internal.Ptrace.*;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dmtcp.mem.linux.internal.Libc;
import dmtcp.mem.linux.internal.Ptrace;
import java.util.ArrayList;
import java.util.List;

/**
 * Tracee control: throwing wrappers over the ptrace requests (seize, interrupt, continue,
 * single-step, detach; registers as {@code long[]} indexed by {@link UserRegs}, the XSAVE
 * area, signal mask, rseq, queued signals), plus waiting for a tracee's stops. Every method must run on {@link Tracer#get()}'s thread; errors are
 * {@link NativeException}s naming the request, its tid and errno.
 */
public final class ThreadControl {
    private ThreadControl() {}

    /** PTRACE_SEIZE options (&lt;linux/ptrace.h&gt;). */
    public static final int PTRACE_O_TRACECLONE = Ptrace.PTRACE_O_TRACECLONE;
    public static final int PTRACE_O_TRACEEXEC = Ptrace.PTRACE_O_TRACEEXEC;
    public static final int PTRACE_O_EXITKILL = Ptrace.PTRACE_O_EXITKILL;
    /** Event stops ({@link #event} of a wait status). */
    public static final int PTRACE_EVENT_CLONE = Ptrace.PTRACE_EVENT_CLONE;
    public static final int PTRACE_EVENT_EXEC = Ptrace.PTRACE_EVENT_EXEC;
    public static final int PTRACE_EVENT_STOP = Ptrace.PTRACE_EVENT_STOP;
    /** sizeof(siginfo_t): the raw siginfo of {@link #pendingSignals}. */
    public static final int SIGINFO_SIZE = Ptrace.SIGINFO_SIZE;

    /** Scratch native memory, used only from the tracer thread. */
    private static final Memory IOV = new Memory(16);
    private static final Memory WORDS = new Memory(UserRegs.SIZE);
    private static Memory xbuf = new Memory(4096);

    /** Signals that arrived while a tracee was stopped by us, to re-send after detaching. */
    private static final List<Caught> PENDING = new ArrayList<>();

    /**
     * Threads of live programs ({@link #seizeLive}): no PTRACE_O_EXITKILL, so they run on if
     * this JVM dies; every injected call into one ends with {@link #park}.
     */
    private static final java.util.Set<Integer> LIVE = new java.util.HashSet<>();

    /**
     * A signal that reached thread {@code tid} during one of our single-steps and was held back,
     * with its siginfo (PTRACE_GETSIGINFO; null if it could not be read).
     */
    public record Caught(int tid, int sig, byte[] siginfo) {}

    /**
     * Loads and links the native bindings and the primitives a checkpoint uses (ptrace, uio,
     * libc; remote memory, injection, pagemap, limits), so that a frozen program does not
     * wait for class loading. Safe from any thread.
     */
    public static void warmUp() {
        for (Class<?> c : new Class<?>[] {Ptrace.class, dmtcp.mem.linux.internal.Uio.class, Libc.class,
            dmtcp.mem.linux.internal.Inject.class, ThreadControl.class, ProcessMemory.class, Injector.class, Maps.class,
            Pagemap.class, Rlimits.class, Scratch.class, Fds.class}) {
            try {
                Class.forName(c.getName(), true, ThreadControl.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // it loads when first used
            }
        }
    }

    public static void checkThread() {
        if (!Tracer.get().isTracerThread()) {
            throw new IllegalStateException("ptrace requests must run on the tracer thread (Tracer.get())");
        }
    }

    public static NativeException error(String call) {
        int errno = Native.getLastError();
        return new NativeException(call, errno, Libc.strerror(errno));
    }

    private static void req(String name, int request, int tid, long addr, long data) {
        if (Ptrace.ptrace(request, tid, addr, data) < 0) {
            throw error("ptrace(" + name + ", " + tid + ", 0x" + Long.toHexString(addr) + ", 0x" + Long.toHexString(data) + ")");
        }
    }

    public static void seize(int tid, int options) {
        req("PTRACE_SEIZE", PTRACE_SEIZE, tid, 0, options);
    }

    /**
     * PTRACE_SEIZE of a thread of a live program (no options: it must run on if this JVM
     * dies), without throwing: 0, or the errno (ESRCH: gone; EPERM: e.g. a zombie). The
     * thread is then {@linkplain #isLive live} until {@link #detachIfAlive} or {@link #detach}.
     */
    public static int seizeLive(int tid) {
        if (Ptrace.ptrace(PTRACE_SEIZE, tid, 0, 0) != 0) {
            return Native.getLastError();
        }
        LIVE.add(tid);
        return 0;
    }

    /** Whether {@code tid} is a thread of a live program seized by {@link #seizeLive}. */
    public static boolean isLive(int tid) {
        return LIVE.contains(tid);
    }

    public static void interrupt(int tid) {
        req("PTRACE_INTERRUPT", PTRACE_INTERRUPT, tid, 0, 0);
    }

    public static void setOptions(int tid, int options) {
        req("PTRACE_SETOPTIONS", PTRACE_SETOPTIONS, tid, 0, options);
    }

    public static void detach(int tid, int sig) {
        LIVE.remove(tid);
        req("PTRACE_DETACH", PTRACE_DETACH, tid, 0, sig);
    }

    /**
     * PTRACE_DETACH; a thread that is already gone (killed while stopped) is not an error.
     * Returns false for such a thread: its exit is still ours to collect (see {@link #reap}).
     */
    public static boolean detachIfAlive(int tid, int sig) {
        LIVE.remove(tid);
        if (Ptrace.ptrace(PTRACE_DETACH, tid, 0, sig) == 0) {
            return true;
        }
        if (Native.getLastError() != 3) {
            throw error("ptrace(PTRACE_DETACH, " + tid + ")");
        }
        return false;
    }

    /**
     * Collects the exit of a traced non-leader thread that died: the tracer must, or the
     * thread-group leader never becomes reapable by its parent.
     */
    public static void reap(int tid) {
        int[] st = new int[1];
        for (;;) {
            int r = Libc.waitpid(tid, st, Libc.__WALL);
            if (r == tid && isStopped(st[0])) {
                continue;
            }
            if (r == tid || (r < 0 && Native.getLastError() != 4)) {
                return;
            }
        }
    }

    public static void cont(int tid, int sig) {
        req("PTRACE_CONT", PTRACE_CONT, tid, 0, sig);
    }

    public static void singleStep(int tid, int sig) {
        req("PTRACE_SINGLESTEP", PTRACE_SINGLESTEP, tid, 0, sig);
    }

    public static long eventMsg(int tid) {
        req("PTRACE_GETEVENTMSG", PTRACE_GETEVENTMSG, tid, 0, Pointer.nativeValue(WORDS));
        return WORDS.getLong(0);
    }

    private static long regset(int tid, int type, Memory buf, long len, boolean set) {
        IOV.setLong(0, Pointer.nativeValue(buf));
        IOV.setLong(8, len);
        String name = set ? "PTRACE_SETREGSET" : "PTRACE_GETREGSET";
        req(name + "/" + (type == NT_PRSTATUS ? "NT_PRSTATUS" : "0x" + Integer.toHexString(type)),
                set ? PTRACE_SETREGSET : PTRACE_GETREGSET, tid, type, Pointer.nativeValue(IOV));
        return IOV.getLong(8);
    }

    /** The thread's {@code user_regs_struct}, indexed by {@link UserRegs}. */
    public static long[] getRegs(int tid) {
        regset(tid, NT_PRSTATUS, WORDS, UserRegs.SIZE, false);
        return WORDS.getLongArray(0, UserRegs.COUNT);
    }

    public static void setRegs(int tid, long[] regs) {
        WORDS.write(0, regs, 0, UserRegs.COUNT);
        regset(tid, NT_PRSTATUS, WORDS, UserRegs.SIZE, true);
    }

    /** The whole XSAVE area; the buffer grows until the kernel no longer fills it. */
    public static byte[] getXstate(int tid) {
        for (;;) {
            long n = regset(tid, NT_X86_XSTATE, xbuf, xbuf.size(), false);
            if (n < xbuf.size()) {
                return xbuf.getByteArray(0, (int) n);
            }
            xbuf = new Memory(xbuf.size() * 2);
        }
    }

    public static void setXstate(int tid, byte[] xstate) {
        if (xbuf.size() < xstate.length) {
            xbuf = new Memory(Math.max(xstate.length, xbuf.size() * 2));
        }
        xbuf.write(0, xstate, 0, xstate.length);
        regset(tid, NT_X86_XSTATE, xbuf, xstate.length, true);
    }

    public static long getSigmask(int tid) {
        req("PTRACE_GETSIGMASK", PTRACE_GETSIGMASK, tid, 8, Pointer.nativeValue(WORDS));
        return WORDS.getLong(0);
    }

    public static void setSigmask(int tid, long mask) {
        WORDS.setLong(0, mask);
        req("PTRACE_SETSIGMASK", PTRACE_SETSIGMASK, tid, 8, Pointer.nativeValue(WORDS));
    }

    /** {rseq_abi_pointer, rseq_abi_size, signature, flags}; pointer 0 when unregistered. */
    public static long[] getRseq(int tid) {
        WORDS.clear(RSEQ_CONFIG_SIZE);
        req("PTRACE_GET_RSEQ_CONFIGURATION", PTRACE_GET_RSEQ_CONFIGURATION, tid, RSEQ_CONFIG_SIZE, Pointer.nativeValue(WORDS));
        return new long[] {WORDS.getLong(0), WORDS.getInt(8) & 0xffffffffL, WORDS.getInt(12) & 0xffffffffL, WORDS.getInt(16) & 0xffffffffL};
    }

    /** The queued signals (raw siginfo_t) of the thread, or of its process when {@code shared}. */
    public static List<byte[]> pendingSignals(int tid, boolean shared) {
        int batch = 32;
        Memory args = new Memory(16);
        Memory buf = new Memory((long) batch * SIGINFO_SIZE);
        List<byte[]> l = new ArrayList<>();
        for (long off = 0;; ) {
            args.setLong(0, off);
            args.setInt(8, shared ? PTRACE_PEEKSIGINFO_SHARED : 0);
            args.setInt(12, batch);
            long n = Ptrace.ptrace(PTRACE_PEEKSIGINFO, tid, Pointer.nativeValue(args), Pointer.nativeValue(buf));
            if (n < 0) {
                throw error("ptrace(PTRACE_PEEKSIGINFO, " + tid + (shared ? ", SHARED" : "") + ")");
            }
            for (int i = 0; i < n; i++) {
                l.add(buf.getByteArray((long) i * SIGINFO_SIZE, SIGINFO_SIZE));
            }
            if (n < batch) {
                return l;
            }
            off += n;
        }
    }

    /**
     * {@code get_robust_list(tid)} asked from this JVM (it needs only PTRACE_MODE_READ access):
     * {head, length}; head 0 when none.
     */
    public static long[] robustList(int tid) {
        Memory m = new Memory(16);
        if (Libc.syscall(Sys.SYS_get_robust_list, tid, Pointer.nativeValue(m), Pointer.nativeValue(m) + 8, 0, 0, 0) != 0) {
            throw error("get_robust_list(" + tid + ")");
        }
        return new long[] {m.getLong(0), m.getLong(8)};
    }

    /** waitpid(tid, __WALL | WNOHANG): the status word of a change already there, or -1 when none (or no such child). */
    public static int poll(int tid) {
        int[] st = new int[1];
        return Libc.waitpid(tid, st, Libc.__WALL | Libc.WNOHANG) == tid ? st[0] : -1;
    }

    /**
     * Waits, as {@link #waitTid}, for the next change of a thread that was sent
     * PTRACE_INTERRUPT, and sends it again every 50 ms while none comes. Any ptrace stop
     * clears a pending interrupt (the kernel's ptrace_stop: "any trap clears pending STOP
     * trap"), so a thread let go from a stop that used it up may never stop by itself (seen
     * once: a freeze waiting forever for a thread back in pause(), under load). An interrupt
     * sent again is harmless: the pending trap is one bit, taken once.
     */
    public static int waitInterrupted(int tid) {
        int[] st = new int[1];
        long resend = System.nanoTime() + 50_000_000L;
        for (int round = 0;; round++) {
            int r = Libc.waitpid(tid, st, Libc.__WALL | Libc.WNOHANG);
            if (r == tid) {
                return st[0];
            }
            if (r < 0) {
                int errno = Native.getLastError();
                if (errno != 4) {
                    throw new NativeException("waitpid(" + tid + ", __WALL|WNOHANG)", errno, Libc.strerror(errno));
                }
                continue;
            }
            long now = System.nanoTime();
            if (now - resend > 0) {
                Ptrace.ptrace(PTRACE_INTERRUPT, tid, 0, 0); // ESRCH: it is exiting, and the wait will tell
                resend = now + 50_000_000L;
            }
            if (round < 200) {
                Thread.onSpinWait(); // an interrupt stop comes within microseconds, mostly
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(Math.min(1_000_000L, 1_000L << Math.min(10, (round - 200) / 8)));
            }
        }
    }

    /** waitpid(tid, __WALL) retrying EINTR; returns the status word. */
    public static int waitTid(int tid) {
        int[] st = new int[1];
        for (;;) {
            int r = Libc.waitpid(tid, st, Libc.__WALL);
            if (r == tid) {
                return st[0];
            }
            int errno = Native.getLastError();
            if (r < 0 && errno != 4) {
                throw new NativeException("waitpid(" + tid + ", __WALL)", errno, Libc.strerror(errno));
            }
        }
    }

    public static boolean isStopped(int status) {
        return (status & 0xff) == 0x7f;
    }

    public static int stopSig(int status) {
        return (status >> 8) & 0xff;
    }

    public static int event(int status) {
        return (status >>> 16) & 0xffff;
    }

    /**
     * Single-steps {@code tid} once, going on through ptrace event stops (clone, exec) that
     * the step passes; any other signal that arrives meanwhile is kept for later delivery.
     */
    public static void step(int tid) {
        singleStep(tid, 0);
        for (;;) {
            int st = waitTid(tid);
            if (!isStopped(st)) {
                throw new NativeException("single-step of " + tid, 3, "the thread ended (status 0x" + Integer.toHexString(st) + ")");
            }
            if (event(st) != 0) {
                singleStep(tid, 0);
                continue;
            }
            int sig = stopSig(st);
            if (sig == 5) { // SIGTRAP: the step is done
                return;
            }
            holdBack(tid, sig);
            singleStep(tid, 0);
        }
    }

    /**
     * Brings a thread that one of our single-steps left stopped back into the plain
     * PTRACE_EVENT_STOP the freeze put it in, without it running an instruction. After a
     * step the thread sits in a SIGTRAP signal-delivery-stop with the trap flag still forced
     * on (the kernel clears it only when the tracer resumes or detaches it): if this JVM
     * died then, the kernel's detach at tracer exit (which neither cancels the signal nor
     * clears the flag) would deliver that SIGTRAP and the program would die of it (signal
     * 5, seen: a launcher killed during a checkpoint). PTRACE_INTERRUPT queues a trap stop;
     * PTRACE_CONT(0) cancels the SIGTRAP and clears the trap flag, and the thread takes the
     * queued trap in the kernel, before returning to user space. From that stop a tracer
     * death simply lets the program run on. Signals that arrive meanwhile are held back as in
     * {@link #step}.
     */
    public static void park(int tid) {
        interrupt(tid);
        cont(tid, 0);
        for (;;) {
            int st = waitInterrupted(tid);
            if (!isStopped(st)) {
                throw new NativeException("parking of " + tid, 3, "the thread ended (status 0x" + Integer.toHexString(st) + ")");
            }
            if (event(st) == PTRACE_EVENT_STOP) {
                return;
            }
            if (event(st) == 0) {
                holdBack(tid, stopSig(st));
            }
            interrupt(tid); // that stop used up the queued trap (any ptrace stop clears it): queue it again
            cont(tid, 0);
        }
    }

    private static void holdBack(int tid, int sig) {
        Memory info = new Memory(SIGINFO_SIZE);
        boolean got = Ptrace.ptrace(PTRACE_GETSIGINFO, tid, 0, Pointer.nativeValue(info)) == 0;
        PENDING.add(new Caught(tid, sig, got ? info.getByteArray(0, SIGINFO_SIZE) : null));
    }

    /** Signals caught during steps of these threads; forgotten here. */
    public static List<Caught> drainPending(java.util.Collection<Integer> tids) {
        List<Caught> l = new ArrayList<>();
        for (java.util.Iterator<Caught> it = PENDING.iterator(); it.hasNext(); ) {
            Caught p = it.next();
            if (tids.contains(p.tid())) {
                l.add(p);
                it.remove();
            }
        }
        return l;
    }

    /** si_code of tgkill(): the kernel lets no other process queue a siginfo with it, nor with a code >= 0. */
    private static final int SI_TKILL = -6;

    /**
     * Sends a caught signal again to its thread of process {@code pid}, once detached. With its
     * siginfo ({@code rt_tgsigqueueinfo} from this JVM) where the kernel lets another process
     * queue it: a negative si_code other than SI_TKILL (a POSIX timer's expiry, sigqueue,
     * AIO, mq_notify...), so that a timer's signal keeps its id and sigev_value. Else (kill,
     * tgkill, a kernel-generated signal) by {@code tgkill}: the same signal, siginfo lost.
     */
    public static void resend(int pid, Caught c) {
        if (c.siginfo() != null) {
            int code = java.nio.ByteBuffer.wrap(c.siginfo()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(8);
            if (code < 0 && code != SI_TKILL) {
                Memory info = new Memory(SIGINFO_SIZE);
                info.write(0, c.siginfo(), 0, SIGINFO_SIZE);
                if (Libc.syscall(Sys.SYS_rt_tgsigqueueinfo, pid, c.tid(), c.sig(), Pointer.nativeValue(info), 0, 0) == 0) {
                    return;
                }
            }
        }
        Libc.syscall(Sys.SYS_tgkill, pid, c.tid(), c.sig(), 0, 0, 0);
    }
}
