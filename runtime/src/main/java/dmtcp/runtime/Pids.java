package dmtcp.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether the process a leftover file is named after still runs. */
final class Pids {
    private Pids() {}

    /**
     * True when {@code pid} (decimal text) names a running process. Not a pid: false. A pid
     * that runs again for another process also reads as alive: what it names is then left
     * alone, the safe side.
     */
    static boolean alive(String pid) {
        if (pid.isEmpty() || pid.length() > 10 || !pid.chars().allMatch(Character::isDigit)) {
            return false;
        }
        return Files.exists(Path.of("/proc", pid));
    }
}
