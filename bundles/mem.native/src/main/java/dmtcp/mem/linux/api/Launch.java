package dmtcp.mem.linux.api;

import java.util.Arrays;
import java.util.List;

/**
 * The entry the runtime's launcher calls (by reflection, before the OSGi framework has
 * started, so the user's program does not wait for the framework to boot). Plain types
 * only: the launcher's class loader does not see this bundle's classes.
 */
public final class Launch {
    private Launch() {}

    /**
     * Becomes a child subreaper and spawns {@code argv}.
     *
     * @return the child's pid
     * @throws NativeException naming the program when it cannot be started
     */
    public static int launch(String[] argv) {
        Processes.becomeSubreaper();
        return Processes.spawn(Arrays.asList(argv)).pid();
    }

    /**
     * Waits until every launched program has ended.
     *
     * @return the first program's status as a shell reports it (code, or 128 + signal)
     */
    public static int waitForAll() {
        List<Child> all = Processes.launched();
        int first = 0;
        for (int i = 0; i < all.size(); i++) {
            ExitStatus s = all.get(i).onExit().join();
            if (i == 0) {
                first = s.shellCode();
            }
        }
        return first;
    }
}
