package dmtcp.ckpt.process.internal;

import dmtcp.core.barrier.spi.ProcessRegistry;
import dmtcp.core.barrier.spi.RestoredProcess;
import dmtcp.core.barrier.spi.StageContext;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.ProcessTree;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The computation's programs on this side and the processes a restart holds on the way to
 * them: what the {@link Supervisor} serves as the {@link ProcessRegistry}. One per runtime:
 * made by the {@link ProcessBootstrap} when a command spawned or began restoring before the
 * framework started (and handed to the Supervisor through the Bootstrap service), else by the
 * Supervisor itself (a coordinator, a test framework).
 */
final class Programs {
    /** How long a kill may take to find and stop every process (a fork bomb, a process stuck in D state). */
    private static final int KILL_TIMEOUT_SECONDS = 10;

    private final List<Child> launched = new CopyOnWriteArrayList<>();
    private final List<ProcessRegistry.Listener> listeners = new CopyOnWriteArrayList<>();
    private final EarlyRestore early = new EarlyRestore();
    private volatile List<HeldProcess> held = List.of();
    /** Guards {@link #expected} and {@link #failure}; notified when a program starts or the programs will not come. */
    private final Object lock = new Object();
    private int expected = 1;
    private String failure;

    /** The processes dmtcp_restart began rebuilding before the framework started. */
    EarlyRestore early() {
        return early;
    }

    /** Records {@code c} as a program that runs (spawned, or restored and released), tells the listeners, and again when it ends. */
    void started(Child c) {
        launched.add(c);
        // described only for listeners: a unique id costs a host name lookup, not for a program's first line
        for (ProcessRegistry.Listener l : listeners) {
            l.started(describe(c));
        }
        c.onExit().thenAccept(status -> {
            for (ProcessRegistry.Listener l : listeners) {
                l.ended(describe(c), status.toString());
            }
        });
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private static StageContext.Process describe(Child c) {
        return new StageContext.Process(c.pid(), c.name(), c.argv(), c.uniqueId());
    }

    List<StageContext.Process> running() {
        List<StageContext.Process> out = new ArrayList<>();
        for (Child c : launched) {
            if (c.isAlive()) {
                out.add(describe(c));
            }
        }
        return out;
    }

    String firstName() {
        return launched.isEmpty() ? "?" : launched.get(0).name();
    }

    void addListener(ProcessRegistry.Listener l) {
        listeners.add(l);
    }

    void removeListener(ProcessRegistry.Listener l) {
        listeners.remove(l);
    }

    /** The processes a restart round holds stopped, from its first restart hook to RUNNING. */
    List<RestoredProcess> restored() {
        return List.copyOf(held);
    }

    void hold(List<HeldProcess> processes) {
        held = List.copyOf(processes);
    }

    /** The held processes, no longer listed as held: the caller releases or abandons them. */
    List<HeldProcess> takeHeld() {
        List<HeldProcess> h = held;
        held = List.of();
        return h;
    }

    /** A restart: {@code n} programs will come (restored, then released). */
    void expect(int n) {
        synchronized (lock) {
            expected = n;
        }
    }

    /** The expected programs will not come: {@link #awaitAll} returns. */
    void giveUp(String why) {
        synchronized (lock) {
            failure = why;
            lock.notifyAll();
        }
    }

    String failure() {
        synchronized (lock) {
            return failure;
        }
    }

    /** See {@link dmtcp.core.boot.Bootstrap#awaitPrograms()}. */
    int awaitAll() throws InterruptedException {
        synchronized (lock) {
            while (failure == null && launched.size() < expected) {
                lock.wait();
            }
            if (failure != null && launched.size() < expected) {
                return 1;
            }
        }
        List<Child> all = List.copyOf(launched);
        int first = 0;
        for (int i = 0; i < all.size(); i++) {
            int s = all.get(i).onExit().join().shellCode();
            if (i == 0) {
                first = s;
            }
        }
        return first;
    }

    /** See {@link ProcessRegistry#killAll()}. */
    List<String> killAll() {
        List<Integer> pids = new ArrayList<>();
        for (Child c : launched) {
            if (c.isAlive()) {
                pids.add(c.pid());
            }
        }
        List<String> killed = new ArrayList<>();
        ProcessTree.killAll(pids, KILL_TIMEOUT_SECONDS, TimeUnit.SECONDS).forEach(p -> killed.add(p.toString()));
        return killed;
    }
}
