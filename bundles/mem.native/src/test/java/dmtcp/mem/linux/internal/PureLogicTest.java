package dmtcp.mem.linux.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dmtcp.mem.linux.api.MemoryRegion;
import java.util.List;
import org.junit.Test;

/** The parts of the engine that are pure functions: maps parsing, restart fixups, hole finding. */
public class PureLogicTest {

    @Test
    public void parsesEveryFieldOfAMapsLine() {
        MemoryRegion r = Maps.parse("7f0e04f63000-7f0e04f65000 rw-p 001d3000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6");
        assertEquals(0x7f0e04f63000L, r.start());
        assertEquals(0x7f0e04f65000L, r.end());
        assertEquals(Mman.PROT_READ | Mman.PROT_WRITE, r.prot());
        assertFalse(r.shared());
        assertEquals(0x1d3000, r.offset());
        assertEquals(0xfe, r.devMajor());
        assertEquals(0, r.devMinor());
        assertEquals(339380, r.inode());
        assertEquals("/usr/lib/x86_64-linux-gnu/libc.so.6", r.path());
        assertTrue(r.isFile());

        MemoryRegion anon = Maps.parse("56063116e000-56063117e000 ---s 00000000 00:00 0 ");
        assertEquals(0, anon.prot());
        assertTrue(anon.shared());
        assertEquals("", anon.path());
        assertFalse(anon.isFile());

        MemoryRegion deleted = Maps.parse("7f00000000-7f00004000 r-xp 00002000 fe:00 77 /tmp/a b (deleted)");
        assertEquals("/tmp/a b (deleted)", deleted.path());
        assertFalse(deleted.isFile());
        assertTrue(Maps.parse("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]").isKernelProvided());
    }

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
            long[] r = Restorer.resumeRegs(regs(0, -code, 0x1002));
            assertEquals("re-run read()", 0, r[UserRegs.RAX]);
            assertEquals(0x1000, r[UserRegs.RIP]);
            assertEquals(-1, r[UserRegs.ORIG_RAX]);
        }
        long[] sleep = Restorer.resumeRegs(regs(230, -Sys.ERESTART_RESTARTBLOCK, 0x2002));
        assertEquals(-Sys.EINTR, sleep[UserRegs.RAX]);
        assertEquals(0x2002, sleep[UserRegs.RIP]);
        // a finished syscall's result and a thread outside any syscall stay as they were
        long[] done = Restorer.resumeRegs(regs(1, 5, 0x3002));
        assertEquals(5, done[UserRegs.RAX]);
        assertEquals(0x3002, done[UserRegs.RIP]);
        long[] user = Restorer.resumeRegs(regs(-1, -Sys.ERESTARTSYS, 0x4000));
        assertEquals(-Sys.ERESTARTSYS, user[UserRegs.RAX]);
        assertEquals(0x4000, user[UserRegs.RIP]);
    }

    @Test
    public void gapsLeaveAGuardPageEachSide() {
        List<long[]> busy = List.of(new long[] {0x100000, 0x200000}, new long[] {0x205000, 0x300000});
        long g = Restorer.gap(busy, 0x1000);
        assertEquals(0x201000, g); // 0x200000 + guard; 0x202000..0x205000 leaves a guard before the next
        long big = Restorer.gap(busy, 0x10000);
        assertEquals(0x301000, big);
    }

    private static dmtcp.mem.linux.api.FdState fd(int n, String target, int flags, int mode) throws Exception {
        return Fds.classify(n, target, flags, 0, mode, null);
    }

    private static String refusal(int n, String target, int mode) throws Exception {
        try {
            fd(n, target, 0, mode);
        } catch (dmtcp.mem.linux.api.UnsupportedFdException e) {
            assertEquals(n, e.fd());
            return e.getMessage();
        }
        throw new AssertionError(target + " on fd " + n + " was accepted");
    }

    @Test
    public void classifiesFileDescriptors() throws Exception {
        assertEquals("file", fd(3, "/tmp/x", 02, 0100644).kind());
        assertEquals("dir", fd(3, "/tmp", 0200000, 0040755).kind());
        assertEquals("device", fd(3, "/dev/urandom", 0, 0020666).kind());
        assertEquals("terminal", fd(0, "/dev/pts/3", 02, 0020620).kind());
        assertEquals("terminal", fd(7, "/dev/tty", 02, 0020666).kind());
        dmtcp.mem.linux.api.FdState del = fd(4, "/tmp/v (deleted)", 02, 0100600);
        assertEquals("deleted", del.kind());
        assertEquals("/tmp/v", del.path());
        assertTrue(fd(4, "/tmp/x", 02000002, 0100644).cloexec());
        // the standard streams become the restarter's, whatever they were
        assertEquals("stdio", fd(1, "pipe:[12]", 01, 0).kind());
        assertEquals("stdio", fd(2, "socket:[12]", 02, 0).kind());
        assertEquals("stdio", fd(0, "/dev/sda", 0, 0060660).kind());
        assertEquals("fd 5 is a socket (socket:[12345]): not supported yet; checkpoint refused, the program runs on",
                refusal(5, "socket:[12345]", 0));
        assertTrue(refusal(3, "pipe:[1]", 0).startsWith("fd 3 is a pipe (pipe:[1])"));
        assertTrue(refusal(3, "anon_inode:[eventpoll]", 0).startsWith("fd 3 is an epoll instance"));
        assertTrue(refusal(3, "anon_inode:[signalfd]", 0).startsWith("fd 3 is a signalfd"));
        assertTrue(refusal(3, "anon_inode:[timerfd]", 0).startsWith("fd 3 is a timerfd"));
        assertTrue(refusal(3, "anon_inode:inotify", 0).startsWith("fd 3 is an inotify instance"));
        assertTrue(refusal(3, "/memfd:x (deleted)", 0100777).startsWith("fd 3 is a memfd"));
        assertTrue(refusal(3, "/tmp/fifo", 0010644).startsWith("fd 3 is a FIFO"));
        assertTrue(refusal(3, "/dev/sda", 0060660).startsWith("fd 3 is a block device"));
        assertTrue(refusal(3, "/dev/ptmx", 0020666).startsWith("fd 3 is a character device"));
        assertTrue(refusal(3, "/dev/pts/ptmx", 0020666).startsWith("fd 3 is a character device"));
    }

    @Test
    public void terminalsAboveTwoTakeAStandardStreamByAccessMode() {
        assertEquals(1, Restorer.standardStreamFor(new dmtcp.mem.linux.api.FdState(1, "terminal", "/dev/pts/0", 02, 0, 0, false, null)));
        assertEquals(0, Restorer.standardStreamFor(new dmtcp.mem.linux.api.FdState(5, "terminal", "/dev/tty", 0, 0, 0, false, null)));
        assertEquals(1, Restorer.standardStreamFor(new dmtcp.mem.linux.api.FdState(5, "terminal", "/dev/tty", 01, 0, 0, false, null)));
        assertEquals(2, Restorer.standardStreamFor(new dmtcp.mem.linux.api.FdState(5, "terminal", "/dev/tty", 02, 0, 0, false, null)));
    }
}
