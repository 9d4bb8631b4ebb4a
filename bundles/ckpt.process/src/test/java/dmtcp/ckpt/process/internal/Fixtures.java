package dmtcp.ckpt.process.internal;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dmtcp.mem.linux.api.MappedFile;
import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.MmLayout;
import dmtcp.mem.linux.api.PageRange;
import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.SigAction;
import dmtcp.mem.linux.api.ThreadState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The process of the test images in src/test/resources/images, which the code at commit
 * b1c2651 wrote from exactly this ProcessState (StateJson, FdTable, ImageWriter): every field
 * holds a value of its own, so that a field read into another is seen.
 */
public final class Fixtures {
    private Fixtures() {}

    public static final String PROC = "/images/proc-b1c2651.json";
    public static final String RAW = "/images/ckpt-b1c2651-raw.dmtcp";
    public static final String GZIP = "/images/ckpt-b1c2651-gzip.dmtcp";

    public static ProcessState state() {
        long[] regs = new long[27];
        for (int i = 0; i < 27; i++) {
            regs[i] = 0x1000L * (i + 1) + i;
        }
        regs[16] = 0x401136L;
        regs[19] = 0x7ffd1234abc0L;
        regs[5] = -2L;
        ThreadState t1 = new ThreadState(4711, regs, new byte[] {9, 8, 7, 6}, 0x4001L, 0x7f00aa001000L, 32, 0x53053053,
                0x7f00aa002000L, 24, 0x7f00aa0029d0L, 0x7f00bb000000L, 1, 8192, List.of(new byte[] {10, 0, 0, 0, 1}));
        long[] regs2 = regs.clone();
        regs2[16] = 0x401200L;
        regs2[19] = 0x7f00cc000ff0L;
        ThreadState t2 = new ThreadState(4712, regs2, new byte[] {5}, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, List.of());
        MemoryRegion r1 = new MemoryRegion(0x400000L, 0x401000L, 5, false, 0, 8, 1, 2155170, "/tmp/t/ticker", List.of());
        MemoryRegion r2 = new MemoryRegion(0x7f00aa000000L, 0x7f00aa004000L, 3, false, 0, 0, 0, 0, "",
                List.of(new PageRange(0, 4096), new PageRange(8192, 8192)));
        MemoryRegion r3 = new MemoryRegion(0x7f00dd000000L, 0x7f00dd002000L, 3, true, 12288, 259, 3, 99887766L,
                "/tmp/hsperfdata_u/4711", List.of(new PageRange(4096, 4096)));
        return new ProcessState(4711, "/tmp/t/ticker", "ticker", List.of("/tmp/t/ticker", "out file", "ü"), "/tmp/t", 022,
                new MmLayout(0x400000L, 0x401000L, 0x403000L, 0x404000L, 0x1d2c000L, 0x1d4d000L, 0x7ffd12340000L, 0x7ffd1234f000L,
                        0x7ffd1234f020L, 0x7ffd1234f020L, 0x7ffd1234ffe0L),
                new byte[] {33, 0, 0, 0, 0, 0, 0, 0, 1, 2}, List.of(r1, r2, r3), List.of(t1, t2),
                List.of(new SigAction(2, 0x401500L, 0x4000000L, 0x7f00aa100000L, 0x4000L), new SigAction(14, 1, 0, 0, 0)),
                new long[][] {{1, 2}, {-1, -1}, {8388608, -1}}, new long[][] {{0, 100000, 0, 50000}, {0, 0, 0, 0}, {1, 2, 3, 4}},
                List.of(new byte[] {14, 0, 0, 0}), true,
                List.of(new PosixTimer(1, 1, 0, 10, 0xA11CEL, 0, 34954669L, 50000000L, 0),
                        new PosixTimer(3, 1, 4, 32, 0x55a3c86d9460L, 4712, 1, 30000000L, 2)),
                List.of(new MappedFile("/tmp/t/ticker", 2155170, 16056, 1764625410123456789L, "9f0c1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b",
                        null), new MappedFile("/tmp/t/lib.so", 2155171, 8000, 1764625410000000001L, null, "ab".repeat(32))));
    }

    public static ProcessSchema.Checkpoint checkpoint() {
        return new ProcessSchema.Checkpoint("ticker", "5e1f2a3b-4711-1764625410", "node1", 123456789L, 3L, "2026-12-02T01:41:58.123456Z");
    }

    /** The PROC record's JSON text as b1c2651 wrote it. */
    public static String procText() {
        try (InputStream in = Fixtures.class.getResourceAsStream(PROC)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonObject proc() {
        return JsonParser.parseString(procText()).getAsJsonObject();
    }

    /** A copy of a test image in {@code dir}. */
    public static Path copy(String resource, Path dir) throws IOException {
        Path p = dir.resolve(Path.of(resource).getFileName().toString());
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            Files.copy(in, p);
        }
        return p;
    }

    /** Records compared component by component (arrays by content, lists element by element), naming the first difference. */
    public static void assertSame(String where, Object expected, Object actual) {
        if (expected == null || actual == null) {
            if (expected != actual) {
                throw new AssertionError(where + ": expected " + expected + " but was " + actual);
            }
            return;
        }
        if (expected.getClass().isRecord()) {
            if (expected.getClass() != actual.getClass()) {
                throw new AssertionError(where + ": expected a " + expected.getClass().getSimpleName() + " but was " + actual);
            }
            for (RecordComponent c : expected.getClass().getRecordComponents()) {
                try {
                    assertSame(where + "." + c.getName(), c.getAccessor().invoke(expected), c.getAccessor().invoke(actual));
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
        } else if (expected instanceof List<?> l) {
            List<?> m = (List<?>) actual;
            if (l.size() != m.size()) {
                throw new AssertionError(where + ": expected " + l.size() + " elements but was " + m.size());
            }
            for (int i = 0; i < l.size(); i++) {
                assertSame(where + "[" + i + "]", l.get(i), m.get(i));
            }
        } else if (!Objects.deepEquals(expected, actual)) {
            throw new AssertionError(where + ": expected " + deep(expected) + " but was " + deep(actual));
        }
    }

    private static String deep(Object o) {
        return o instanceof Object[] a ? java.util.Arrays.deepToString(a) : o instanceof long[] l ? java.util.Arrays.toString(l)
                : o instanceof byte[] b ? java.util.Arrays.toString(b) : String.valueOf(o);
    }
}
