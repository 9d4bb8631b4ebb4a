package dmtcp.ckpt.process.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dmtcp.ckpt.process.spi.FdHandler.SavedFd;
import dmtcp.mem.linux.api.MmLayout;
import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.ProcessState;
import java.util.List;
import java.util.function.Consumer;
import org.junit.Test;

/**
 * The PROC record through its schema: every field written and read back, the record the code
 * of b1c2651 wrote read field by field (and written again under the same names, in the same
 * order), a version this reader does not know refused by number, a missing or misshapen field
 * named where it is.
 */
public class ProcessSchemaTest {
    private static ProcessSchema.ProcessRecord roundTrip(ProcessState s, JsonArray fds, ProcessSchema.Checkpoint ck) {
        String text = ProcessSchema.write(s, fds, ck).toString();
        return ProcessSchema.read(JsonParser.parseString(text).getAsJsonObject());
    }

    @Test
    public void everyFieldRoundTrips() {
        ProcessSchema.ProcessRecord back = roundTrip(Fixtures.state(), Fixtures.proc().getAsJsonArray("fds"), Fixtures.checkpoint());
        assertEquals(ProcessSchema.VERSION, back.schema());
        Fixtures.assertSame("state", Fixtures.state(), back.state());
        Fixtures.assertSame("checkpoint", Fixtures.checkpoint(), back.checkpoint());
        assertEquals(2, back.fds().size());
        SavedFd tty = back.fds().get(0);
        assertEquals(List.of(0, "terminal", 1, 2, false), List.of(tty.fd(), tty.kind(), tty.version(), tty.flags(), tty.cloexec()));
        assertArrayEquals(new byte[] {3, 28, 127}, tty.data().object("termios").getBytes("cc"));
        SavedFd file = back.fds().get(1);
        assertEquals(List.of(3, "file", 1, 02100000, true), List.of(file.fd(), file.kind(), file.version(), file.flags(), file.cloexec()));
        assertEquals(4096, file.data().getLong("offset"));

        // the values the fixture does not use: extremes, absent checkpoint details
        ProcessState s = Fixtures.state();
        long[] regs = s.threads().get(0).regs().clone();
        regs[0] = Long.MIN_VALUE;
        regs[1] = Long.MAX_VALUE;
        ProcessState odd = new ProcessState(Integer.MAX_VALUE, "/a\"b\\c\n", "", List.of(), "/", 0777,
                new MmLayout(-1, Long.MIN_VALUE, 0, 0, 0, 0, 0, 0, 0, 0, Long.MAX_VALUE), new byte[0], List.of(),
                List.of(new dmtcp.mem.linux.api.ThreadState(1, regs, new byte[4096], -1L, 0, Integer.MIN_VALUE, -1, 0, 0, 0, 0, 0, 0,
                        List.of(new byte[128], new byte[] {-1}))), List.of(), new long[0][], new long[0][], List.of(), false, List.of(),
                List.of());
        ProcessSchema.ProcessRecord o = roundTrip(odd, null, null);
        Fixtures.assertSame("odd", odd, o.state());
        Fixtures.assertSame("no checkpoint details", ProcessSchema.Checkpoint.NONE, o.checkpoint());
        assertTrue(o.fds().isEmpty());
    }

    /** A record as images written today hold it (no schema member) reads into exactly the process it was written from. */
    @Test
    public void theRecordOfB1c2651ReadsEveryField() {
        ProcessSchema.ProcessRecord r = ProcessSchema.read(Fixtures.proc());
        assertEquals(0, r.schema());
        Fixtures.assertSame("state", Fixtures.state(), r.state());
        Fixtures.assertSame("checkpoint", Fixtures.checkpoint(), r.checkpoint());
        assertEquals("/dev/pts/3", r.fds().get(0).data().getString("path"));
        assertEquals(111, r.fds().get(0).data().object("winsize").getInt("cols"));
        assertEquals("/tmp/t/data", r.fds().get(1).data().getString("path"));
    }

    /** The names and their order are those of the images written today: the record is b1c2651's with "schema" first. */
    @Test
    public void theWriterWritesTheNamesOfB1c2651() {
        JsonObject written = ProcessSchema.write(Fixtures.state(), Fixtures.proc().getAsJsonArray("fds"), Fixtures.checkpoint());
        assertEquals(ProcessSchema.SCHEMA, written.keySet().iterator().next());
        assertEquals(ProcessSchema.VERSION, written.remove(ProcessSchema.SCHEMA).getAsInt());
        assertEquals(Fixtures.procText(), written.toString());
    }

    @Test
    public void aSchemaVersionThisReaderDoesNotKnowIsRefusedByNumber() {
        JsonObject p = Fixtures.proc();
        p.addProperty(ProcessSchema.SCHEMA, 2);
        assertRefused(p, "it is of schema version 2, which this DMTCP does not read (it reads versions 0 to 1): the image was written"
                + " by a newer DMTCP");
        p.addProperty(ProcessSchema.SCHEMA, "one");
        assertRefused(p, "PROC: field schema is not a number");
    }

    @Test
    public void aMissingOrMisshapenFieldIsNamed() {
        String v0 = " (a record of schema version 0, as images were written before the process schema had a version)";
        assertRefused(edit(p -> p.getAsJsonArray("threads").get(1).getAsJsonObject().remove("tid")),
                "PROC.threads[1]: field tid is missing" + v0);
        assertRefused(edit(p -> {
            p.addProperty(ProcessSchema.SCHEMA, 1);
            p.getAsJsonArray("threads").get(0).getAsJsonObject().getAsJsonArray("regs").remove(0);
        }), "PROC.threads[0]: regs holds 26 words, not the 27 of x86_64's user_regs_struct");
        assertRefused(edit(p -> {
            p.addProperty(ProcessSchema.SCHEMA, 1);
            p.getAsJsonArray("rlimits").get(1).getAsJsonArray().add(3);
        }), "PROC: rlimits[1] holds 3 numbers, not 2");
        assertRefused(edit(p -> {
            p.addProperty(ProcessSchema.SCHEMA, 1);
            p.remove("regions");
        }), "PROC: field regions is missing");
        assertRefused(edit(p -> {
            p.addProperty(ProcessSchema.SCHEMA, 1);
            p.getAsJsonObject("mm").addProperty("brk", "high");
        }), "PROC.mm: field brk is not a number");
        assertRefused(edit(p -> {
            p.addProperty(ProcessSchema.SCHEMA, 1);
            p.getAsJsonArray("regions").get(2).getAsJsonObject().getAsJsonArray("saved").get(0).getAsJsonObject().remove("length");
        }), "PROC.regions[2].saved[0]: field length is missing");
        assertRefused(edit(p -> {
            p.addProperty(ProcessSchema.SCHEMA, 1);
            p.getAsJsonArray("fds").get(1).getAsJsonObject().remove("kind");
        }), "PROC.fds[1]: field kind is missing");
    }

    /** Fields added after the first images: absent, none (timers, files, fds, checkpoint), and a file's build id or digest. */
    @Test
    public void theOptionalFieldsMayBeAbsent() {
        JsonObject p = edit(x -> {
            x.remove("timers");
            x.remove("files");
            x.remove("fds");
            x.remove("checkpoint");
        });
        ProcessSchema.ProcessRecord r = ProcessSchema.read(p);
        assertTrue(r.state().timers().isEmpty());
        assertTrue(r.state().files().isEmpty());
        assertTrue(r.fds().isEmpty());
        Fixtures.assertSame("checkpoint", ProcessSchema.Checkpoint.NONE, r.checkpoint());
        ProcessSchema.ProcessRecord f = ProcessSchema.read(Fixtures.proc());
        assertNull(f.state().files().get(0).sha256());
        assertNull(f.state().files().get(1).buildId());
        JsonObject none = ProcessSchema.write(r.state(), null, null);
        assertEquals("a process without timers writes []", "[]", none.get("timers").toString());
        assertEquals("{}", none.get("checkpoint").toString());
    }

    @Test
    public void timersSurvive() {
        List<PosixTimer> timers = List.of(new PosixTimer(1, 1, PosixTimer.SIGEV_SIGNAL, 10, 0xA11CEL, 0, 12_345_678L, 50_000_000L, 0),
                new PosixTimer(3, 1, PosixTimer.SIGEV_SIGNAL | PosixTimer.SIGEV_THREAD_ID, 32, 0x55a3c86d9460L, 4153, 1, 30_000_000L, 2),
                new PosixTimer(4, 0, PosixTimer.SIGEV_NONE, 0, -1L, 0, 0, 0, 0));
        ProcessState s = Fixtures.state();
        ProcessState t = new ProcessState(s.pid(), s.exe(), s.comm(), s.argv(), s.cwd(), s.umask(), s.mm(), s.auxv(), s.regions(),
                s.threads(), s.sigactions(), s.rlimits(), s.itimers(), s.pendingSignals(), s.stopped(), timers, s.files());
        assertEquals(timers, roundTrip(t, null, null).state().timers());
    }

    /** An image of before the resource SPI: its fds are mem.native's FdState, read as version 0 of their kind. */
    @Test
    public void theFdsOfAnImageOfBeforeTheResourceSpiRead() {
        JsonObject p = edit(x -> x.add("fds", JsonParser.parseString("[{\"fd\":6,\"kind\":\"deleted\",\"path\":\"/tmp/victim\","
                + "\"flags\":32770,\"offset\":1234,\"mode\":33184,\"cloexec\":true,\"content\":\"AAH/\"}]")));
        SavedFd f = ProcessSchema.read(p).fds().get(0);
        assertEquals(List.of(6, "deleted", 0, 32770, true), List.of(f.fd(), f.kind(), f.version(), f.flags(), f.cloexec()));
        assertArrayEquals(new byte[] {0, 1, (byte) 0xff}, f.data().getBytes("content"));
    }

    private static JsonObject edit(Consumer<JsonObject> change) {
        JsonObject p = Fixtures.proc();
        change.accept(p);
        return p;
    }

    private static void assertRefused(JsonObject p, String message) {
        try {
            ProcessSchema.read(p);
            fail("read: " + message);
        } catch (IllegalArgumentException e) {
            assertEquals(message, e.getMessage());
        }
    }
}
