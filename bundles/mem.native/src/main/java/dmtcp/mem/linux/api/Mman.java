package dmtcp.mem.linux.api;

/** &lt;sys/mman.h&gt; constants (x86_64), as in the kernel headers. */
public final class Mman {
    private Mman() {}

    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int PROT_EXEC = 4;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_GROWSDOWN = 0x100;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_FIXED_NOREPLACE = 0x100000;

    public static final int MREMAP_MAYMOVE = 1;
    public static final int MREMAP_FIXED = 2;

    public static final long PAGE_SIZE = 4096;

    /** /proc/PID/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
    public static final long PM_PRESENT = 1L << 63;
    public static final long PM_SWAP = 1L << 62;
    public static final long PM_FILE = 1L << 61;
}
