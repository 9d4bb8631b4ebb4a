package dmtcp.core.barrier.internal;

import java.util.List;
import java.util.Map;

/** The text the console, the Gogo commands and dmtcp_command print, in DMTCP's layout. */
final class Reports {
    private Reports() {}

    static String status(Map<String, Object> s) {
        StringBuilder b = new StringBuilder("Coordinator:\n");
        boolean peers = false;
        for (Map.Entry<String, Object> e : s.entrySet()) {
            if (e.getKey().equals("NUM_PEERS")) {
                b.append("Status...\n");
                peers = true;
            }
            if (peers && e.getKey().equals(e.getKey().toUpperCase())) {
                b.append("  ").append(e.getKey()).append('=').append(e.getValue()).append('\n');
            } else {
                b.append("  ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
            }
        }
        return b.toString().stripTrailing();
    }

    @SuppressWarnings("unchecked")
    static String list(List<Map<String, Object>> rows) {
        StringBuilder b = new StringBuilder("Client List:\n#, PROG[PID]@HOST, ROLE, STATE");
        for (Map<String, Object> r : rows) {
            List<Map<String, Object>> procs = (List<Map<String, Object>>) r.get("procs");
            StringBuilder who = new StringBuilder();
            if (procs.isEmpty()) {
                who.append(r.get("name")).append("[-]");
            }
            for (Map<String, Object> p : procs) {
                if (who.length() > 0) {
                    who.append(' ');
                }
                who.append(p.get("name")).append('[').append(p.get("pid")).append(']');
            }
            b.append('\n').append(r.get("id")).append(", ").append(who).append('@').append(r.get("host"))
                    .append(", ").append(r.get("role")).append(", ").append(r.get("state"));
        }
        return b.toString();
    }

    /**
     * One line of a round's progress ({@link BarrierEngine#progress}): the stage, the bytes
     * written of those expected by every participant that reported, the rate, the time left,
     * and with several participants each one's share; empty when none reported.
     */
    @SuppressWarnings("unchecked")
    static String progressLine(Map<String, Object> p) {
        if (p == null) {
            return "";
        }
        List<Map<String, Object>> who = (List<Map<String, Object>>) p.get("participants");
        if (who == null || who.isEmpty()) {
            return "";
        }
        long done = 0;
        long total = 0;
        long rate = 0;
        for (Map<String, Object> w : who) {
            done += ((Number) w.get("done")).longValue();
            total += ((Number) w.get("total")).longValue();
            rate += ((Number) w.get("bytesPerSecond")).longValue();
        }
        StringBuilder b = new StringBuilder();
        b.append("round ").append(p.get("round")).append(", ").append(p.get("stage")).append(": ")
                .append(mb(done)).append(" of ").append(mb(total)).append(" MB (")
                .append(total > 0 ? Math.min(100, done * 100 / total) : 100).append("%)");
        if (rate > 0) {
            b.append(", ").append(mb(rate)).append(" MB/s");
            if (done < total) {
                b.append(", ").append(String.format(java.util.Locale.ROOT, "%.1f", (total - done) / (double) rate)).append(" s left");
            }
        }
        if (who.size() > 1) {
            for (Map<String, Object> w : who) {
                b.append("; ").append(w.get("participant")).append(' ').append(mb(((Number) w.get("done")).longValue()))
                        .append('/').append(mb(((Number) w.get("total")).longValue())).append(" MB");
            }
        }
        return b.toString();
    }

    private static String mb(long bytes) {
        double m = bytes / 1048576.0;
        return m < 10 ? String.format(java.util.Locale.ROOT, "%.1f", m) : String.valueOf(Math.round(m));
    }

    static String help() {
        return String.join("\n",
                "COMMANDS:",
                "  l : List connected nodes",
                "  s : Print status message",
                "  c : Checkpoint all nodes",
                "  i N : Checkpoint every N seconds (0 = off)",
                "  k : Kill all nodes",
                "  q : Kill all nodes and quit",
                "  h : Print this message",
                "  anything else is run as a Gogo shell command (dmtcp:plugins, lb, ...)");
    }
}
