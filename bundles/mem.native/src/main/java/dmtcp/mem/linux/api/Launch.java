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
        return launch(argv, null);
    }

    /**
     * As {@link #launch(String[])}, and takes the program's {@link ProcessLock} in
     * {@code lockDir} (the user's private folder), so that a restart of its images is
     * refused while it runs, under whatever coordinator. A lock that cannot be taken is
     * said on stderr; the program runs on.
     */
    public static int launch(String[] argv, String lockDir) {
        Processes.becomeSubreaper();
        Child c = Processes.spawn(Arrays.asList(argv));
        if (lockDir != null) {
            try {
                ProcessLock.acquire(java.nio.file.Path.of(lockDir), c, "dmtcp_checkpoint");
            } catch (java.io.IOException | RuntimeException e) {
                System.err.println("dmtcp_checkpoint: warning: no lock for " + c + " in " + lockDir + ": " + e.getMessage());
            }
        }
        return c.pid();
    }

    /**
     * {@code pid} is a child the runtime started for itself (the coordinator it started in
     * the background): neither an orphan of the programs nor part of the computation.
     */
    public static void helper(long pid) {
        Processes.helper(pid);
    }

    private static final Object LOCK = new Object();
    private static int expected = 1;
    private static String failure;

    /** A restart: becomes a child subreaper and expects {@code n} programs to be restored later. */
    public static void prepareRestart(int n) {
        Processes.becomeSubreaper();
        expect(n);
    }

    /** A restart: {@code n} programs will be restored (announced later, once restored). */
    public static void expect(int n) {
        synchronized (LOCK) {
            expected = n;
        }
    }

    /** The expected programs will not come (a refused or failed restart): {@link #waitForAll} returns. */
    public static void giveUp(String why) {
        synchronized (LOCK) {
            failure = why;
            LOCK.notifyAll();
        }
    }

    /** Why the expected programs did not come, or null. */
    public static String failure() {
        synchronized (LOCK) {
            return failure;
        }
    }

    static void announced() {
        synchronized (LOCK) {
            LOCK.notifyAll();
        }
    }

    /**
     * Waits until the expected programs have started and then until every one has ended.
     *
     * @return the first program's status as a shell reports it (code, or 128 + signal);
     *     1 when they never came ({@link #failure()} says why)
     */
    public static int waitForAll() throws InterruptedException {
        synchronized (LOCK) {
            while (failure == null && Processes.launched().size() < expected) {
                LOCK.wait();
            }
            if (failure != null && Processes.launched().size() < expected) {
                return 1;
            }
        }
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
