package dmtcp.mem.linux.internal;

import dmtcp.mem.linux.api.Fds;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.sun.jna.Memory;
import dmtcp.mem.linux.api.Termios;
import dmtcp.mem.linux.api.WinSize;
import java.nio.file.Path;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A terminal's settings read and given to another terminal, on real ptys this JVM opens
 * (/dev/ptmx): termios and the window size rule (applied to a 0x0 terminal only).
 */
public class TerminalsTest {
    private static final long TIOCSPTLCK = 0x40045431L;
    private static final long TIOCGPTN = 0x80045430L;
    private final int[] masters = {-1, -1};
    private final int[] slaves = {-1, -1};

    @Before
    public void openPtys() {
        for (int i = 0; i < 2; i++) {
            masters[i] = Uio.open("/dev/ptmx", Uio.O_RDWR | Fds.O_NOCTTY | Uio.O_CLOEXEC, 0);
            assertTrue("open /dev/ptmx", masters[i] >= 0);
            Memory m = new Memory(4);
            m.setInt(0, 0);
            assertEquals(0, Ioctl.ioctl(masters[i], TIOCSPTLCK, m)); // unlockpt
            assertEquals(0, Ioctl.ioctl(masters[i], TIOCGPTN, m));
            slaves[i] = Uio.open("/dev/pts/" + m.getInt(0), Uio.O_RDWR | Fds.O_NOCTTY | Uio.O_CLOEXEC, 0);
            assertTrue(slaves[i] >= 0);
        }
    }

    @After
    public void closePtys() {
        for (int fd : new int[] {slaves[0], slaves[1], masters[0], masters[1]}) {
            if (fd >= 0) {
                Uio.close(fd);
            }
        }
    }

    private static void setRaw(int fd, WinSize size) {
        Termios t = Terminals.termios(fd);
        assertNull(Terminals.apply(fd, new Termios(0, 0, t.cflag(), t.lflag() & ~(Termios.ICANON | Termios.ECHO), 0, t.cc()), size));
    }

    @Test
    public void theSettingsOfOneTerminalGoToAnother() {
        setRaw(slaves[0], null);
        Memory ws = new Memory(8);
        ws.setShort(0, (short) 33);
        ws.setShort(2, (short) 111);
        ws.setInt(4, 0);
        assertEquals(0, Ioctl.ioctl(slaves[0], Ioctl.TIOCSWINSZ, ws));
        Terminals.Settings saved = Terminals.read(Path.of("/proc/self/fd/" + slaves[0]));
        assertEquals(0, saved.termios().lflag() & Termios.ICANON);
        assertEquals(new WinSize(33, 111, 0, 0), saved.winsize());

        Termios fresh = Terminals.termios(slaves[1]);
        assertTrue("a new pty is in line mode", (fresh.lflag() & Termios.ICANON) != 0);
        assertTrue("and has no size", Terminals.winsize(slaves[1]).none());
        assertNull(Terminals.apply(slaves[1], saved.termios(), saved.winsize()));
        Termios now = Terminals.termios(slaves[1]);
        assertEquals(saved.termios().lflag(), now.lflag());
        assertEquals(saved.termios().iflag(), now.iflag());
        assertEquals(saved.termios().oflag(), now.oflag());
        assertEquals("0x0 takes the saved size", new WinSize(33, 111, 0, 0), Terminals.winsize(slaves[1]));
    }

    @Test
    public void aTerminalWithASizeKeepsIt() {
        Memory ws = new Memory(8);
        ws.setShort(0, (short) 50);
        ws.setShort(2, (short) 120);
        ws.setInt(4, 0);
        assertEquals(0, Ioctl.ioctl(slaves[1], Ioctl.TIOCSWINSZ, ws));
        setRaw(slaves[1], new WinSize(33, 111, 0, 0));
        assertEquals(0, Terminals.termios(slaves[1]).lflag() & Termios.ICANON);
        assertEquals("the window the user sees", new WinSize(50, 120, 0, 0), Terminals.winsize(slaves[1]));
    }

    @Test
    public void aFileIsNoTerminal() {
        int fd = Uio.open("/dev/null", Uio.O_RDWR | Uio.O_CLOEXEC, 0);
        try {
            assertEquals("is no terminal", Terminals.apply(fd, new Termios(0, 0, 0, 0, 0, new byte[19]), null));
            assertNull(Terminals.read(Path.of("/dev/null")).termios());
        } finally {
            Uio.close(fd);
        }
    }

    /**
     * Applied through another process's fd link (as the agent does for the program it
     * restored into its client): the terminal of /proc/PID/fd/N gets the settings; a path
     * that is no terminal is said so.
     */
    @Test
    public void theSettingsGoThroughAnotherProcesssFdLink() {
        setRaw(slaves[0], null);
        Memory ws = new Memory(8);
        ws.setShort(0, (short) 40);
        ws.setShort(2, (short) 100);
        ws.setInt(4, 0);
        assertEquals(0, Ioctl.ioctl(slaves[0], Ioctl.TIOCSWINSZ, ws));
        Terminals.Settings saved = Terminals.read(Path.of("/proc/self/fd/" + slaves[0]));
        int self = (int) ProcessHandle.current().pid();
        assertNull(Terminals.applyTo(Path.of("/proc/" + self + "/fd/" + slaves[1]), self, saved.termios(), saved.winsize()));
        assertEquals(saved.termios().lflag(), Terminals.termios(slaves[1]).lflag());
        assertEquals(new WinSize(40, 100, 0, 0), Terminals.winsize(slaves[1]));
        assertEquals("is no terminal", Terminals.applyTo(Path.of("/dev/null"), self, saved.termios(), saved.winsize()));
    }
}
