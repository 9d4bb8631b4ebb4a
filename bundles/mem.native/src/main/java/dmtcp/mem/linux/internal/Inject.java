package dmtcp.mem.linux.internal;

import dmtcp.mem.linux.api.UserRegs;
import dmtcp.mem.linux.api.ThreadControl;
import dmtcp.mem.linux.api.ProcessMemory;
import dmtcp.mem.linux.api.NativeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Syscall injection into a ptrace-stopped thread (see {@link dmtcp.mem.linux.api.Injector}). */
public final class Inject {
    private Inject() {}

    private static final int[] ARG_REGS = {UserRegs.RDI, UserRegs.RSI, UserRegs.RDX, UserRegs.R10, UserRegs.R8, UserRegs.R9};

    /**
     * Runs {@code nr(args)} in {@code tid} at the {@code 0f 05} at {@code site}; returns raw rax.
     * In a thread of a live program ({@link ThreadControl#isLive}) the call ends with the thread
     * {@linkplain ThreadControl#park parked}, its registers back: if this JVM dies between two
     * calls, the program runs on as if nothing had been injected.
     */
    public static long syscall(int tid, long site, long nr, long... args) {
        ThreadControl.checkThread();
        long[] saved = ThreadControl.getRegs(tid);
        long[] r = saved.clone();
        r[UserRegs.RAX] = nr;
        for (int i = 0; i < ARG_REGS.length; i++) {
            r[ARG_REGS[i]] = i < args.length ? args[i] : 0;
        }
        r[UserRegs.ORIG_RAX] = -1;
        r[UserRegs.RIP] = site;
        ThreadControl.setRegs(tid, r);
        ThreadControl.step(tid);
        long[] after = ThreadControl.getRegs(tid);
        ThreadControl.setRegs(tid, saved);
        if (ThreadControl.isLive(tid)) {
            ThreadControl.park(tid);
        }
        if (after[UserRegs.RIP] != site + 2) {
            throw new IllegalStateException("injected syscall " + nr + " in " + tid + " stopped at 0x"
                    + Long.toHexString(after[UserRegs.RIP]) + ", not after the syscall at 0x" + Long.toHexString(site));
        }
        return after[UserRegs.RAX];
    }

    /** As {@link #syscall} but a failure (-4095..-1) becomes a {@link NativeException} naming the call. */
    public static long check(int tid, long site, String name, long nr, long... args) {
        return checkResult(tid, name, syscall(tid, site, nr, args), args);
    }

    public static long checkResult(int tid, String name, long r, long... args) {
        return checkResult(tid, name, r, a -> "0x" + Long.toHexString(a), args);
    }

    /**
     * As {@link #checkResult(int, String, long, long...)}, each argument shown by {@code shown}
     * (a pointer to a path the caller wrote into the tracee: the path, not its address).
     */
    public static long checkResult(int tid, String name, long r, java.util.function.LongFunction<String> shown, long... args) {
        if (r < 0 && r > -4096) {
            StringBuilder sb = new StringBuilder(name).append('(');
            for (int i = 0; i < args.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(shown.apply(args[i]));
            }
            sb.append(") injected in thread ").append(tid);
            int errno = (int) -r;
            throw new NativeException(sb.toString(), errno, Libc.strerror(errno));
        }
        return r;
    }

    /** The address of a {@code 0f 05} in the thread's [vdso], else just before its rip. */
    public static long findSite(int tid, ProcessMemory mem) {
        for (String line : lines(Path.of("/proc", Integer.toString(tid), "maps"))) {
            if (line.endsWith("[vdso]")) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                long start = Long.parseUnsignedLong(range[0], 16);
                long end = Long.parseUnsignedLong(range[1], 16);
                byte[] code = mem.read(start, (int) (end - start));
                for (int i = 0; i + 1 < code.length; i++) {
                    if (code[i] == 0x0f && code[i + 1] == 0x05) {
                        return start + i;
                    }
                }
            }
        }
        long rip = ThreadControl.getRegs(tid)[UserRegs.RIP];
        byte[] b = mem.read(rip - 2, 2);
        if (b[0] == 0x0f && b[1] == 0x05) {
            return rip - 2;
        }
        throw new NativeException("find a syscall instruction in thread " + tid, 2, "none in [vdso] nor at rip-2");
    }

    static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
