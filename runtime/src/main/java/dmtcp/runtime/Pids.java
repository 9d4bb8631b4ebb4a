package dmtcp.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Names that say which process a leftover file belongs to, and whether that process still
 * runs: {@code <pid>-<start time>}, the start time being field 22 of /proc/PID/stat (clock
 * ticks after boot). The pair names one process for the life of the machine, so a pid the
 * kernel has since given to another process does not keep a stale file alive.
 */
final class Pids {
    private Pids() {}

    /** The tag of a running process, or null when it is gone. */
    static String tag(long pid) {
        long start = startTime(pid);
        return start < 0 ? null : pid + "-" + start;
    }

    /** The tag of this process. */
    static String self() {
        return tag(ProcessHandle.current().pid());
    }

    /** True when {@code tag} ({@link #tag}) names a process that runs now; false for anything else. */
    static boolean alive(String tag) {
        int dash = tag.indexOf('-');
        if (dash <= 0 || !tag.chars().allMatch(c -> c == '-' || Character.isDigit(c)) || tag.length() > 40) {
            return false;
        }
        try {
            long pid = Long.parseLong(tag.substring(0, dash));
            long start = Long.parseLong(tag.substring(dash + 1));
            return startTime(pid) == start;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Field 22 of /proc/PID/stat, or -1 when the process is gone: ended too when it is a
     * zombie its new parent has not reaped yet (a coordinator whose starter exited first is
     * re-parented, and reaped a little later).
     */
    static long startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (f[0].equals("Z") || f[0].equals("X")) {
                return -1;
            }
            return Long.parseLong(f[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
