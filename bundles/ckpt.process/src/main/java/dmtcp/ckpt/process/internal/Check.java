package dmtcp.ckpt.process.internal;

import dmtcp.core.boot.Probe;
import dmtcp.ckpt.process.internal.task.Checkpointer;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.ckpt.process.internal.task.ResourceHooks;
import dmtcp.mem.linux.api.UnsupportedFdException;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Freezer;
import dmtcp.mem.linux.api.Frozen;
import dmtcp.mem.linux.api.MemorySink;
import dmtcp.mem.linux.api.MemorySource;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.Processes;
import dmtcp.ckpt.process.internal.task.Restorer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * dmtcp_check's probes (like {@code criu check}): does everything checkpointing needs work
 * for this user on this machine? Each probe is a real operation on a real child process,
 * not a guess from version numbers. The launcher asks for it before the framework starts
 * ({@link dmtcp.core.boot.Bootstrap#check}): one {@link Probe} per probe.
 */
final class Check {
    private Check() {}

    /**
     * The test process holds only its standard streams, which a restore leaves as the stub
     * inherited them (this JVM's): no resource handler is needed, none is there yet.
     */
    private static final ResourceHooks STANDARD_STREAMS = new ResourceHooks() {
        @Override
        public void claim(List<FdInfo> fds) {
            for (FdInfo f : fds) {
                if (f.fd() > 2) {
                    throw new UnsupportedFdException(f.fd(), "an fd of the test process beyond its standard streams", f.target());
                }
            }
        }
    };

    static List<Probe> run(String checkpointDir, String tmpDir) {
        List<String[]> rows = new ArrayList<>();
        String arch = System.getProperty("os.arch");
        rows.add(row("kernel", "amd64".equals(arch) || "x86_64".equals(arch) ? "OK" : "FAIL",
                "Linux " + System.getProperty("os.version") + " on " + arch, "the ptrace engine supports x86_64 only"));
        rows.add(yama());
        rows.add(pagemap());
        Child child = null;
        try {
            child = Processes.spawn(List.of("sleep", "30"));
            long t0 = System.nanoTime();
            ProcessState state;
            ByteArrayOutputStream pages = new ByteArrayOutputStream();
            try (Frozen f = Freezer.freeze(child.pid())) {
                rows.add(row("ptrace", "OK", "PTRACE_SEIZE + PTRACE_INTERRUPT of " + f.tids().size() + " thread(s) of a child", ""));
                state = Checkpointer.dump(f, new MemorySink() {
                    @Override
                    public void write(dmtcp.mem.linux.api.MemoryRegion region, long offset, ByteBuffer data) {
                        byte[] b = new byte[data.remaining()];
                        data.get(b);
                        pages.write(b, 0, b.length);
                    }
                }, STANDARD_STREAMS);
            }
            long dumped = System.nanoTime();
            rows.add(row("dump", "OK", String.format("registers, FP state, rseq, %d regions, %d KiB of pages (process_vm_readv, "
                    + "pagemap) in %d ms", state.regions().size(), pages.size() >> 10, ms(dumped - t0)), ""));
            child.signal(9);
            child.onExit().get(10, TimeUnit.SECONDS);
            byte[] bytes = pages.toByteArray();
            int[] pos = {0};
            MemorySource source = (region, offset, dst) -> {
                int n = dst.remaining();
                dst.put(bytes, pos[0], n);
                pos[0] += n;
            };
            long r0 = System.nanoTime();
            Child restored = Restorer.restore(state, source, STANDARD_STREAMS);
            Thread.sleep(100);
            boolean alive = restored.isAlive();
            rows.add(row("restore", alive ? "OK" : "FAIL", alive
                    ? "exec'd stub, injected syscalls, vDSO moved, PR_SET_MM_MAP, threads; " + ms(System.nanoTime() - r0) + " ms"
                    : "the restored test process died: " + restored.onExit().getNow(null), alive ? "" : "report this with dmtcp_check's output"));
            restored.signal(9);
        } catch (Exception | Error e) {
            rows.add(row("checkpoint/restore of a test process", "FAIL", String.valueOf(e.getMessage()),
                    "ptrace or injected syscalls are refused here: see the yama row; containers may forbid ptrace (seccomp)"));
            if (child != null) {
                child.signal(9);
            }
        }
        rows.add(writable("checkpoint dir", checkpointDir, "DMTCP_CHECKPOINT_DIR"));
        rows.add(writable("temporary dir", tmpDir, "DMTCP_TMPDIR"));
        return rows.stream().map(r -> new Probe(r[0], Probe.Status.valueOf(r[1]), r[2], r[3])).toList();
    }

    private static String[] yama() {
        Path p = Path.of("/proc/sys/kernel/yama/ptrace_scope");
        if (!Files.exists(p)) {
            return row("ptrace scope", "OK", "no Yama LSM: any process of this user may be traced", "");
        }
        try {
            int v = Integer.parseInt(Files.readString(p).trim());
            return switch (v) {
                case 0 -> row("ptrace scope", "OK", "kernel.yama.ptrace_scope = 0", "");
                case 1 -> row("ptrace scope", "OK", "kernel.yama.ptrace_scope = 1: enough, DMTCP traces only its own descendants", "");
                case 2 -> row("ptrace scope", "FAIL", "kernel.yama.ptrace_scope = 2: only CAP_SYS_PTRACE may trace",
                        "ask root for: sysctl kernel.yama.ptrace_scope=1");
                default -> row("ptrace scope", "FAIL", "kernel.yama.ptrace_scope = " + v + ": ptrace is disabled",
                        "a reboot with ptrace_scope 1 is needed (3 cannot be lowered at run time)");
            };
        } catch (IOException | NumberFormatException e) {
            return row("ptrace scope", "WARN", "cannot read " + p + ": " + e.getMessage(), "");
        }
    }

    private static String[] pagemap() {
        try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(Path.of("/proc/self/pagemap"))) {
            // one 8-byte entry, aligned: the kernel refuses smaller reads
            if (f.read(ByteBuffer.allocate(8), 0) != 8) {
                throw new IOException("short read");
            }
            return row("pagemap", "OK", "/proc/PID/pagemap flags readable: untouched and clean pages are skipped", "");
        } catch (IOException e) {
            return row("pagemap", "WARN", "/proc/self/pagemap: " + e.getMessage(), "images will hold every page (larger, slower)");
        }
    }

    private static String[] writable(String name, String dir, String variable) {
        Path d = Path.of(dir);
        try {
            Files.createDirectories(d);
            Path t = Files.createTempFile(d, ".dmtcp-check", ".tmp");
            Files.delete(t);
            return row(name, "OK", d.toAbsolutePath() + " is writable", "");
        } catch (IOException e) {
            return row(name, "FAIL", d.toAbsolutePath() + ": " + e.getMessage(), "set " + variable + " to a writable directory");
        }
    }

    private static String[] row(String name, String status, String detail, String advice) {
        return new String[] {name, status, detail, advice};
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
