package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.Mman;
import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.Sys;
import dmtcp.mem.linux.api.UserRegs;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

/** The parts of the engine that are pure functions: restart fixups, hole finding, fds, POSIX timers. */
public class PureLogicTest {

    private static long[] regs(long origRax, long rax, long rip) {
        long[] r = new long[UserRegs.COUNT];
        r[UserRegs.ORIG_RAX] = origRax;
        r[UserRegs.RAX] = rax;
        r[UserRegs.RIP] = rip;
        return r;
    }

    @Test
    public void interruptedSyscallsRestartOrReturnEintr() {
        for (long code : new long[] {Sys.ERESTARTSYS, Sys.ERESTARTNOINTR, Sys.ERESTARTNOHAND}) {
            long[] r = Threads.resumeRegs(regs(0, -code, 0x1002));
            assertEquals("re-run read()", 0, r[UserRegs.RAX]);
            assertEquals(0x1000, r[UserRegs.RIP]);
            assertEquals(-1, r[UserRegs.ORIG_RAX]);
        }
        long[] sleep = Threads.resumeRegs(regs(230, -Sys.ERESTART_RESTARTBLOCK, 0x2002));
        assertEquals(-Sys.EINTR, sleep[UserRegs.RAX]);
        assertEquals(0x2002, sleep[UserRegs.RIP]);
        // a finished syscall's result and a thread outside any syscall stay as they were
        long[] done = Threads.resumeRegs(regs(1, 5, 0x3002));
        assertEquals(5, done[UserRegs.RAX]);
        assertEquals(0x3002, done[UserRegs.RIP]);
        long[] user = Threads.resumeRegs(regs(-1, -Sys.ERESTARTSYS, 0x4000));
        assertEquals(-Sys.ERESTARTSYS, user[UserRegs.RAX]);
        assertEquals(0x4000, user[UserRegs.RIP]);
    }

    @Test
    public void gapsLeaveAGuardPageEachSide() {
        List<long[]> busy = List.of(new long[] {0x100000, 0x200000}, new long[] {0x205000, 0x300000});
        long g = Mappings.gap(busy, 0x1000);
        assertEquals(0x201000, g); // 0x200000 + guard; 0x202000..0x205000 leaves a guard before the next
        long big = Mappings.gap(busy, 0x10000);
        assertEquals(0x301000, big);
    }

    @Test
    public void parsesProcTimers() {
        List<PosixTimer> l = Timers.parse(List.of("ID: 2", "signal: 32/000055a3c86d9460", "notify: signal/tid.4153", "ClockID: 0",
                "ID: 1", "signal: 10/0000000000001234", "notify: none/pid.4152", "ClockID: 1",
                "ID: 0", "signal: 10/ffffffffffffffff", "notify: signal/pid.4152", "ClockID: -6"));
        assertEquals(3, l.size());
        assertEquals(new PosixTimer(0, -6, PosixTimer.SIGEV_SIGNAL, 10, -1L, 0, 0, 0, 0), l.get(0));
        assertEquals(new PosixTimer(1, 1, PosixTimer.SIGEV_NONE, 10, 0x1234, 0, 0, 0, 0), l.get(1));
        PosixTimer glibc = l.get(2);
        assertEquals(PosixTimer.SIGEV_SIGNAL | PosixTimer.SIGEV_THREAD_ID, glibc.sigevNotify());
        assertTrue(glibc.threadDirected());
        assertEquals(4153, glibc.tid());
        assertEquals(0x55a3c86d9460L, glibc.sigval());
        assertEquals(List.of(), Timers.parse(List.of()));
    }

    @Test
    public void refusesTimersOnClocksARestoreCannotName() {
        PosixTimer mono = new PosixTimer(1, 1, 0, 10, 0, 0, 0, 0, 0);
        assertEquals(null, Timers.unsupported(mono, 8));
        PosixTimer threadCpu = new PosixTimer(1, 3, 0, 10, 0, 0, 0, 0, 0);
        assertEquals(null, Timers.unsupported(threadCpu, 1)); // the only thread is the one
        assertTrue(Timers.unsupported(threadCpu, 2), Timers.unsupported(threadCpu, 2).contains("thread's CPU time"));
        // clock_getcpuclockid(0): this process, whatever its pid
        assertEquals(null, Timers.unsupported(new PosixTimer(1, (~0 << 3) | 2, 0, 10, 0, 0, 0, 0, 0), 3));
        assertTrue(Timers.unsupported(new PosixTimer(1, (~1234 << 3) | 2, 0, 10, 0, 0, 0, 0, 0), 1).contains("process 1234"));
        assertTrue(Timers.unsupported(new PosixTimer(1, (~1234 << 3) | 6, 0, 10, 0, 0, 0, 0, 0), 1).contains("thread 1234"));
        assertTrue(Timers.unsupported(new PosixTimer(1, (~5 << 3) | 3, 0, 10, 0, 0, 0, 0, 0), 1).contains("fd 5"));
    }

    private static byte[] siginfo(int signo, int code, int timerId) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(128).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, signo).putInt(8, code).putInt(16, timerId);
        return b.array();
    }

    @Test
    public void aQueuedExpiryIsLeftToItsTimerOnlyWhenTheTimerIsArmedAgain() {
        PosixTimer periodic = new PosixTimer(3, 1, PosixTimer.SIGEV_SIGNAL, 39, 0, 0, 5_000_000, 20_000_000, 0);
        PosixTimer fired = new PosixTimer(4, 0, PosixTimer.SIGEV_SIGNAL, 12, 0, 0, 0, 0, 0);
        List<PosixTimer> timers = List.of(periodic, fired);
        assertEquals(periodic, Timers.rearmedOwner(siginfo(39, Timers.SI_TIMER, 3), timers));
        assertEquals("a one-shot that fired: its signal is queued again", null, Timers.rearmedOwner(siginfo(12, Timers.SI_TIMER, 4), timers));
        assertEquals("sigqueue() with the same number", null, Timers.rearmedOwner(siginfo(39, -1, 3), timers));
        assertEquals("another signal", null, Timers.rearmedOwner(siginfo(40, Timers.SI_TIMER, 3), timers));
        assertEquals("no such timer", null, Timers.rearmedOwner(siginfo(39, Timers.SI_TIMER, 9), timers));
    }

    @Test
    public void threadDirectedTimersAimAtTheThreadsNewTid() {
        PosixTimer t = new PosixTimer(5, 1, PosixTimer.SIGEV_SIGNAL | PosixTimer.SIGEV_THREAD_ID, 37, 0xe, 100, 1, 1, 0);
        assertArrayEquals(new int[] {PosixTimer.SIGEV_SIGNAL | PosixTimer.SIGEV_THREAD_ID, 200},
                Timers.notifyFor(t, java.util.Map.of(100, 200, 101, 201)));
        // its thread had exited: its signals went nowhere, and go nowhere still
        assertArrayEquals(new int[] {PosixTimer.SIGEV_NONE, 0}, Timers.notifyFor(t, java.util.Map.of(101, 201)));
        PosixTimer process = new PosixTimer(6, 1, PosixTimer.SIGEV_SIGNAL, 10, 0, 0, 1, 1, 0);
        assertArrayEquals(new int[] {PosixTimer.SIGEV_SIGNAL, 0}, Timers.notifyFor(process, java.util.Map.of()));
        java.nio.ByteBuffer ev = java.nio.ByteBuffer.wrap(Timers.sigevent(t, 4, 200)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xe, ev.getLong(0));
        assertEquals(37, ev.getInt(8));
        assertEquals(4, ev.getInt(12));
        assertEquals(200, ev.getInt(16));
    }

    private static MemoryRegion region(long start, long end, List<dmtcp.mem.linux.api.PageRange> saved) {
        return new MemoryRegion(start, end, Mman.PROT_READ | Mman.PROT_WRITE, false, 0, 0, 0, 0, "", saved);
    }

    private static dmtcp.mem.linux.api.ProcessState withRegions(MemoryRegion... regions) {
        dmtcp.mem.linux.api.ThreadState t = new dmtcp.mem.linux.api.ThreadState(1, new long[27], new byte[0], 0, 0, 0, 0, 0, 0, 0,
                0, 2, 0, List.of());
        return new dmtcp.mem.linux.api.ProcessState(1, "/x", "x", List.of("x"), "/", 022,
                new dmtcp.mem.linux.api.MmLayout(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), new byte[0], List.of(regions), List.of(t), List.of(),
                new long[0][], new long[0][], List.of(), false, null, null);
    }

    /** A crafted description must not aim one region's saved pages at another (a file mapped shared), nor overlap regions. */
    @Test
    public void refusesRegionsAndSavedPagesThatARestoreMustNotFollow() {
        var page = new dmtcp.mem.linux.api.PageRange(0, 4096);
        Mappings.validate(withRegions(region(0x10000, 0x12000, List.of(page)), region(0x12000, 0x13000, List.of())));
        for (dmtcp.mem.linux.api.ProcessState bad : List.of(
                withRegions(region(0x10000, 0x11000, List.of(new dmtcp.mem.linux.api.PageRange(4096, 4096))),
                        region(0x11000, 0x12000, List.of())),
                withRegions(region(0x10000, 0x12000, List.of()), region(0x11000, 0x13000, List.of())),
                withRegions(region(0x12000, 0x13000, List.of()), region(0x10000, 0x11000, List.of())),
                withRegions(region(0x10000, 0x10800, List.of())),
                withRegions(region(0x10000, 0x12000, List.of(new dmtcp.mem.linux.api.PageRange(4096, 4096), page))),
                withRegions(region(0x10000, 0x12000, List.of(new dmtcp.mem.linux.api.PageRange(0, Long.MAX_VALUE & ~4095L)))))) {
            try {
                Mappings.validate(bad);
                org.junit.Assert.fail("accepted " + bad.regions());
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("the region "));
            }
        }
    }
}
