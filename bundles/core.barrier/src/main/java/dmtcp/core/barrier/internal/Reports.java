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
