package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The event fds of bundles/fd.events end to end, through bin/: each program is launched with
 * dmtcp_checkpoint, checkpointed with dmtcp_command -bc, killed, and brought back by
 * ./dmtcp_restart_script.sh, three times; after each restart it must go on from where it was.
 * events.c (bundles/fd.events' test program): eventfd counts (through a dup, an EFD_SEMAPHORE
 * one), timerfds (the pending expirations kept, the time the program was not running not
 * counted, relative, absolute and fired ones), a signalfd; sigfd.c: signals sent
 * after the restart arrive through the signalfd; inotifyw.c: files created in the watched
 * folders after the restart are reported with the wds the program had; eventloop.c: an epoll
 * loop over a self-pipe (bundles/fd.pipes), an eventfd, a timerfd and a signalfd, as libuv and
 * asyncio have.
 * The four run as one computation (one checkpoint, one restarter), as root and as the ordinary
 * user.
 */
public class EventFdsIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    private Tools root() {
        return new Tools(null, tmp.getRoot().toPath());
    }

    private Tools user() throws Exception {
        Assume.assumeTrue("runs as root only (as any other user the tests above already are unprivileged)",
                "root".equals(System.getProperty("user.name")));
        Assume.assumeTrue("user " + CommandLineIT.USER + " exists (.ci/run creates it)",
                new ProcessBuilder("id", CommandLineIT.USER).start().waitFor() == 0);
        Path dir = tmp.newFolder("user").toPath();
        Files.setPosixFilePermissions(tmp.getRoot().toPath(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Tools.sharedLikeTmp(dir);
        return new Tools(CommandLineIT.USER, dir);
    }

    private static List<String> lines(Path f) {
        try {
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** What a test does around each checkpoint/kill/restart cycle. */
    private interface Cycle {
        /** Before the checkpoint: the program is under way. */
        void running(int cycle) throws Exception;

        /** After the restart: it went on. */
        void restarted(int cycle) throws Exception;

        /** After the last cycle: everything it wrote. */
        void verify(Program g) throws Exception;
    }

    /**
     * One program of the computation, appending lines to {@code out}, and per cycle the number
     * of lines {@code out} had just before the checkpoint and just after the kill (the lines
     * between are the checkpointed program's, which ran on until it was killed; the restored one
     * goes on from the checkpoint, so it writes some of their rounds again), and the checkpoint
     * round's time (ms) as the coordinator measured it.
     */
    private record Program(String name, List<String> argv, Path out, Cycle cycle, List<int[]> windows) {
        Program(String name, List<String> argv, Path out, Cycle cycle) {
            this(name, argv, out, cycle, new ArrayList<>());
        }

        /** Whether line {@code i} was written by the checkpointed program after its checkpoint. */
        boolean afterCheckpoint(int i) {
            return windows.stream().anyMatch(w -> i >= w[0] && i < w[1]);
        }

        /** Whether line {@code i} is the first of a restored program. */
        boolean firstRestored(int i) {
            return windows.stream().anyMatch(w -> w[1] == i);
        }

        /** Lines i-5..i+5 of {@code l} and the cycles' windows, for a message. */
        String around(List<String> l, int i) {
            StringBuilder b = new StringBuilder("\n");
            for (int j = Math.max(0, i - 5); j < Math.min(l.size(), i + 6); j++) {
                b.append(j).append(j == i ? " > " : "   ").append(l.get(j)).append('\n');
            }
            windows.forEach(w -> b.append("checkpoint at line ").append(w[0]).append(", killed at ").append(w[1]).append(", round ")
                    .append(w[2]).append(" ms\n"));
            return b.toString();
        }

        /** The checkpoint round (ms) whose restored program wrote line {@code i} first; 0 for any other line. */
        int roundBefore(int i) {
            return windows.stream().filter(w -> w[1] == i).mapToInt(w -> w[2]).findFirst().orElse(0);
        }
    }

    /**
     * Launches every program into one computation, then three cycles of checkpoint (all
     * together), kill, and ./dmtcp_restart_script.sh (one restarter for all). The programs stay
     * down for at least 2 s more than the checkpoint round took: what they count of the time they
     * were frozen for the checkpoint (as the checkpointed program does) then stays apart from
     * what they would count of the time they were not running.
     */
    private static void cycles(Tools t, List<Program> programs) throws Exception {
        Tools.Coordinator coord = t.coordinator("coord");
        String p = String.valueOf(coord.port);
        String n = String.valueOf(programs.size());
        List<Process> running = new ArrayList<>();
        for (Program g : programs) {
            List<String> args = new ArrayList<>(List.of("-p", p, "--join"));
            args.addAll(g.argv());
            running.add(t.start("launch-" + g.name(), "dmtcp_checkpoint", args.toArray(new String[0])));
        }
        Tools.waitFor("the participants", 60, () -> t.status(p).contains("NUM_PEERS=" + n));
        for (int cycle = 1; cycle <= 3; cycle++) {
            for (Program g : programs) {
                g.cycle().running(cycle);
                g.windows().add(new int[] {lines(g.out()).size(), 0, 0});
            }
            Tools.Result bc = t.run("dmtcp_command", "-p", p, "-bc");
            StringBuilder errs = new StringBuilder();
            for (Program g : programs) {
                errs.append(t.output(cycle == 1 ? "launch-" + g.name() : "restart-" + (cycle - 1), "err"));
            }
            assertEquals("cycle " + cycle + ": " + bc.out() + bc.err() + errs + coord.out, 0, bc.exit());
            assertContains(bc.out(), n + " image(s)");
            java.util.regex.Matcher done = java.util.regex.Pattern.compile("done in (\\d+) ms").matcher(bc.out());
            assertTrue(bc.out(), done.find());
            int roundMs = Integer.parseInt(done.group(1));
            long killed = System.nanoTime();
            t.run("dmtcp_command", "-p", p, "-k").ok();
            for (Process r : running) {
                assertTrue(r.waitFor(30, TimeUnit.SECONDS));
            }
            running.clear();
            Tools.waitFor("the killed participants to leave", 30, () -> t.status(p).contains("NUM_PEERS=0"));
            for (Program g : programs) {
                g.windows().get(cycle - 1)[1] = lines(g.out()).size();
                g.windows().get(cycle - 1)[2] = roundMs;
            }
            long down = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            Thread.sleep(Math.max(0, roundMs + 2000 - down)); // the scenario (a long time down), not a synchronisation
            running.add(t.start("restart-" + cycle, "/bin/sh", "-c", "cd '" + t.workDir + "' && exec ./dmtcp_restart_script.sh"));
            Tools.waitFor("the restarter", 60, () -> t.status(p).contains("NUM_PEERS=1")); // one for all the processes
            for (Program g : programs) {
                g.cycle().restarted(cycle);
            }
        }
        t.run("dmtcp_command", "-p", p, "-q").ok();
        assertTrue(coord.process.waitFor(30, TimeUnit.SECONDS));
    }

    private static void await(String what, Path out, java.util.function.Predicate<List<String>> cond) throws InterruptedException {
        Tools.waitFor(what + " (" + out + ")", 30, () -> cond.test(lines(out)));
    }

    private static void kill(String signal, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor());
    }

    /** The four programs as one computation, checkpointed together. */
    @Test
    public void eventFdProgramsContinueThroughThreeRestarts() throws Exception {
        run(root());
    }

    @Test
    public void eventFdProgramsContinueThroughThreeRestartsAsAnOrdinaryUser() throws Exception {
        run(user());
    }

    private static void run(Tools t) throws Exception {
        List<Program> programs = List.of(timers(t), signals(t), inotify(t), eventLoop(t));
        cycles(t, programs);
        for (Program g : programs) {
            g.cycle().verify(g);
        }
    }

    /** Waits for {@code more} lines more than {@code out} has now. */
    private static void progress(String what, Path out, int more) throws InterruptedException {
        int n = lines(out).size();
        await(what, out, l -> l.size() >= n + more);
    }

    // events (bundles/fd.events' engine test program): eventfd counts and timerfd expirations

    private static Program timers(Tools t) throws Exception {
        Path exe = t.compile("events");
        Path out = t.workDir.resolve("timers.out");
        return new Program("events", List.of(exe.toString(), out.toString()), out, new Cycle() {
            @Override
            public void running(int cycle) throws InterruptedException {
                progress("timer rounds", out, 5);
            }

            @Override
            public void restarted(int cycle) throws InterruptedException {
                progress("timer rounds after restart " + cycle, out, 5);
            }

            @Override
            public void verify(Program g) {
                List<String> l = lines(out);
                long round = 0;
                for (int i = 0; i < l.size(); i++) {
                    String s = l.get(i);
                    String[] w = s.split(" ");
                    assertEquals(s, "ok", w[1]);
                    long n = Long.parseLong(w[0]), a = Long.parseLong(w[2]), b = Long.parseLong(w[3]), bread = Long.parseLong(w[4]);
                    assertTrue("rounds go on: " + s + " after round " + round, n == round + 1 || g.firstRestored(i) && n <= round + 1);
                    round = n;
                    assertTrue("pending timerfd expirations lost at a restart (A fell behind 50 B): " + s + g.around(l, i), a >= 50 * b - 3);
                    // the checkpointed program, thawed, saw the time it was frozen, and so does the first round of
                    // a restored one (at most the checkpoint round's time); not the time it was down (2 s more)
                    int frozen = g.firstRestored(i) ? g.roundBefore(i) : 0;
                    assertTrue("the time between checkpoint and restart counted (B expired " + bread + " times at once, the checkpoint "
                            + "round took " + frozen + " ms): " + s, g.afterCheckpoint(i) || bread <= frozen / 100 + 5);
                }
            }
        });
    }

    // sigfd: signals through a signalfd

    private static Program signals(Tools t) throws Exception {
        Path exe = t.compile("sigfd");
        Path out = t.workDir.resolve("sig.out");
        long[] count = {0};
        return new Program("sigfd", List.of(exe.toString(), out.toString()), out, new Cycle() {
            @Override
            public void running(int cycle) throws Exception {
                progress("signalfd polls", out, 3);
                if (cycle == 1) {
                    signal("USR1");
                }
            }

            @Override
            public void restarted(int cycle) throws Exception {
                progress("signalfd polls after restart " + cycle, out, 3);
                signal(cycle % 2 == 0 ? "USR1" : "USR2");
                signal("USR1");
            }

            private void signal(String name) throws Exception {
                List<String> l = lines(out);
                long pid = Long.parseLong(l.get(l.size() - 1).split(" ")[2]);
                kill(name, pid);
                long want = ++count[0];
                String line = "sig " + want + " " + (name.equals("USR1") ? 10 : 12);
                await("signal " + want + " (SIG" + name + " to " + pid + ")", out, x -> x.contains(line));
            }

            @Override
            public void verify(Program g) {
                for (String s : lines(out)) {
                    assertTrue(s, !s.contains("CORRUPT"));
                }
                assertEquals("every signal came through the signalfd once", 7, lines(out).stream().filter(s -> s.startsWith("sig ")).count());
            }
        });
    }

    // inotifyw: watches and their wds

    private static Program inotify(Tools t) throws Exception {
        Path exe = t.compile("inotifyw");
        Path out = t.workDir.resolve("inotify.out");
        Path dir = t.workDir.resolve("watched");
        for (String d : List.of("", "a", "b", "c")) {
            Files.createDirectories(dir.resolve(d));
            if (t.user != null) {
                Files.setOwner(dir.resolve(d), dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(t.user));
            }
        }
        return new Program("inotifyw", List.of(exe.toString(), out.toString(), dir.toString()), out, new Cycle() {
            @Override
            public void running(int cycle) throws Exception {
                progress("inotify polls", out, 3);
                if (cycle == 1) {
                    Files.createFile(dir.resolve("b/first"));
                    await("the first event", out, l -> l.contains("ev 2 100 first"));
                }
            }

            @Override
            public void restarted(int cycle) throws Exception {
                progress("inotify polls after restart " + cycle, out, 3);
                Files.createFile(dir.resolve("b/x" + cycle));
                Files.createFile(dir.resolve("c/y" + cycle));
                await("the events of cycle " + cycle, out, l -> l.contains("ev 2 100 x" + cycle) && l.contains("ev 3 100 y" + cycle));
            }

            @Override
            public void verify(Program g) {
                for (String s : lines(out)) {
                    assertTrue("only the test's files are reported, once: " + s, s.startsWith("tick ") || s.matches("ev [23] 100 (first|x[123]|y[123])"));
                }
                assertEquals(7, lines(out).stream().filter(s -> s.startsWith("ev ")).count());
            }
        });
    }

    // eventloop: epoll over a self-pipe, an eventfd, a timerfd and a signalfd

    private static Program eventLoop(Tools t) throws Exception {
        Path exe = t.compile("eventloop");
        Path out = t.workDir.resolve("loop.out");
        List<String> argv = List.of(exe.toString(), out.toString());
        long[] sent = {0};
        return new Program("eventloop", argv, out, new Cycle() {
            @Override
            public void running(int cycle) throws Exception {
                progress("loop lines", out, 3);
            }

            @Override
            public void restarted(int cycle) throws Exception {
                progress("loop lines after restart " + cycle, out, 3);
                List<String> l = lines(out);
                long pid = Long.parseLong(l.get(l.size() - 1).split(" ")[6]);
                long want = ++sent[0];
                kill("USR1", pid); // through the signalfd
                kill("USR2", pid); // its handler writes into the self-pipe
                await("SIGUSR1 and SIGUSR2 seen by the loop (cycle " + cycle + ")", out, x -> {
                    String[] w = x.get(x.size() - 1).split(" ");
                    return Long.parseLong(w[4]) >= want && Long.parseLong(w[5]) >= want;
                });
            }

            @Override
            public void verify(Program g) {
                List<String> l = lines(out);
                long ticks = 0, posted = 0;
                for (int i = 0; i < l.size(); i++) {
                    String s = l.get(i);
                    String[] w = s.split(" ");
                    assertEquals(s, "ok", w[7]);
                    if (!g.firstRestored(i)) {
                        assertTrue("the timer goes on: " + s, Long.parseLong(w[1]) >= ticks);
                        assertTrue("the worker goes on: " + s, Long.parseLong(w[2]) >= posted);
                    }
                    ticks = Long.parseLong(w[1]);
                    posted = Long.parseLong(w[2]);
                }
                String[] last = l.get(l.size() - 1).split(" ");
                assertEquals("every SIGUSR1 came through the signalfd: " + l.get(l.size() - 1), "3", last[4]);
                assertEquals("every SIGUSR2 came through the self-pipe: " + l.get(l.size() - 1), "3", last[5]);
            }
        });
    }
}
