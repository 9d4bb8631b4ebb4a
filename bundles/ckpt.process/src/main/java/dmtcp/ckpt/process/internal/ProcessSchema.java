package dmtcp.ckpt.process.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dmtcp.ckpt.process.spi.FdHandler.SavedFd;
import dmtcp.image.format.schema.JsonRecords;
import dmtcp.image.format.schema.RecordReader;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.MappedFile;
import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.MmLayout;
import dmtcp.mem.linux.api.PageRange;
import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.SigAction;
import dmtcp.mem.linux.api.ThreadState;
import java.util.ArrayList;
import java.util.List;

/**
 * The PROC record of an image, field by field: the one writer and the one reader of the
 * process description, used by the checkpoint, the restore, dmtcp_restart's checks and
 * dmtcp_inspect (doc/image-format.md lists every field). Field names are the file format:
 * they are written here by name, never derived from the Java records, so renaming a
 * component of {@link ProcessState} changes nothing in the file.
 *
 * <p>Versions: 1 is written (the member {@value #SCHEMA} first). 0 is a record written before
 * the schema had a version (up to commit b1c2651: Gson's rendering of the same records under
 * the same names, which always wrote every field but the optional ones), read by the same
 * code. Every field is required but those the documentation names optional; a reader ignores
 * members it does not know. A field whose absence would make an older reader restore wrongly
 * needs a new version, which such a reader then refuses by number.
 */
public final class ProcessSchema {
    private ProcessSchema() {}

    /** The version written. */
    public static final int VERSION = 1;
    /** The member of the PROC record that holds its version (absent: version 0). */
    public static final String SCHEMA = "schema";
    /** What errors call the record. */
    static final String WHERE = "PROC";
    /** x86_64 user_regs_struct: 27 words. */
    static final int REGS = 27;

    /**
     * What the process plugin recorded about the checkpoint (the PROC record's "checkpoint"
     * member); each field is optional: null when absent.
     *
     * @param program the program's name as the coordinator lists it
     * @param uniqueId the process's unique id in the computation
     * @param host the host it ran on
     * @param startTime its start time (clock ticks since boot, /proc/PID/stat field 22)
     * @param round the checkpoint round
     * @param created when the image was written (ISO-8601)
     */
    public record Checkpoint(String program, String uniqueId, String host, Long startTime, Long round, String created) {
        public static final Checkpoint NONE = new Checkpoint(null, null, null, null, null, null);

        /** From the inventory members the process plugin gives the writer (ProcessHook's), by their names. */
        public static Checkpoint of(JsonObject extra) {
            if (extra == null) {
                return NONE;
            }
            return read(JsonRecords.reader(extra, "checkpoint"));
        }

        static Checkpoint read(RecordReader r) {
            return new Checkpoint(r.getString("program", null), r.getString("uniqueId", null), r.getString("host", null),
                    r.has("startTime") ? r.getLong("startTime") : null, r.has("round") ? r.getLong("round") : null,
                    r.getString("created", null));
        }

        void write(RecordWriter w) {
            w.put("program", program).put("uniqueId", uniqueId).put("host", host);
            if (startTime != null) {
                w.put("startTime", startTime);
            }
            if (round != null) {
                w.put("round", round);
            }
            w.put("created", created);
        }

        /** As JSON (absent fields left out). */
        public JsonObject json() {
            JsonObject o = new JsonObject();
            write(JsonRecords.writer(o));
            return o;
        }
    }

    /**
     * A PROC record as read.
     *
     * @param schema the version it was written with
     * @param fds the saved fds ("fds"), in fd order, each with its handler's own record
     * @param records the plugins' own records ("records": {name, version, required, data}; empty when none)
     */
    public record ProcessRecord(int schema, ProcessState state, List<SavedFd> fds, JsonArray records, Checkpoint checkpoint) {}

    /**
     * The PROC record of a process.
     *
     * @param fds the fd records as {@link FdTable#records()} wrote them
     */
    public static JsonObject write(ProcessState s, JsonArray fds, Checkpoint checkpoint) {
        return write(s, fds, null, checkpoint);
    }

    /**
     * As {@link #write(ProcessState, JsonArray, Checkpoint)}, with the plugins' own records as
     * {@link FdTable#pluginRecords()} wrote them ("records", left out when there are none).
     */
    public static JsonObject write(ProcessState s, JsonArray fds, JsonArray records, Checkpoint checkpoint) {
        JsonObject proc = new JsonObject();
        RecordWriter w = JsonRecords.writer(proc);
        w.put(SCHEMA, VERSION);
        w.put("pid", s.pid()).put("exe", s.exe()).put("comm", s.comm()).putStrings("argv", s.argv()).put("cwd", s.cwd())
                .put("umask", s.umask());
        mm(s.mm(), w.object("mm"));
        w.put("auxv", s.auxv());
        w.list("regions");
        for (MemoryRegion r : s.regions()) {
            region(r, w.add("regions"));
        }
        w.list("threads");
        for (ThreadState t : s.threads()) {
            thread(t, w.add("threads"));
        }
        w.list("sigactions");
        for (SigAction a : s.sigactions()) {
            w.add("sigactions").put("signal", a.signal()).put("handler", a.handler()).put("flags", a.flags())
                    .put("restorer", a.restorer()).put("mask", a.mask());
        }
        w.put("rlimits", s.rlimits()).put("itimers", s.itimers()).putByteArrays("pendingSignals", s.pendingSignals())
                .put("stopped", s.stopped());
        w.list("timers");
        for (PosixTimer t : s.timers()) {
            w.add("timers").put("id", t.id()).put("clock", t.clock()).put("sigevNotify", t.sigevNotify()).put("signal", t.signal())
                    .put("sigval", t.sigval()).put("tid", t.tid()).put("valueNanos", t.valueNanos())
                    .put("intervalNanos", t.intervalNanos()).put("overrun", t.overrun());
        }
        w.list("files");
        for (MappedFile f : s.files()) {
            w.add("files").put("path", f.path()).put("inode", f.inode()).put("size", f.size()).put("mtimeNanos", f.mtimeNanos())
                    .put("buildId", f.buildId()).put("sha256", f.sha256());
        }
        proc.add("fds", fds == null ? new JsonArray() : fds);
        if (records != null && !records.isEmpty()) {
            proc.add("records", records);
        }
        (checkpoint == null ? Checkpoint.NONE : checkpoint).write(w.object("checkpoint"));
        return proc;
    }

    private static void mm(MmLayout m, RecordWriter w) {
        w.put("startCode", m.startCode()).put("endCode", m.endCode()).put("startData", m.startData()).put("endData", m.endData())
                .put("startBrk", m.startBrk()).put("brk", m.brk()).put("startStack", m.startStack()).put("argStart", m.argStart())
                .put("argEnd", m.argEnd()).put("envStart", m.envStart()).put("envEnd", m.envEnd());
    }

    private static void region(MemoryRegion r, RecordWriter w) {
        w.put("start", r.start()).put("end", r.end()).put("prot", r.prot()).put("shared", r.shared()).put("offset", r.offset())
                .put("devMajor", r.devMajor()).put("devMinor", r.devMinor()).put("inode", r.inode()).put("path", r.path());
        w.list("saved");
        for (PageRange p : r.saved()) {
            w.add("saved").put("offset", p.offset()).put("length", p.length());
        }
    }

    private static void thread(ThreadState t, RecordWriter w) {
        w.put("tid", t.tid()).put("regs", t.regs()).put("xstate", t.xstate()).put("sigmask", t.sigmask())
                .put("rseqAddress", t.rseqAddress()).put("rseqLength", t.rseqLength()).put("rseqSignature", t.rseqSignature())
                .put("robustListHead", t.robustListHead()).put("robustListLength", t.robustListLength())
                .put("clearChildTid", t.clearChildTid()).put("altStackSp", t.altStackSp()).put("altStackFlags", t.altStackFlags())
                .put("altStackSize", t.altStackSize()).putByteArrays("pendingSignals", t.pendingSignals());
    }

    /**
     * Reads a PROC record (of any version this reader knows).
     *
     * @throws IllegalArgumentException naming the version when it is not one this reader
     *     knows, or the field (as {@code PROC.threads[1]: field tid is missing}) that is absent,
     *     mistyped or out of shape
     */
    public static ProcessRecord read(JsonObject proc) {
        RecordReader r = JsonRecords.reader(proc, WHERE);
        int version = version(r);
        try {
            ProcessState s = new ProcessState(r.getInt("pid"), r.getString("exe"), r.getString("comm"), need(r, "argv", r.getStrings("argv")),
                    r.getString("cwd"), r.getInt("umask"), mm(need(r, "mm", r.object("mm"))), need(r, "auxv", r.getBytes("auxv")),
                    regions(r), threads(r), sigactions(r), rows(r, "rlimits", 2), rows(r, "itimers", 4),
                    need(r, "pendingSignals", r.getByteArrays("pendingSignals")), r.getBoolean("stopped"), timers(r), files(r));
            List<SavedFd> fds = FdTable.read(r.list("fds"));
            JsonArray records = FdTable.readPluginRecords(r.list("records"));
            RecordReader ck = r.object("checkpoint");
            return new ProcessRecord(version, s, fds, records, ck == null ? Checkpoint.NONE : Checkpoint.read(ck));
        } catch (IllegalArgumentException e) {
            if (version == 0) {
                throw new IllegalArgumentException(e.getMessage() + " (a record of schema version 0, as images were written before the"
                        + " process schema had a version)", e);
            }
            throw e;
        }
    }

    /** The PROC record's schema version, refused when it is not one this reader knows. */
    static int version(RecordReader r) {
        if (!r.has(SCHEMA)) {
            return 0;
        }
        long v = r.getLong(SCHEMA);
        if (v < 0 || v > VERSION) {
            throw new IllegalArgumentException("it is of schema version " + v + ", which this DMTCP does not read (it reads versions 0 to "
                    + VERSION + "): the image was written by a newer DMTCP");
        }
        return (int) v;
    }

    private static MmLayout mm(RecordReader m) {
        return new MmLayout(m.getLong("startCode"), m.getLong("endCode"), m.getLong("startData"), m.getLong("endData"),
                m.getLong("startBrk"), m.getLong("brk"), m.getLong("startStack"), m.getLong("argStart"), m.getLong("argEnd"),
                m.getLong("envStart"), m.getLong("envEnd"));
    }

    private static List<MemoryRegion> regions(RecordReader r) {
        List<MemoryRegion> out = new ArrayList<>();
        for (RecordReader x : list(r, "regions")) {
            List<PageRange> saved = new ArrayList<>();
            for (RecordReader p : list(x, "saved")) {
                saved.add(new PageRange(p.getLong("offset"), p.getLong("length")));
            }
            out.add(new MemoryRegion(x.getLong("start"), x.getLong("end"), x.getInt("prot"), x.getBoolean("shared"), x.getLong("offset"),
                    x.getInt("devMajor"), x.getInt("devMinor"), x.getLong("inode"), x.getString("path"), saved));
        }
        return out;
    }

    private static List<ThreadState> threads(RecordReader r) {
        List<ThreadState> out = new ArrayList<>();
        for (RecordReader t : list(r, "threads")) {
            long[] regs = need(t, "regs", t.getLongs("regs"));
            if (regs.length != REGS) {
                throw new IllegalArgumentException(t.where() + ": regs holds " + regs.length + " words, not the " + REGS
                        + " of x86_64's user_regs_struct");
            }
            out.add(new ThreadState(t.getInt("tid"), regs, need(t, "xstate", t.getBytes("xstate")), t.getLong("sigmask"),
                    t.getLong("rseqAddress"), t.getInt("rseqLength"), t.getInt("rseqSignature"), t.getLong("robustListHead"),
                    t.getLong("robustListLength"), t.getLong("clearChildTid"), t.getLong("altStackSp"), t.getInt("altStackFlags"),
                    t.getLong("altStackSize"), need(t, "pendingSignals", t.getByteArrays("pendingSignals"))));
        }
        return out;
    }

    private static List<SigAction> sigactions(RecordReader r) {
        List<SigAction> out = new ArrayList<>();
        for (RecordReader a : list(r, "sigactions")) {
            out.add(new SigAction(a.getInt("signal"), a.getLong("handler"), a.getLong("flags"), a.getLong("restorer"), a.getLong("mask")));
        }
        return out;
    }

    /** Optional: absent (an image of before the timers were saved), none. */
    private static List<PosixTimer> timers(RecordReader r) {
        List<PosixTimer> out = new ArrayList<>();
        for (RecordReader t : r.list("timers")) {
            out.add(new PosixTimer(t.getInt("id"), t.getInt("clock"), t.getInt("sigevNotify"), t.getInt("signal"), t.getLong("sigval"),
                    t.getInt("tid"), t.getLong("valueNanos"), t.getLong("intervalNanos"), t.getInt("overrun")));
        }
        return out;
    }

    /** Optional: absent (an image of before the files were identified), none: nothing beyond the inodes is checked at restart. */
    private static List<MappedFile> files(RecordReader r) {
        List<MappedFile> out = new ArrayList<>();
        for (RecordReader x : r.list("files")) {
            out.add(new MappedFile(x.getString("path"), x.getLong("inode"), x.getLong("size"), x.getLong("mtimeNanos"),
                    x.getString("buildId", null), x.getString("sha256", null)));
        }
        return out;
    }

    private static long[][] rows(RecordReader r, String n, int width) {
        long[][] rows = need(r, n, r.getLongRows(n));
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != width) {
                throw new IllegalArgumentException(r.where() + ": " + n + "[" + i + "] holds " + rows[i].length + " numbers, not " + width);
            }
        }
        return rows;
    }

    /** A list of objects that must be there (it may be empty). */
    private static List<RecordReader> list(RecordReader r, String n) {
        need(r, n, r.has(n) ? n : null);
        return r.list(n);
    }

    private static <T> T need(RecordReader r, String n, T value) {
        if (value == null) {
            throw new IllegalArgumentException(r.where() + ": field " + n + " is missing");
        }
        return value;
    }

    /** The PROC record of a small process, written and read once: loads what a checkpoint uses, ahead of it. */
    public static void warmUp() {
        ProcessState s = new ProcessState(1, "/", "x", List.of(), "/", 0, new MmLayout(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), new byte[0],
                List.of(), List.of(new ThreadState(1, new long[REGS], new byte[0], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of())), List.of(),
                new long[0][], new long[0][], List.of(), false, List.of(), List.of());
        read(com.google.gson.JsonParser.parseString(write(s, new JsonArray(), Checkpoint.NONE).toString()).getAsJsonObject());
    }
}
