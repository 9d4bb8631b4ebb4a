package dmtcp.mem.linux.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Direct-mapped glibc entry points (one place for &lt;unistd.h&gt;, &lt;spawn.h&gt;,
 * &lt;signal.h&gt;, &lt;sys/wait.h&gt;, &lt;fcntl.h&gt;, &lt;sys/prctl.h&gt;, &lt;poll.h&gt;). Public libc symbols only.
 * Every function returns the raw C result; callers read errno with
 * {@link Native#getLastError()} and raise {@link dmtcp.mem.linux.api.NativeException}.
 */
public final class Libc {
    static {
        // the versioned name: "c" would make JNA run ldconfig -p to find it (~0.1 s at every start)
        Native.register(Libc.class, "libc.so.6");
    }

    private Libc() {}

    // <spawn.h>
    public static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    public static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    /** sizeof(posix_spawn_file_actions_t) is 80 and sizeof(posix_spawnattr_t) 336 on x86_64 glibc. */
    public static final int SPAWN_STRUCT_SIZE = 512;
    /** sizeof(sigset_t) in glibc. */
    public static final int SIGSET_SIZE = 128;

    public static native int posix_spawn(int[] pid, String path, Pointer fileActions, Pointer attr, Pointer argv, Pointer envp);
    public static native int posix_spawn_file_actions_init(Pointer fa);
    public static native int posix_spawn_file_actions_destroy(Pointer fa);
    public static native int posix_spawn_file_actions_addclosefrom_np(Pointer fa, int from);
    public static native int posix_spawnattr_init(Pointer attr);
    public static native int posix_spawnattr_destroy(Pointer attr);
    public static native int posix_spawnattr_setflags(Pointer attr, short flags);
    public static native int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);
    public static native int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    // <signal.h>
    public static native int sigemptyset(Pointer set);
    public static native int sigfillset(Pointer set);
    public static native int kill(int pid, int sig);

    // <sys/wait.h>
    public static final int WNOHANG = 1;
    public static final int WUNTRACED = 2;
    public static final int __WALL = 0x40000000;
    public static native int waitpid(int pid, int[] status, int options);

    // <sys/prctl.h>
    public static final int PR_SET_CHILD_SUBREAPER = 36;
    public static final int PR_GET_CHILD_SUBREAPER = 37;
    public static native int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    // <unistd.h>
    public static native long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);
    public static native int close(int fd);
    public static native int getpid();
    public static native int gettid();
    public static native int getpgrp();
    public static native int pipe2(int[] fds, int flags);
    public static native long read(int fd, Pointer buf, long count);
    public static native long write(int fd, Pointer buf, long count);
    public static final int X_OK = 1;
    public static final int W_OK = 2;

    // <fcntl.h>
    public static final int AT_EACCESS = 0x200;
    public static native int faccessat(int dirfd, String path, int mode, int flags);

    // <poll.h>
    public static final short POLLIN = 0x1;
    public static native int poll(Pointer fds, long nfds, int timeout);

    // <string.h>
    public static native String strerror(int errnum);

    /** x86_64 syscall numbers used through {@link #syscall}. */
    public static final long SYS_pidfd_open = 434;
    public static final long SYS_renameat2 = 316;
    /** renameat2's flag: swap the two names. */
    public static final int RENAME_EXCHANGE = 2;
}
