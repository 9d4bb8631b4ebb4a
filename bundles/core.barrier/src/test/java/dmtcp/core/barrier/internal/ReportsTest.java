package dmtcp.core.barrier.internal;

import static org.junit.Assert.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

public class ReportsTest {
    private static Map<String, Object> who(String name, long done, long total, long rate) {
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("participant", name);
        w.put("done", done);
        w.put("total", total);
        w.put("bytesPerSecond", rate);
        return w;
    }

    private static Map<String, Object> progress(List<Map<String, Object>> who) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("round", 4L);
        p.put("stage", "CHECKPOINTED");
        p.put("seconds", 1.5);
        p.put("participants", who);
        return p;
    }

    @Test
    public void oneParticipantsProgressWithRateAndTimeLeft() {
        assertEquals("round 4, CHECKPOINTED: 256 of 1024 MB (25%), 200 MB/s, 3.8 s left",
                Reports.progressLine(progress(List.of(who("mem[7]@h", 256L << 20, 1024L << 20, 200L << 20)))));
    }

    @Test
    public void severalParticipantsAreSummedAndEachShown() {
        assertEquals("round 4, CHECKPOINTED: 1.5 of 3.0 MB (50%), 2.0 MB/s, 0.8 s left; a[1]@h 0.5/1.0 MB; b[2]@h 1.0/2.0 MB",
                Reports.progressLine(progress(List.of(who("a[1]@h", 512L << 10, 1L << 20, 1L << 20),
                        who("b[2]@h", 1L << 20, 2L << 20, 1L << 20)))));
    }

    @Test
    public void nothingReportedIsNoLine() {
        assertEquals("", Reports.progressLine(progress(List.of())));
        assertEquals("", Reports.progressLine(null));
        assertEquals("round 4, CHECKPOINTED: 0.0 of 8.0 MB (0%)",
                Reports.progressLine(progress(List.of(who("a", 0, 8L << 20, 0)))));
    }
}
