package dmtcp.ckpt.process.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.UnsupportedFdException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.Test;

/**
 * The fd dispatcher without a process: who claims what (ranking order, refusal naming the fd),
 * the records it writes (fd, kind, version, flags, cloexec, the handler's data) and reads back,
 * and the fd entries of images written before the resource SPI (read as version 0).
 */
public class FdTableTest {
    /** Claims fds whose target starts with its prefix; saves the target. */
    private static final class Prefix implements FdHandler {
        final String prefix, kind;
        final List<String> restored = new ArrayList<>();

        Prefix(String prefix, String kind) {
            this.prefix = prefix;
            this.kind = kind;
        }

        @Override
        public Set<String> kinds() {
            return Set.of(kind);
        }

        @Override
        public boolean claims(FdInfo fd, DumpContext ctx) {
            return fd.target().startsWith(prefix);
        }

        @Override
        public String dump(FdInfo fd, DumpContext ctx, RecordWriter out) {
            out.put("target", fd.target()).put("bytes", new byte[] {1, 2, (byte) 0xff}).add("list").put("i", 1);
            return kind;
        }

        @Override
        public void restore(SavedFd fd, RestoreContext ctx) {
            restored.add(fd.fd() + ":" + fd.data().getString("target"));
        }
    }

    private static FdInfo fd(int n, String target, int flags) {
        return new FdInfo(7, n, target, flags, 0, 0, 0, List.of());
    }

    @Test
    public void theFirstHandlerThatClaimsAnFdSavesItAndWhatNoneClaimsIsRefusedByName() throws IOException {
        Prefix pipes = new Prefix("pipe:", "pipe");
        Prefix any = new Prefix("", "other");
        FdTable t = new FdTable(List.of(pipes, any));
        t.claim(List.of(fd(0, "/dev/pts/1", 02), fd(4, "pipe:[9]", 02004000)));
        t.dump(null);
        JsonArray recs = t.records();
        assertEquals("other", recs.get(0).getAsJsonObject().get("kind").getAsString());
        assertEquals("pipe", recs.get(1).getAsJsonObject().get("kind").getAsString());
        assertEquals(1, recs.get(1).getAsJsonObject().get("version").getAsInt());
        assertTrue(recs.get(1).getAsJsonObject().get("cloexec").getAsBoolean());
        assertEquals(02004000, recs.get(1).getAsJsonObject().get("flags").getAsInt());

        FdTable back = new FdTable(List.of());
        back.load(recs, "prog");
        FdTable bound = back.withHandlers(List.of(any, pipes));
        bound.bind();
        List<FdHandler.SavedFd> s = bound.saved();
        assertEquals(2, s.size());
        assertEquals("pipe", s.get(1).kind());
        assertEquals("pipe:[9]", s.get(1).data().getString("target"));
        assertArrayEquals(new byte[] {1, 2, (byte) 0xff}, s.get(1).data().getBytes("bytes"));
        assertEquals(1, s.get(1).data().list("list").get(0).getInt("i"));

        try {
            new FdTable(List.of(pipes)).claim(List.of(fd(3, "anon_inode:[eventfd]", 02)));
            fail("an eventfd nobody claims was accepted");
        } catch (UnsupportedFdException e) {
            assertEquals("fd 3 is an eventfd (anon_inode:[eventfd]): not supported yet; checkpoint refused, the program runs on",
                    e.getMessage());
        }
    }

    @Test
    public void aKindNoInstalledHandlerRestoresStopsTheRestartNamingIt() throws IOException {
        FdTable t = new FdTable(List.of());
        t.load(JsonParser.parseString("[{\"fd\":5,\"kind\":\"eventfd\",\"version\":1,\"flags\":2,\"cloexec\":false,\"data\":{}}]")
                .getAsJsonArray(), "prog");
        try {
            t.withHandlers(List.of(new Prefix("", "file"))).bind();
            fail("bound an eventfd to no handler");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("fd 5 of prog was saved as kind \"eventfd\""));
        }
    }

    @Test
    public void theFdsOfAnImageWrittenBeforeTheResourceSpiReadAsVersionZero() throws IOException {
        // what StateJson wrote for mem.native's FdState records
        String old = "[{\"fd\":0,\"kind\":\"terminal\",\"path\":\"/dev/pts/3\",\"flags\":2,\"offset\":0,\"mode\":8592,\"cloexec\":false,"
                + "\"termios\":{\"iflag\":0,\"oflag\":4,\"cflag\":191,\"lflag\":0,\"line\":0,\"cc\":\"AAAAAAAAAQAAAAAAAAAAAAAAAA==\"},"
                + "\"winsize\":{\"rows\":33,\"cols\":111,\"xpixel\":0,\"ypixel\":0}},"
                + "{\"fd\":6,\"kind\":\"deleted\",\"path\":\"/tmp/victim\",\"flags\":32770,\"offset\":1234,\"mode\":33184,\"cloexec\":true,"
                + "\"content\":\"AAH/\"}]";
        FdTable t = new FdTable(List.of());
        t.load(JsonParser.parseString(old).getAsJsonArray(), "prog");
        List<FdHandler.SavedFd> s = t.saved();
        assertEquals(0, s.get(0).version());
        assertEquals("terminal", s.get(0).kind());
        assertEquals(191, s.get(0).data().object("termios").getInt("cflag"));
        assertEquals(111, s.get(0).data().object("winsize").getInt("cols"));
        assertEquals("deleted", s.get(1).kind());
        assertTrue(s.get(1).cloexec());
        assertEquals(1234, s.get(1).data().getLong("offset"));
        assertArrayEquals(new byte[] {0, 1, (byte) 0xff}, s.get(1).data().getBytes("content"));
    }

    /** Saves a number; restore records what it read. */
    private static final class Counter implements dmtcp.ckpt.process.spi.ProcessRecordHandler {
        final String name;
        final boolean required;
        final List<String> restored = new ArrayList<>();

        Counter(String name, boolean required) {
            this.name = name;
            this.required = required;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean required() {
            return required;
        }

        @Override
        public boolean save(DumpContext ctx, RecordWriter out) {
            out.put("n", 42).put("pid", ctx.pid());
            return true;
        }

        @Override
        public void restore(dmtcp.image.format.schema.RecordReader in, int version, RestoreContext ctx) {
            restored.add(in.getLong("n") + "/" + version + "/" + ctx.program());
        }
    }

    @Test
    public void aPluginsRecordComesBackToItAndARequiredOneWithoutItsPluginStopsTheRestart() throws IOException {
        FdTable t = new FdTable(List.of(new Prefix("", "other")), List.of(new Counter("a", true), new Counter("b", false)));
        t.claim(List.of(fd(0, "/dev/null", 0)));
        t.dump(null);
        assertEquals(2, t.pluginRecords().size());

        FdTable back = new FdTable(List.of());
        back.load(t.records(), t.pluginRecords(), "prog");
        Counter a = new Counter("a", true);
        FdTable bound = back.withHandlers(List.of(new Prefix("", "other")), List.of(a));
        bound.bind(); // b is optional: its absence is no reason to refuse
        bound.afterThreads(null, java.util.Map.of());
        assertEquals(List.of("42/1/prog"), a.restored);

        try {
            back.withHandlers(List.of(new Prefix("", "other")), List.of(new Counter("b", false))).bind();
            fail("restarted without the plugin of a required record");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("\"a\", which is not installed here"));
        }
    }

    /** A frozen process that only knows its pid: nothing is injected in these tests. */
    private static dmtcp.mem.linux.api.RemoteProcess process(int pid) {
        return new dmtcp.mem.linux.api.RemoteProcess() {
            @Override
            public int pid() {
                return pid;
            }

            @Override
            public long syscall(long nr, long... args) {
                throw new UnsupportedOperationException();
            }

            @Override
            public long check(String what, long nr, long... args) {
                throw new UnsupportedOperationException();
            }

            @Override
            public byte[] read(long address, int length) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(long address, byte[] bytes) {
                throw new UnsupportedOperationException();
            }

            @Override
            public long scratch(int size) {
                throw new UnsupportedOperationException();
            }

            @Override
            public long putString(String s) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    public void aPluginRecordOfAProcessWithoutFdsNamesItsPid() throws IOException {
        FdTable t = new FdTable(List.of(), List.of(new Counter("a", true)));
        t.claim(List.of()); // a daemon that closed every fd
        t.dump(process(4711));
        assertEquals(4711, t.pluginRecords().get(0).getAsJsonObject().getAsJsonObject("data").get("pid").getAsInt());
    }
}
