package dmtcp.fd.pipes;

/** The x86-64 syscall numbers and &lt;fcntl.h&gt; constants the pipe handler injects (octal as in the headers). */
final class Sys {
    private Sys() {}

    static final long SYS_CLOSE = 3, SYS_IOCTL = 16, SYS_FCNTL = 72, SYS_FCHMOD = 91, SYS_OPENAT = 257, SYS_MKNODAT = 259,
            SYS_UNLINKAT = 263, SYS_DUP3 = 292, SYS_PIPE2 = 293, SYS_KCMP = 312;
    static final int AT_FDCWD = -100, KCMP_FILE = 0, FIONREAD = 0x541B, EEXIST = 17, ENOENT = 2;
    static final int F_DUPFD_CLOEXEC = 1030, F_SETFL = 4, F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;
    static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 03, O_NONBLOCK = 04000, O_ASYNC = 020000, O_DIRECT = 040000,
            O_CLOEXEC = 02000000;
    static final int S_IFMT = 0170000, S_IFIFO = 0010000;
}
