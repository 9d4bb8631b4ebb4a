package dmtcp.fd.events;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.UnsupportedFdException;
import java.util.List;
import org.junit.Test;

/** What the handlers read of fdinfo (lines as kernel 6.18 prints them), and their pure rules; no process needed. */
public class ParseTest {
    private static FdInfo fd(String target, String... lines) {
        return new FdInfo(1, 7, target, 02, 0, 0, 26, List.of(lines));
    }

    @Test
    public void epollRegistrations() {
        List<EpollHandler.Entry> l = EpollHandler.entries(fd("anon_inode:[eventpoll]",
                "tfd:        4 events: 40000000 data:                7  pos:0 ino:1a sdev:10",
                "tfd:       12 events: 80000019 data: ffffffffdeadbeef  pos:0 ino:1a sdev:fe00001"));
        assertEquals(new EpollHandler.Entry(4, 0x40000000, 7, 0x1a, 0x10), l.get(0));
        assertTrue(l.get(0).disarmed());
        assertEquals(new EpollHandler.Entry(12, 0x80000019, 0xffffffffdeadbeefL, 0x1a, 0xfe00001), l.get(1));
        assertFalse(l.get(1).disarmed());
        try {
            EpollHandler.entries(fd("anon_inode:[eventpoll]", "tfd: what"));
            fail();
        } catch (UnsupportedFdException e) {
            assertEquals(7, e.fd());
        }
    }

    @Test
    public void inotifyWatches() {
        List<InotifyHandler.Watch> l = InotifyHandler.watches(fd("anon_inode:inotify",
                "inotify wd:12 ino:20e0a5 sdev:fe00000 mask:84000fff ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:a5e02000549d3ab6",
                "inotify wd:2 ino:3f7e8 sdev:fe00000 mask:300 ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:e8f7030000000000"));
        assertEquals(2, l.get(0).wd()); // in wd order
        assertEquals(new InodeSearch.Key(0xfe00, 0x3f7e8), l.get(0).file());
        assertEquals(0x12, l.get(1).wd());
        assertEquals(0x84000fff, l.get(1).mask());
        assertEquals("inode 2154661 on device 254:0", l.get(1).file().toString());
    }

    @Test
    public void kernelDevicesAsStatGivesThem() {
        assertEquals(0x10, Sys.userDev(0x10)); // 0:16, the anonymous inodes' device
        assertEquals(0xfe00, Sys.userDev(0xfe00000)); // 254:0
        assertEquals(0x12300803L, Sys.userDev((8L << 20) | 0x12303)); // a minor above 255: its high bits go above the major
        assertEquals("inode 1 on device 8:74499", new InodeSearch.Key(0x12300803L, 1).toString());
    }

    @Test
    public void aTimerThatExpiredSinceItWasStartedShowsNoTimeLeft() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("timerfd", ".fdinfo");
        try {
            java.nio.file.Files.writeString(f, "pos:\t0\nflags:\t02\nclockid: 1\nticks: 3\nsettime flags: 00\nit_value: (0, 1500)\nit_interval: (0, 2000000)\n");
            assertEquals(new TimerfdHandler.Reading(3, false), TimerfdHandler.settled(f, true));
            java.nio.file.Files.writeString(f, "clockid: 1\nticks: 4\nsettime flags: 00\nit_value: (0, 0)\nit_interval: (0, 2000000)\n");
            assertEquals("expired, stopped until read", new TimerfdHandler.Reading(4, true), TimerfdHandler.settled(f, true));
            assertEquals("not armed: nothing expires", new TimerfdHandler.Reading(4, false), TimerfdHandler.settled(f, false));
        } finally {
            java.nio.file.Files.delete(f);
        }
    }

    @Test
    public void onlyTheirOwnKindsAreClaimed() throws Exception {
        assertFalse(new EventfdHandler().claims(fd("anon_inode:[timerfd]"), null));
        assertFalse(new InotifyHandler().claims(fd("/tmp/x"), null));
        try {
            new SignalfdHandler().claims(new FdInfo(1, 7, "anon_inode:[signalfd]", 020002, 0, 0, 26, List.of("sigmask:\t0000000000000200")), null);
            fail("O_ASYNC is not saved");
        } catch (UnsupportedFdException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("fd 7 is a signalfd in O_ASYNC mode"));
        }
        try {
            new EventfdHandler().claims(fd("anon_inode:[eventfd]", "eventfd-count:                0"), null);
            fail("EFD_SEMAPHORE unknown");
        } catch (UnsupportedFdException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("no \"eventfd-semaphore:\""));
        }
    }
}
