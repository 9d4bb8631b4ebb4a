package dmtcp.mem.linux.internal;

import com.sun.jna.Native;

/**
 * &lt;sys/ptrace.h&gt; and the ptrace parts of &lt;linux/elf.h&gt; (x86_64). Direct-mapped glibc
 * {@code ptrace}; every argument is a {@code long} (addresses as native addresses). Never
 * use the PEEK requests through this entry point (glibc rewrites them): read memory with
 * {@link Uio} or {@code /proc/PID/mem}. Returns the raw C result; read errno with
 * {@link Native#getLastError()}.
 */
public final class Ptrace {
    static {
        Native.register(Ptrace.class, "libc.so.6");
    }

    private Ptrace() {}

    public static final int PTRACE_CONT = 7;
    public static final int PTRACE_KILL = 8;
    public static final int PTRACE_SINGLESTEP = 9;
    public static final int PTRACE_DETACH = 17;
    public static final int PTRACE_SETOPTIONS = 0x4200;
    public static final int PTRACE_GETEVENTMSG = 0x4201;
    public static final int PTRACE_GETSIGINFO = 0x4202;
    public static final int PTRACE_GETREGSET = 0x4204;
    public static final int PTRACE_SETREGSET = 0x4205;
    public static final int PTRACE_SEIZE = 0x4206;
    public static final int PTRACE_INTERRUPT = 0x4207;
    public static final int PTRACE_LISTEN = 0x4208;
    public static final int PTRACE_PEEKSIGINFO = 0x4209;
    public static final int PTRACE_GETSIGMASK = 0x420a;
    public static final int PTRACE_SETSIGMASK = 0x420b;
    public static final int PTRACE_GET_RSEQ_CONFIGURATION = 0x420f;

    public static final int PTRACE_O_TRACESYSGOOD = 0x1;
    public static final int PTRACE_O_TRACECLONE = 0x8;
    public static final int PTRACE_O_TRACEEXEC = 0x10;
    public static final int PTRACE_O_EXITKILL = 0x100000;

    public static final int PTRACE_EVENT_CLONE = 3;
    public static final int PTRACE_EVENT_EXEC = 4;
    public static final int PTRACE_EVENT_EXIT = 6;
    public static final int PTRACE_EVENT_STOP = 128;

    /** &lt;linux/elf.h&gt; regset note types. */
    public static final int NT_PRSTATUS = 1;
    public static final int NT_PRFPREG = 2;
    public static final int NT_X86_XSTATE = 0x202;

    /** struct ptrace_peeksiginfo_args flag: the process-wide queue, not the thread's. */
    public static final int PTRACE_PEEKSIGINFO_SHARED = 1;
    /** sizeof(siginfo_t). */
    public static final int SIGINFO_SIZE = 128;

    /** sizeof(struct ptrace_rseq_configuration). */
    public static final int RSEQ_CONFIG_SIZE = 24;

    public static native long ptrace(long request, int pid, long addr, long data);
}
