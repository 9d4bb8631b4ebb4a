package dmtcp.runtime;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dmtcp.image.format.api.ImageFormat;
import dmtcp.image.format.api.ImageReader;
import dmtcp.image.format.spi.StreamCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * dmtcp_inspect: what a checkpoint image holds (like DMTCP's readdmtcp and CRIU's crit):
 * format and codec, the program and when it was checkpointed, threads, memory regions,
 * file descriptors and sizes. It reads the whole image, so it also verifies every record's
 * checksum, the inventory and the trailer. Plain Java: no OSGi framework is booted.
 */
@Command(name = "dmtcp_inspect", sortOptions = false,
        description = {"Shows what checkpoint images hold, and verifies them (every record's checksum, the inventory, the trailer).",
            "Exit status: 0 when every image is intact, 1 when one is not (the message names the image and the problem)."},
        footerHeading = "%nEnvironment variables:%n", footer = {"  (none; images are read as named)"})
final class InspectCli implements Callable<Integer> {

    @Option(names = "--json", description = "Print each image's description as JSON.")
    boolean json;

    @Option(names = {"-r", "--regions"}, description = "List every memory region (default: only a summary).")
    boolean regions;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Images (ckpt_*.dmtcp).")
    List<Path> images;

    /** Any gzip stream: images written with compress.gzip are plain gzip members. */
    static final StreamCodec GZIP = dmtcp.image.format.api.JdkGzip.INSTANCE;

    static int run(String[] args) {
        return Options.execute(new InspectCli(), args);
    }

    @Override
    public Integer call() {
        int status = 0;
        JsonArray all = new JsonArray();
        for (Path image : images) {
            try {
                JsonObject d = describe(image);
                if (json) {
                    all.add(d);
                } else {
                    print(d, System.out);
                }
            } catch (IOException e) {
                System.err.println("dmtcp_inspect: " + e.getMessage());
                status = 1;
            }
        }
        if (json) {
            System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(images.size() == 1 && all.size() == 1 ? all.get(0) : all));
        }
        return status;
    }

    static JsonObject describe(Path image) throws IOException {
        JsonObject d = new JsonObject();
        d.addProperty("image", image.toString());
        d.addProperty("bytesOnDisk", Files.size(image));
        try (ImageReader r = ImageReader.open(image, Map.of("gzip", GZIP))) {
            d.addProperty("codec", r.codec());
            ImageReader.Record first = r.next();
            if (first == null || !ImageFormat.TAG_PROCESS.equals(first.tag())) {
                throw new dmtcp.image.format.api.ImageException(image + ": no process description (PROC record) at its head");
            }
            JsonObject proc = first.json();
            while (r.next() != null) {
                // reading every record checks it
            }
            d.add("inventory", r.inventory());
            d.add("process", proc);
        }
        d.addProperty("verified", true);
        return d;
    }

    private void print(JsonObject d, PrintStream out) {
        JsonObject inv = d.getAsJsonObject("inventory");
        JsonObject p = d.getAsJsonObject("process");
        JsonObject ck = p.has("checkpoint") ? p.getAsJsonObject("checkpoint") : new JsonObject();
        long raw = 0;
        StringBuilder recs = new StringBuilder();
        for (Map.Entry<String, JsonElement> e : inv.getAsJsonObject("records").entrySet()) {
            JsonObject t = e.getValue().getAsJsonObject();
            raw += t.get("bytes").getAsLong();
            recs.append(recs.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(t.get("records").getAsLong())
                    .append(" (").append(size(t.get("bytes").getAsLong())).append(')');
        }
        out.println(d.get("image").getAsString());
        out.printf("  format     %s, codec %s, %s on disk, %s of records: %s; verified%n",
                ImageFormat.SIGNATURE_TEXT.trim(), d.get("codec").getAsString(), size(d.get("bytesOnDisk").getAsLong()),
                size(raw), recs);
        out.printf("  program    %s, pid %s on %s, unique id %s%n", str(ck, "program", p.get("comm").getAsString()),
                p.get("pid").getAsString(), str(ck, "host", "?"), str(ck, "uniqueId", "?"));
        out.printf("  taken      %s (round %s)%n", str(ck, "created", "?"), str(ck, "round", "?"));
        out.printf("  exe        %s%n  argv       %s%n  cwd        %s, umask %03o%n", p.get("exe").getAsString(),
                p.get("argv").toString(), p.get("cwd").getAsString(), p.get("umask").getAsInt());
        JsonArray threads = p.getAsJsonArray("threads");
        out.printf("threads (%d)%n  %-8s %-18s %-18s %s%n", threads.size(), "TID", "RIP", "RSP", "SIGMASK");
        for (JsonElement t : threads) {
            JsonObject th = t.getAsJsonObject();
            JsonArray regs = th.getAsJsonArray("regs");
            out.printf("  %-8d 0x%016x 0x%016x 0x%x%n", th.get("tid").getAsInt(), regs.get(16).getAsLong(),
                    regs.get(19).getAsLong(), th.get("sigmask").getAsLong());
        }
        JsonArray regs = p.getAsJsonArray("regions");
        long saved = 0;
        long mapped = 0;
        for (JsonElement e : regs) {
            JsonObject r = e.getAsJsonObject();
            mapped += r.get("end").getAsLong() - r.get("start").getAsLong();
            saved += savedBytes(r);
        }
        out.printf("regions (%d): %s mapped, %s saved%n", regs.size(), size(mapped), size(saved));
        if (regions) {
            out.printf("  %-33s %-4s %10s  %s%n", "START-END", "PERM", "SAVED", "PATH");
            for (JsonElement e : regs) {
                JsonObject r = e.getAsJsonObject();
                int prot = r.get("prot").getAsInt();
                String perm = ((prot & 1) != 0 ? "r" : "-") + ((prot & 2) != 0 ? "w" : "-") + ((prot & 4) != 0 ? "x" : "-")
                        + (r.get("shared").getAsBoolean() ? "s" : "p");
                out.printf("  %016x-%016x %-4s %10s  %s%n", r.get("start").getAsLong(), r.get("end").getAsLong(), perm,
                        size(savedBytes(r)), r.get("path").getAsString());
            }
        }
        if (p.has("timers") && p.get("timers").isJsonArray() && !p.getAsJsonArray("timers").isEmpty()) {
            JsonArray timers = p.getAsJsonArray("timers");
            out.printf("timers (%d)%n  %-4s %-6s %-8s %-6s %-10s %14s %14s%n", timers.size(), "ID", "CLOCK", "NOTIFY", "SIGNAL",
                    "THREAD", "NEXT_NS", "INTERVAL_NS");
            for (JsonElement e : timers) {
                JsonObject t = e.getAsJsonObject();
                int notify = t.get("sigevNotify").getAsInt();
                String how = switch (notify & ~4) {
                    case 0 -> "signal";
                    case 1 -> "none";
                    case 2 -> "thread";
                    default -> String.valueOf(notify);
                };
                out.printf("  %-4d %-6d %-8s %-6d %-10s %14d %14d%n", t.get("id").getAsInt(), t.get("clock").getAsInt(), how,
                        t.get("signal").getAsInt(), (notify & 4) != 0 ? "tid " + t.get("tid").getAsInt() : "-",
                        t.get("valueNanos").getAsLong(), t.get("intervalNanos").getAsLong());
            }
        }
        if (p.has("fds") && p.get("fds").isJsonArray()) {
            JsonArray fds = p.getAsJsonArray("fds");
            out.printf("fds (%d)%n", fds.size());
            for (JsonElement e : fds) {
                JsonObject f = e.getAsJsonObject();
                out.printf("  %-4s %-10s %s%n", str(f, "fd", "?"), str(f, "kind", "?"), str(f, "path", ""));
            }
        }
    }

    private static long savedBytes(JsonObject region) {
        long n = 0;
        for (JsonElement s : region.getAsJsonArray("saved")) {
            n += s.getAsJsonObject().get("length").getAsLong();
        }
        return n;
    }

    private static String str(JsonObject o, String k, String dflt) {
        return o.has(k) && !o.get(k).isJsonNull() ? o.get(k).getAsString() : dflt;
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
