package dmtcp.mem.linux.api;

import dmtcp.mem.linux.internal.Libc;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The processes around this JVM's programs, from /proc: their children (of every thread:
 * {@code /proc/PID/task/TID/children}), the orphans this JVM adopted as a child subreaper,
 * and the kill of all of it. Checkpoints take single processes so far: a program with a
 * child, or one that left an orphan behind, is refused by name ({@link #refuseOutsiders})
 * rather than restored without them.
 */
public final class ProcessTree {
    private ProcessTree() {}

    /** A process as /proc shows it: pid, name (comm) and state letter (R, S, D, T, t, Z...). */
    public record Proc(int pid, String name, char state) {
        public boolean zombie() {
            return state == 'Z' || state == 'X';
        }

        @Override
        public String toString() {
            return name + "[" + pid + "]" + (zombie() ? " (exited, not yet reaped)" : "");
        }
    }

    /** The process {@code pid} now, or null if it is gone. */
    public static Proc of(int pid) {
        try {
            String s = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            int open = s.indexOf('(');
            int close = s.lastIndexOf(')');
            return new Proc(pid, s.substring(open + 1, close), s.charAt(close + 2));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The children of {@code pid} (forked by any of its threads), in pid order; empty if it is gone. */
    public static List<Proc> children(int pid) {
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Integer.toString(pid), "task"))) {
            for (Path t : tasks) {
                try {
                    for (String c : Files.readString(t.resolve("children")).trim().split("\\s+")) {
                        if (!c.isEmpty()) {
                            pids.add(Integer.parseInt(c));
                        }
                    }
                } catch (IOException e) {
                    // the thread exited meanwhile
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        pids.sort(null);
        List<Proc> out = new ArrayList<>();
        for (int c : pids) {
            Proc p = of(c);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /** Every descendant of {@code pid}: its children, theirs, and so on, each parent before its children. */
    public static List<Proc> descendants(int pid) {
        List<Proc> out = new ArrayList<>();
        for (int i = -1; i < out.size(); i++) {
            out.addAll(children(i < 0 ? pid : out.get(i).pid()));
        }
        return out;
    }

    /**
     * The processes this JVM adopted as a child subreaper (orphans its programs left
     * behind: {@code sh -c '(sleep 1000 &); exec prog'}): its children that it did not
     * spawn itself (programs, restore stubs) and that are not its own helpers (a coordinator
     * it started, see {@link Processes#helper}). Adopted zombies are reaped on the way: nobody
     * else will, and they are nothing the computation still has.
     */
    public static List<Proc> adopted() {
        List<Proc> out = new ArrayList<>();
        for (Proc p : children((int) ProcessHandle.current().pid())) {
            if (Processes.isOurs(p.pid())) {
                continue;
            }
            if (p.zombie()) {
                reap(p.pid());
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Refuses a checkpoint of {@code pids} (this JVM's programs) when any of them has a child
     * that is not itself one of them, or when this JVM adopted orphans: a checkpoint of the
     * parent alone would restart it without them (it would find no children and end as if
     * they had). The message names each: {@code bash[4711] has child processes the checkpoint
     * does not include yet: seq[4712], awk[4713]; checkpoint refused, the program runs on}.
     *
     * @throws IllegalStateException naming them
     */
    public static void refuseOutsiders(List<Integer> pids) {
        List<String> why = new ArrayList<>();
        for (int pid : pids) {
            List<Proc> outside = new ArrayList<>();
            for (Proc c : children(pid)) {
                if (!pids.contains(c.pid()) && !Processes.isHelper(c.pid())) {
                    outside.add(c);
                }
            }
            if (!outside.isEmpty()) {
                Proc self = of(pid);
                why.add((self == null ? "[" + pid + "]" : self.name() + "[" + pid + "]")
                        + " has child processes the checkpoint does not include yet: " + join(outside));
            }
        }
        List<Proc> orphans = adopted();
        orphans.removeIf(o -> pids.contains(o.pid()));
        if (!orphans.isEmpty()) {
            why.add("processes its programs left behind (orphans adopted by the launcher, pid " + ProcessHandle.current().pid()
                    + ") are not included in a checkpoint yet: " + join(orphans));
        }
        if (!why.isEmpty()) {
            throw new IllegalStateException(String.join("; ", why) + "; checkpoint refused, the program runs on");
        }
    }

    /**
     * Kills every process of this JVM's computation: its {@code programs} (live children
     * of this JVM), all their
     * descendants and every orphan it adopted, and theirs; never itself nor its helpers. Each pass stops
     * them all (SIGSTOP) and lists again until no new process appears, so that nothing can
     * fork behind the kill, then SIGKILLs them; passes repeat until nothing is left (the
     * children of a killed process are re-parented to this subreaper and found by the
     * next pass). Returns the processes it signalled; gives up after {@code timeout}.
     */
    public static List<Proc> killAll(List<Integer> programs, long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        Map<Integer, Proc> killed = new LinkedHashMap<>();
        // a program whose parent is not this JVM (the agent's: the user's shell, script(1))
        // is stopped by ptrace, which its parent does not see: a SIGSTOP would be reported to
        // it (a shell says "Stopped", script(1) stops itself in turn and never exits)
        Map<Integer, Frozen> frozen = new LinkedHashMap<>();
        int self = (int) ProcessHandle.current().pid();
        for (int pid : programs) {
            if (parentOf(pid) > 0 && parentOf(pid) != self) {
                try {
                    frozen.put(pid, Freezer.freeze(pid));
                } catch (RuntimeException e) {
                    // gone, or traced by another: SIGSTOP below as for any other
                }
            }
        }
        for (;;) {
            Map<Integer, Proc> stopped = new LinkedHashMap<>();
            for (List<Proc> found = computation(programs); !found.isEmpty(); found = computation(programs)) {
                found.removeIf(p -> stopped.containsKey(p.pid()));
                if (found.isEmpty()) {
                    break; // a whole listing found nothing new: every one of them is stopped
                }
                for (Proc p : found) {
                    if (!frozen.containsKey(p.pid())) {
                        Libc.kill(p.pid(), SIGSTOP); // errors ignored: gone, or not ours to signal (setuid)
                    }
                    stopped.put(p.pid(), p);
                }
                awaitStopped(found, deadline);
            }
            if (stopped.isEmpty() || System.nanoTime() > deadline) {
                frozen.values().forEach(Frozen::thaw);
                return List.copyOf(killed.values());
            }
            for (Proc p : stopped.values()) {
                Frozen f = frozen.remove(p.pid());
                if (f != null) {
                    f.kill();
                } else {
                    Libc.kill(p.pid(), SIGKILL);
                }
                killed.putIfAbsent(p.pid(), p);
            }
            awaitGone(stopped.values(), deadline);
        }
    }

    /** Field 4 of /proc/PID/stat, or -1 when it is gone. */
    private static int parentOf(int pid) {
        try {
            String s = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            return Integer.parseInt(s.substring(s.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static final int SIGKILL = 9;
    private static final int SIGSTOP = 19;

    /** The live processes of the computation now: programs, their descendants, adopted orphans and theirs. */
    private static List<Proc> computation(List<Integer> programs) {
        List<Proc> roots = new ArrayList<>(adopted());
        for (int pid : programs) { // live children: their pids cannot be reused before they are reaped
            Proc p = of(pid);
            if (p != null) {
                roots.add(p);
            }
        }
        List<Proc> all = new ArrayList<>();
        for (Proc r : roots) {
            all.add(r);
            // a helper among them (an agent's program's shell plumbing) is no part of it, nor its subtree
            for (int i = all.size() - 1; i < all.size(); i++) {
                for (Proc c : children(all.get(i).pid())) {
                    if (!Processes.isHelper(c.pid())) {
                        all.add(c);
                    }
                }
            }
        }
        all.removeIf(Proc::zombie);
        return all;
    }

    /** Waits until each is stopped (T, t), dead or gone: only then is its list of children final. */
    private static void awaitStopped(List<Proc> procs, long deadline) {
        for (Proc p : procs) {
            for (Proc now = of(p.pid()); now != null && "TtZX".indexOf(now.state()) < 0; now = of(p.pid())) {
                if (System.nanoTime() > deadline) {
                    return;
                }
                pause();
            }
        }
    }

    /** Waits until each SIGKILLed process is a zombie or gone. */
    private static void awaitGone(java.util.Collection<Proc> procs, long deadline) {
        for (Proc p : procs) {
            for (Proc now = of(p.pid()); now != null && !now.zombie(); now = of(p.pid())) {
                if (System.nanoTime() > deadline) {
                    return;
                }
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing the computation", e);
        }
    }

    /** Collects an adopted zombie (this pid only: never waitpid(-1), see {@link Tracer}). */
    private static void reap(int pid) {
        Tracer.get().call(() -> Libc.waitpid(pid, new int[1], Libc.WNOHANG | Libc.__WALL));
    }

    private static String join(List<Proc> procs) {
        List<String> s = new ArrayList<>();
        procs.forEach(p -> s.add(p.toString()));
        return String.join(", ", s);
    }
}
