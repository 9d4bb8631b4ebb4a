package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.CPrograms;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Freezer;
import dmtcp.mem.linux.api.Frozen;
import dmtcp.mem.linux.api.Injector;
import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.MemorySink;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.Processes;
import dmtcp.mem.linux.api.Sys;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The tracer that dies (a JVM of its own, started by {@link TracerDeathTest}): spawns
 * {@code PROGRAM ARGS...} (its first argument is the output file), waits for its first
 * lines, prints "pid N", and at MOMENT SIGKILLs itself, as a {@code kill -9} of a launcher
 * would: {@code frozen} (frozen, nothing injected), {@code injected} (three injected calls
 * into every thread), {@code described} (in the sink's describe: every injected call of
 * the dump done, no memory read yet), {@code streaming} (in the sink's second write: the
 * image half written).
 */
public final class DyingTracer {
    private DyingTracer() {}

    public static void main(String[] args) throws Exception {
        String moment = args[0];
        List<String> argv = Arrays.asList(args).subList(1, args.length);
        Child c = Processes.spawn(argv);
        CPrograms.awaitLines(Path.of(argv.get(1)), 3, 30_000);
        System.out.println("pid " + c.pid());
        System.out.flush();
        Frozen f = Freezer.freeze(c.pid());
        switch (moment) {
            case "frozen" -> die();
            case "injected" -> {
                for (int i = 0; i < 3; i++) {
                    for (int t : f.tids()) {
                        Injector.check(t, "getpid", Sys.SYS_getpid);
                    }
                }
                die();
            }
            default -> TestFds.dump(f, new MemorySink() {
                private int writes;

                @Override
                public void describe(ProcessState s) {
                    if (moment.equals("described")) {
                        die();
                    }
                }

                @Override
                public void write(MemoryRegion region, long offset, ByteBuffer data) {
                    if (++writes == 2) {
                        die();
                    }
                }
            });
        }
        throw new IllegalStateException("moment " + moment + " never came");
    }

    private static void die() {
        Processes.kill((int) ProcessHandle.current().pid(), 9);
    }
}
