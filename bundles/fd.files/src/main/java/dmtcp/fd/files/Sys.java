package dmtcp.fd.files;

/** The x86-64 syscall numbers and &lt;fcntl.h&gt; constants the file handlers inject (octal as in the headers). */
final class Sys {
    private Sys() {}

    static final long SYS_CLOSE = 3, SYS_LSEEK = 8, SYS_DUP3 = 292, SYS_FCHMOD = 91, SYS_GETDENTS64 = 217, SYS_OPENAT = 257;
    static final int AT_FDCWD = -100, SEEK_SET = 0;
    static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 03, O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000,
            O_CLOEXEC = 02000000, O_TMPFILE = 020200000;
    static final int S_IFMT = 0170000, S_IFREG = 0100000, S_IFDIR = 0040000, S_IFCHR = 0020000;
}
