package dmtcp.ckpt.process.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonObject;
import dmtcp.mem.linux.api.FdState;
import dmtcp.mem.linux.api.MmLayout;
import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.Termios;
import dmtcp.mem.linux.api.WinSize;
import java.util.List;
import org.junit.Test;

/**
 * The fd table (with a terminal's modes and window size) and POSIX timers in an image's PROC
 * record: JSON and back, and images written before they existed.
 */
public class StateJsonTest {
    private static ProcessState state(List<FdState> fds) {
        return state(fds, List.of());
    }

    private static ProcessState state(List<FdState> fds, List<PosixTimer> timers) {
        return new ProcessState(42, "/bin/prog", "prog", List.of("prog"), "/", 022, new MmLayout(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
                new byte[] {1, 2}, List.of(), List.of(), List.of(), new long[][] {{1, 2}}, new long[][] {{0, 0, 0, 0}}, List.of(),
                false, fds, timers, null);
    }

    @Test
    public void fdsSurviveJson() {
        List<FdState> fds = List.of(new FdState(1, FdState.STDIO, "pipe:[7]", 01, 0, 0010600, false, null),
                new FdState(3, FdState.FILE, "/tmp/a b", 0102001, 315, 0100644, false, null),
                new FdState(6, FdState.DELETED, "/tmp/victim", 0100002, 1234, 0100640, true, new byte[] {0, 1, (byte) 0xff}));
        JsonObject json = StateJson.toJson(state(fds));
        ProcessState back = StateJson.fromJson(json);
        assertEquals(3, back.fds().size());
        for (int i = 0; i < 3; i++) {
            FdState a = fds.get(i), b = back.fds().get(i);
            assertEquals(a.toString(), b.toString());
            assertEquals(a.mode(), b.mode());
            assertEquals(a.cloexec(), b.cloexec());
        }
        assertNull(back.fds().get(0).content());
        assertArrayEquals(new byte[] {0, 1, (byte) 0xff}, back.fds().get(2).content());
    }

    @Test
    public void anImageWithoutFdsReadsAsNoFds() {
        JsonObject json = StateJson.toJson(state(List.of()));
        json.remove("fds");
        assertTrue(StateJson.fromJson(json).fds().isEmpty());
    }

    @Test
    public void anExplicitNullContentReads() {
        JsonObject json = StateJson.toJson(state(List.of(new FdState(3, FdState.FILE, "/x", 0, 0, 0100644, false, null))));
        json.getAsJsonArray("fds").get(0).getAsJsonObject().add("content", com.google.gson.JsonNull.INSTANCE);
        assertNull(StateJson.fromJson(json).fds().get(0).content());
    }

    @Test
    public void aTerminalsModesAndWindowSizeSurviveJson() {
        byte[] cc = new byte[19];
        cc[6] = 1; // VMIN
        FdState tty = new FdState(0, FdState.TERMINAL, "/dev/pts/3", 02, 0, 020620, false, null,
                new Termios(0, 04, 0277, 0, 0, cc), new WinSize(33, 111, 0, 0));
        JsonObject json = StateJson.toJson(state(List.of(tty)));
        JsonObject fd = json.getAsJsonArray("fds").get(0).getAsJsonObject();
        assertEquals("the fields doc/image-format.md names", 0277, fd.getAsJsonObject("termios").get("cflag").getAsInt());
        assertEquals(111, fd.getAsJsonObject("winsize").get("cols").getAsInt());
        FdState back = StateJson.fromJson(json).fds().get(0);
        assertEquals(tty.toString(), back.toString());
        assertArrayEquals(cc, back.termios().cc());
        assertEquals(tty.winsize(), back.winsize());
    }

    @Test
    public void aTerminalOfAnOlderImageHasNoModes() {
        JsonObject json = StateJson.toJson(state(List.of(new FdState(0, FdState.TERMINAL, "/dev/pts/3", 02, 0, 020620, false, null))));
        assertTrue("null fields are left out", !json.getAsJsonArray("fds").get(0).getAsJsonObject().has("termios"));
        FdState back = StateJson.fromJson(json).fds().get(0);
        assertNull(back.termios());
        assertNull(back.winsize());
    }

    @Test
    public void timersSurviveJson() {
        List<PosixTimer> timers = List.of(new PosixTimer(1, 1, PosixTimer.SIGEV_SIGNAL, 10, 0xA11CEL, 0, 12_345_678L, 50_000_000L, 0),
                new PosixTimer(3, 1, PosixTimer.SIGEV_SIGNAL | PosixTimer.SIGEV_THREAD_ID, 32, 0x55a3c86d9460L, 4153, 1, 30_000_000L, 2),
                new PosixTimer(4, 0, PosixTimer.SIGEV_NONE, 0, -1L, 0, 0, 0, 0));
        JsonObject json = StateJson.toJson(state(List.of(), timers));
        assertEquals(3, json.getAsJsonArray("timers").size());
        assertEquals(timers, StateJson.fromJson(json).timers());
    }

    @Test
    public void anImageWithoutTimersReadsAsNoTimers() {
        JsonObject json = StateJson.toJson(state(List.of()));
        assertEquals("a process without timers has an empty list", 0, json.getAsJsonArray("timers").size());
        json.remove("timers");
        assertTrue(StateJson.fromJson(json).timers().isEmpty());
    }
}
