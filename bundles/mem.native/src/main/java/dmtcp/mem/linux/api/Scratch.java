package dmtcp.mem.linux.api;

/**
 * Scratch memory in a stopped tracee: an anonymous private mapping made by an injected
 * {@code mmap} (for the arguments and results of injected calls, or a trampoline) and
 * removed again by an injected {@code munmap}. On the tracer thread.
 */
public final class Scratch {
    private final int tid;
    private final long address;
    private final long size;
    private boolean unmapped;

    private Scratch(int tid, long address, long size) {
        this.tid = tid;
        this.address = address;
        this.size = size;
    }

    /** Maps {@code size} bytes (a page multiple) readable and writable wherever the kernel likes, by a call injected in {@code tid} at {@code site}. */
    public static Scratch map(int tid, long site, long size) {
        long a = Injector.injectChecked(tid, site, "mmap", Sys.SYS_mmap, 0, size, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        return new Scratch(tid, a, size);
    }

    /**
     * Maps {@code size} bytes at exactly {@code address} with {@code prot} ({@code
     * MAP_FIXED_NOREPLACE}: an error if anything is there).
     */
    public static Scratch mapAt(int tid, long site, long address, long size, int prot) {
        long a = Injector.injectChecked(tid, site, "mmap", Sys.SYS_mmap, address, size, prot,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED_NOREPLACE, -1, 0);
        if (a != address) {
            throw new IllegalStateException("scratch mapped at 0x" + Long.toHexString(a) + ", not 0x" + Long.toHexString(address));
        }
        return new Scratch(tid, a, size);
    }

    public long address() {
        return address;
    }

    public long size() {
        return size;
    }

    /** Whether {@code [addr, addr + length)} lies inside. */
    public boolean holds(long addr, long length) {
        return addr >= address && length >= 0 && addr + length <= address + size;
    }

    /**
     * Unmaps it by a call injected at {@code site} (once; later calls do nothing). Returns the
     * raw result: a failure is not thrown (an unmap runs while a failed dump or restore unwinds).
     */
    public long unmap(long site) {
        if (unmapped) {
            return 0;
        }
        unmapped = true;
        return Injector.inject(tid, site, Sys.SYS_munmap, address, size);
    }
}
