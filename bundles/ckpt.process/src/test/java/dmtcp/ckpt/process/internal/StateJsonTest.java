package dmtcp.ckpt.process.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonObject;
import dmtcp.mem.linux.api.MmLayout;
import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.ProcessState;
import java.util.List;
import org.junit.Test;

/**
 * The fd table (with a terminal's modes and window size) and POSIX timers in an image's PROC
 * record: JSON and back, and images written before they existed.
 */
public class StateJsonTest {
    private static ProcessState state(List<PosixTimer> timers) {
        return new ProcessState(42, "/bin/prog", "prog", List.of("prog"), "/", 022, new MmLayout(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
                new byte[] {1, 2}, List.of(), List.of(), List.of(), new long[][] {{1, 2}}, new long[][] {{0, 0, 0, 0}}, List.of(),
                false, timers, null);
    }

    @Test
    public void timersSurviveJson() {
        List<PosixTimer> timers = List.of(new PosixTimer(1, 1, PosixTimer.SIGEV_SIGNAL, 10, 0xA11CEL, 0, 12_345_678L, 50_000_000L, 0),
                new PosixTimer(3, 1, PosixTimer.SIGEV_SIGNAL | PosixTimer.SIGEV_THREAD_ID, 32, 0x55a3c86d9460L, 4153, 1, 30_000_000L, 2),
                new PosixTimer(4, 0, PosixTimer.SIGEV_NONE, 0, -1L, 0, 0, 0, 0));
        JsonObject json = StateJson.toJson(state(timers));
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
