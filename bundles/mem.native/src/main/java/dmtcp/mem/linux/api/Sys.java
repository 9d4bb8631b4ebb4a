package dmtcp.mem.linux.api;

/**
 * x86_64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl) and the
 * constants of the calls this layer injects or makes directly.
 */
public final class Sys {
    private Sys() {}

    public static final int SYS_read = 0;
    public static final int SYS_write = 1;
    public static final int SYS_close = 3;
    public static final int SYS_lseek = 8;
    public static final int SYS_mmap = 9;
    public static final int SYS_mprotect = 10;
    public static final int SYS_munmap = 11;
    public static final int SYS_brk = 12;
    public static final int SYS_rt_sigaction = 13;
    public static final int SYS_rt_sigprocmask = 14;
    public static final int SYS_mremap = 25;
    public static final int SYS_getitimer = 36;
    public static final int SYS_setitimer = 38;
    public static final int SYS_getpid = 39;
    public static final int SYS_clone = 56;
    public static final int SYS_exit = 60;
    public static final int SYS_fcntl = 72;
    public static final int SYS_ftruncate = 77;
    public static final int SYS_chdir = 80;
    public static final int SYS_fchmod = 91;
    public static final int SYS_umask = 95;
    public static final int SYS_rt_sigqueueinfo = 129;
    public static final int SYS_sigaltstack = 131;
    public static final int SYS_prctl = 157;
    public static final int SYS_gettid = 186;
    public static final int SYS_getdents64 = 217;
    public static final int SYS_set_tid_address = 218;
    public static final int SYS_timer_create = 222;
    public static final int SYS_timer_settime = 223;
    public static final int SYS_timer_gettime = 224;
    public static final int SYS_timer_getoverrun = 225;
    public static final int SYS_timer_delete = 226;
    public static final int SYS_tgkill = 234;
    public static final int SYS_openat = 257;
    public static final int SYS_set_robust_list = 273;
    public static final int SYS_get_robust_list = 274;
    public static final int SYS_dup3 = 292;
    public static final int SYS_rt_tgsigqueueinfo = 297;
    public static final int SYS_prlimit64 = 302;
    public static final int SYS_memfd_create = 319;
    public static final int SYS_rseq = 334;

    /** &lt;linux/memfd.h&gt; */
    public static final int MFD_CLOEXEC = 1;

    /** &lt;linux/sched.h&gt; clone flags. */
    public static final long CLONE_VM = 0x100;
    public static final long CLONE_FS = 0x200;
    public static final long CLONE_FILES = 0x400;
    public static final long CLONE_SIGHAND = 0x800;
    public static final long CLONE_THREAD = 0x10000;
    public static final long CLONE_SYSVSEM = 0x40000;
    public static final long CLONE_SETTLS = 0x80000;
    public static final long CLONE_PARENT_SETTID = 0x100000;
    public static final long CLONE_CHILD_CLEARTID = 0x200000;
    public static final long CLONE_CHILD_SETTID = 0x1000000;

    /** &lt;fcntl.h&gt; fcntl commands. */
    public static final int F_SETFD = 2;
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int FD_CLOEXEC = 1;
    public static final int SEEK_SET = 0;

    /** &lt;linux/prctl.h&gt; */
    public static final int PR_SET_NAME = 15;
    public static final int PR_SET_MM = 35;
    public static final int PR_SET_MM_MAP = 14;
    public static final int PR_GET_TID_ADDRESS = 40;
    /** While on, timer_create takes the id from *timerid (added for CRIU; 6.18 has it, older kernels say EINVAL). */
    public static final int PR_TIMER_CREATE_RESTORE_IDS = 77;
    public static final int PR_TIMER_CREATE_RESTORE_IDS_OFF = 0;
    public static final int PR_TIMER_CREATE_RESTORE_IDS_ON = 1;
    /** sizeof(struct prctl_mm_map). */
    public static final int PRCTL_MM_MAP_SIZE = 104;

    /** &lt;linux/rseq.h&gt; */
    public static final int RSEQ_FLAG_UNREGISTER = 1;

    /** kernel-internal restart codes seen in rax of a thread stopped in a syscall. */
    public static final long ERESTARTSYS = 512;
    public static final long ERESTARTNOINTR = 513;
    public static final long ERESTARTNOHAND = 514;
    public static final long ERESTART_RESTARTBLOCK = 516;
    public static final long EINTR = 4;

    /** _NSIG on x86_64, and sizeof(struct sigaction) as the kernel sees it. */
    public static final int NSIG = 64;
    public static final int KSIGACTION_SIZE = 32;
    public static final int RLIM_NLIMITS = 16;
}
