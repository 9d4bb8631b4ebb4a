package dmtcp.mem.linux.api;

import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Compiles the test programs in src/test/resources/c with gcc, once per JVM, and reads their output. */
public final class CPrograms {
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();
    private static Path dir;

    private CPrograms() {}

    public static synchronized Path build(String name) throws Exception {
        Path p = BUILT.get(name);
        if (p != null) {
            return p;
        }
        if (dir == null) {
            dir = Files.createTempDirectory("dmtcp-cprog");
            Path made = dir;
            // deleteOnExit cannot remove a folder that is not empty: each run left one in /tmp
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (java.util.stream.Stream<Path> s = Files.walk(made)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException | java.io.UncheckedIOException e) {
                    // best effort
                }
            }));
            try (InputStream in = CPrograms.class.getResourceAsStream("/c/append.h")) {
                Files.copy(in, dir.resolve("append.h")); // what the programs include
            }
        }
        Path src = dir.resolve(name + ".c");
        try (InputStream in = CPrograms.class.getResourceAsStream("/c/" + name + ".c")) {
            Files.copy(in, src);
        }
        Path exe = dir.resolve(name);
        Process gcc = new ProcessBuilder("gcc", "-O1", "-Wall", "-pthread", "-o", exe.toString(), src.toString())
                .redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes());
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
            fail("gcc " + name + ".c failed:\n" + out);
        }
        BUILT.put(name, exe);
        return exe;
    }

    public static List<String> lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> l = new java.util.ArrayList<>(Files.readAllLines(file));
        String all = Files.readString(file);
        if (!all.isEmpty() && !all.endsWith("\n")) {
            l.remove(l.size() - 1); // a line being written
        }
        return l;
    }

    /** Waits until {@code file} has at least {@code n} complete lines. */
    public static List<String> awaitLines(Path file, int n, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (;;) {
            List<String> l = lines(file);
            if (l.size() >= n) {
                return l;
            }
            if (System.currentTimeMillis() > deadline) {
                fail(file + ": " + l.size() + " lines after " + timeoutMs + " ms, wanted " + n + "; last: "
                        + (l.isEmpty() ? "none" : l.get(l.size() - 1)));
            }
            Thread.sleep(10);
        }
    }
}
