package dmtcp.ckpt.process.internal.task;

import static dmtcp.mem.linux.api.Sys.*;

import dmtcp.mem.linux.api.MmLayout;
import dmtcp.mem.linux.api.ProcessState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The mm layout: code/data/brk/stack/arg/env bounds and auxv, read from /proc/PID/stat and
 * an injected {@code brk(0)} at dump, given back with {@code prctl(PR_SET_MM, PR_SET_MM_MAP)}
 * at restore (exe_fd -1: no capability needed).
 */
final class Mm {
    private Mm() {}

    /** The program break: injected {@code brk(0)}. */
    static long brk(Calls calls) {
        return calls.call("brk", SYS_brk, 0);
    }

    static MmLayout dump(int live, long brk) throws IOException {
        String[] stat = statFields(live);
        return new MmLayout(num(stat, 26), num(stat, 27), num(stat, 45), num(stat, 46), num(stat, 47), brk,
                num(stat, 28), num(stat, 48), num(stat, 49), num(stat, 50), num(stat, 51));
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
     * prctl(PR_SET_MM, PR_SET_MM_MAP): brk, code/data/stack/arg/env bounds and auxv. {@code
     * structBuf}: {@code PRCTL_MM_MAP_SIZE} bytes of scratch; {@code auxvBuf}: room for the auxv.
     */
    static void restore(ProcessState st, Calls calls, long structBuf, long auxvBuf) {
        var m = st.mm();
        ByteBuffer b = Calls.le(PRCTL_MM_MAP_SIZE);
        for (long v : new long[] {m.startCode(), m.endCode(), m.startData(), m.endData(), m.startBrk(), m.brk(),
                m.startStack(), m.argStart(), m.argEnd(), m.envStart(), m.envEnd()}) {
            b.putLong(v);
        }
        b.putLong(auxvBuf);
        b.putInt(st.auxv().length);
        b.putInt(-1);
        calls.mem.write(auxvBuf, st.auxv());
        calls.write(structBuf, b);
        calls.call("prctl(PR_SET_MM, PR_SET_MM_MAP)", SYS_prctl, PR_SET_MM, PR_SET_MM_MAP, structBuf, PRCTL_MM_MAP_SIZE, 0);
    }
}
