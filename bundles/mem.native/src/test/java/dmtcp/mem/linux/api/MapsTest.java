package dmtcp.mem.linux.api;

import dmtcp.mem.linux.api.Sys;
import dmtcp.mem.linux.api.Mman;
import dmtcp.mem.linux.api.UserRegs;
import dmtcp.mem.linux.api.Maps;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.PosixTimer;
import java.util.List;
import org.junit.Test;

/** /proc/PID/maps parsing. */
public class MapsTest {

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
}
