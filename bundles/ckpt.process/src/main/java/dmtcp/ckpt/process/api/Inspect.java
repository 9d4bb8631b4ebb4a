package dmtcp.ckpt.process.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dmtcp.ckpt.process.internal.FdTable;
import dmtcp.ckpt.process.internal.ProcessSchema;
import dmtcp.ckpt.process.spi.FdHandler.SavedFd;
import dmtcp.image.format.api.ImageFormat;
import dmtcp.image.format.api.ImageReader;
import dmtcp.image.format.schema.JsonRecords;
import dmtcp.image.format.spi.StreamCodec;
import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.PosixTimer;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.ThreadState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * dmtcp_inspect's reading of an image (like DMTCP's readdmtcp and CRIU's crit): the whole
 * image is read, so every record's checksum, the inventory and the trailer are verified, and
 * the process description is read by the same schema reader as a restore
 * ({@link ProcessSchema}). Plain types only: the launcher calls it before the framework starts.
 */
public final class Inspect {
    private Inspect() {}

    /** The JDK's gzip: the codec services do not run yet. */
    static final Map<String, StreamCodec> CODECS = Map.of("gzip", dmtcp.image.format.api.JdkGzip.INSTANCE);

    /** What one image holds, read and verified. */
    private record Described(Path image, long bytesOnDisk, ImageReader.Count total, int version, String codec, JsonObject inventory,
            Map<String, ImageReader.Count> counts, ProcessSchema.ProcessRecord process) {}

    private static Described read(String name) throws IOException {
        Path image = Path.of(name);
        ImageReader.checkFile(image);
        long onDisk = Files.size(image);
        try (ImageReader r = ImageReader.open(image, CODECS)) {
            ProcessSchema.ProcessRecord proc = ProcessImages.head(r);
            while (r.next() != null) {
                // reading every record checks it
            }
            long records = 0;
            long bytes = 0;
            for (ImageReader.Count c : r.counts().values()) {
                records += c.records();
                bytes += c.bytes();
            }
            return new Described(image, onDisk, new ImageReader.Count(records, bytes), r.version(), r.codec(), r.inventory(),
                    r.counts(), proc);
        }
    }

    /**
     * The description as JSON: {@code image, bytesOnDisk, codec, inventory, process, verified},
     * {@code process} being the PROC record as the schema read it (under its version).
     */
    public static String json(String image) throws IOException {
        Described d = read(image);
        JsonObject o = new JsonObject();
        o.addProperty("image", d.image().toString());
        o.addProperty("bytesOnDisk", d.bytesOnDisk());
        o.addProperty("codec", d.codec());
        o.add("inventory", d.inventory());
        ProcessSchema.ProcessRecord p = d.process();
        JsonObject proc = ProcessSchema.write(p.state(), FdTable.records(p.fds()), p.records(), p.checkpoint());
        proc.addProperty(ProcessSchema.SCHEMA, p.schema());
        o.add("process", proc);
        o.addProperty("verified", true);
        return o.toString();
    }

    /** The description as text; {@code regions}: every memory region, not only their sum. */
    public static String text(String image, boolean regions) throws IOException {
        Described d = read(image);
        ProcessSchema.ProcessRecord rec = d.process();
        ProcessState p = rec.state();
        ProcessSchema.Checkpoint ck = rec.checkpoint();
        StringBuilder out = new StringBuilder();
        StringBuilder recs = new StringBuilder();
        for (Map.Entry<String, ImageReader.Count> e : d.counts().entrySet()) {
            recs.append(recs.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue().records()).append(" (")
                    .append(size(e.getValue().bytes())).append(')');
        }
        out.append(d.image()).append('\n');
        out.append(String.format("  format     %s%d (process schema %d), codec %s, %s on disk, %s of records: %s; verified%n",
                ImageFormat.SIGNATURE_PREFIX, d.version(), rec.schema(), d.codec(), size(d.bytesOnDisk()), size(d.total().bytes()), recs));
        out.append(String.format("  program    %s, pid %d on %s, unique id %s%n", or(ck.program(), p.comm()), p.pid(), or(ck.host(), "?"),
                or(ck.uniqueId(), "?")));
        out.append(String.format("  taken      %s (round %s)%n", or(ck.created(), "?"), ck.round() == null ? "?" : ck.round()));
        JsonArray argv = new JsonArray();
        p.argv().forEach(argv::add);
        out.append(String.format("  exe        %s%n  argv       %s%n  cwd        %s, umask %03o%n", p.exe(), argv, p.cwd(), p.umask()));
        out.append(String.format("threads (%d)%n  %-8s %-18s %-18s %s%n", p.threads().size(), "TID", "RIP", "RSP", "SIGMASK"));
        for (ThreadState t : p.threads()) {
            out.append(String.format("  %-8d 0x%016x 0x%016x 0x%x%n", t.tid(), t.rip(), t.rsp(), t.sigmask()));
        }
        long mapped = 0;
        for (MemoryRegion r : p.regions()) {
            mapped += r.length();
        }
        out.append(String.format("regions (%d): %s mapped, %s saved%n", p.regions().size(), size(mapped), size(p.savedBytes())));
        if (regions) {
            out.append(String.format("  %-33s %-4s %10s  %s%n", "START-END", "PERM", "SAVED", "PATH"));
            for (MemoryRegion r : p.regions()) {
                String perm = ((r.prot() & 1) != 0 ? "r" : "-") + ((r.prot() & 2) != 0 ? "w" : "-") + ((r.prot() & 4) != 0 ? "x" : "-")
                        + (r.shared() ? "s" : "p");
                out.append(String.format("  %016x-%016x %-4s %10s  %s%n", r.start(), r.end(), perm, size(r.savedBytes()), r.path()));
            }
        }
        if (!p.timers().isEmpty()) {
            out.append(String.format("timers (%d)%n  %-4s %-6s %-8s %-6s %-10s %14s %14s%n", p.timers().size(), "ID", "CLOCK", "NOTIFY",
                    "SIGNAL", "THREAD", "NEXT_NS", "INTERVAL_NS"));
            for (PosixTimer t : p.timers()) {
                String how = switch (t.sigevNotify() & ~PosixTimer.SIGEV_THREAD_ID) {
                    case PosixTimer.SIGEV_SIGNAL -> "signal";
                    case PosixTimer.SIGEV_NONE -> "none";
                    case PosixTimer.SIGEV_THREAD -> "thread";
                    default -> String.valueOf(t.sigevNotify());
                };
                out.append(String.format("  %-4d %-6d %-8s %-6d %-10s %14d %14d%n", t.id(), t.clock(), how, t.signal(),
                        t.threadDirected() ? "tid " + t.tid() : "-", t.valueNanos(), t.intervalNanos()));
            }
        }
        out.append(String.format("fds (%d)%n", rec.fds().size()));
        for (SavedFd f : rec.fds()) {
            out.append(String.format("  %-4d %-10s %s", f.fd(), f.kind(), details(JsonRecords.json(f.data()))).stripTrailing()).append('\n');
        }
        if (!rec.records().isEmpty()) {
            out.append(String.format("plugin records (%d)%n", rec.records().size()));
            for (JsonElement e : rec.records()) {
                JsonObject r = e.getAsJsonObject();
                boolean required = r.has("required") && r.get("required").getAsBoolean();
                out.append(String.format("  %s v%d%s  %s", r.get("name").getAsString(), r.get("version").getAsInt(),
                        required ? " (required)" : "", details(r.getAsJsonObject("data"))).stripTrailing()).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * A handler's record in one line, whatever its kind (inspect runs without the handlers, as
     * crit does): its path first when it names one, then every other member as name=value,
     * byte strings and long lists by their length.
     */
    static String details(JsonObject data) {
        StringBuilder b = new StringBuilder();
        if (data.has("path") && data.get("path").isJsonPrimitive()) {
            b.append(data.get("path").getAsString());
        }
        for (Map.Entry<String, JsonElement> m : data.entrySet()) {
            if (m.getKey().equals("path")) {
                continue;
            }
            JsonElement v = m.getValue();
            boolean mode = m.getKey().equals("mode") && v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber();
            b.append(b.length() == 0 ? "" : " ").append(m.getKey()).append('=')
                    .append(mode ? String.format("0%o", v.getAsLong()) : value(v));
        }
        return b.toString();
    }

    private static String value(JsonElement v) {
        if (v.isJsonNull()) {
            return "null";
        }
        if (v.isJsonPrimitive()) {
            String s = v.getAsString();
            return s.length() > 48 ? "(" + s.length() + " chars)" : v.toString();
        }
        if (v.isJsonArray()) {
            JsonArray a = v.getAsJsonArray();
            String s = a.toString();
            return s.length() > 64 ? "[" + a.size() + " items]" : s;
        }
        String s = v.toString();
        return s.length() > 64 ? "{" + v.getAsJsonObject().size() + " members}" : s;
    }

    private static String or(String s, String absent) {
        return s != null ? s : absent;
    }

    static String size(long bytes) {
        if (bytes < 10 * 1024) {
            return bytes + " B";
        }
        if (bytes < 10L << 20) {
            return (bytes >> 10) + " KiB";
        }
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
