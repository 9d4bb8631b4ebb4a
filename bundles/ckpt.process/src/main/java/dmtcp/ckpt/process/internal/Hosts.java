package dmtcp.ckpt.process.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** Names and identities of checkpointed processes. */
public final class Hosts {
    private Hosts() {}

    public static String name() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** DMTCP-style unique id: host hash, pid, start time; stable for a process's life. */
    public static String unique(int pid) {
        return String.format("%08x-%d-%x", name().hashCode(), pid, startTime(pid));
    }

    /** Field 22 of /proc/PID/stat (clock ticks since boot), or 0 when gone. */
    public static long startTime(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[19]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    public static String safeName(String name) {
        return name.replaceAll("[^A-Za-z0-9._+-]", "_");
    }
}
