package dmtcp.mem.linux.api;

import dmtcp.mem.linux.api.ThreadControl;
import java.util.List;

/**
 * A process whose every thread is ptrace-stopped by this JVM's tracer thread. {@link
 * #thaw()} (or {@link #close()}) detaches them all and the program runs on as before.
 */
public final class Frozen implements AutoCloseable {
    private final int pid;
    private final List<Integer> tids;
    private final boolean groupStopped;
    private boolean thawed;

    Frozen(int pid, List<Integer> tids, boolean groupStopped) {
        this.pid = pid;
        this.tids = List.copyOf(tids);
        this.groupStopped = groupStopped;
    }

    /** The process was stopped (SIGSTOP, SIGTSTP, ...) when frozen; thawing leaves it so. */
    public boolean groupStopped() {
        return groupStopped;
    }

    public int pid() {
        return pid;
    }

    /** The stopped threads, the thread-group leader first when it is alive. */
    public List<Integer> tids() {
        return tids;
    }

    /**
     * Detaches every thread; signals that arrived while frozen and reached a thread during an
     * injected call are re-sent (with their siginfo where the kernel allows it, see
     * {@code ThreadControl.resend}). Idempotent;
     * threads killed while frozen are skipped.
     */
    public void thaw() {
        Tracer.get().call(() -> {
            if (thawed) {
                return null;
            }
            thawed = true;
            boolean leaderDead = false;
            for (int t : tids) {
                // a dead thread's exit goes to its tracer first: collected, so that the leader
                // becomes reapable by its parent
                if (!ThreadControl.detachIfAlive(t, 0)) {
                    if (t != pid) {
                        ThreadControl.reap(t);
                    } else {
                        leaderDead = true;
                    }
                }
            }
            // the leader itself, last (its exit is reported only once its other threads are
            // collected), when its parent is not this JVM (the agent's programs: the shell
            // waits for it); a child of ours is our reaper's
            if (leaderDead && !Processes.isOurs(pid)) {
                ThreadControl.reap(pid);
            }
            for (ThreadControl.Caught p : ThreadControl.drainPending(tids)) {
                ThreadControl.resend(pid, p);
            }
            return null;
        });
    }

    /** SIGKILLs the process while it is frozen and lets the kernel finish it off. */
    public void kill() {
        Processes.kill(pid, 9);
        thaw();
    }

    @Override
    public void close() {
        thaw();
    }

    @Override
    public String toString() {
        return "Frozen[" + pid + " " + tids + "]";
    }
}
