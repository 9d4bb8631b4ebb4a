package dmtcp.image.format;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dmtcp.image.format.api.ImageFormat;
import dmtcp.image.format.api.ImageReader;
import dmtcp.image.format.api.JdkGzip;
import dmtcp.image.format.spi.StreamCodec;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

/**
 * Images as the writer of format version 1 (up to commit b1c2651) made them, for the tests
 * that check they are still read: {@code "DMTCP-JVM-IMAGE 1\n"}, the records, the inventory
 * (format 1) and the trailer, with no header; compressed, all of it in one gzip stream.
 */
public final class Version1Images {
    private Version1Images() {}

    /** One record: its tag and payload. */
    public record Rec(String tag, ByteBuffer payload) {}

    /**
     * Writes a version 1 image of {@code records}.
     *
     * @param extra the inventory's members beyond format, codecs and records (as ImageWriter.finish took them)
     */
    public static void write(Path target, boolean gzip, List<Rec> records, JsonObject extra) throws IOException {
        OutputStream file = Files.newOutputStream(target);
        try (OutputStream out = new BufferedOutputStream(gzip ? JdkGzip.INSTANCE.encode(file) : file, 1 << 20)) {
            out.write("DMTCP-JVM-IMAGE 1\n".getBytes(StandardCharsets.US_ASCII));
            CRC32C crcOfCrcs = new CRC32C();
            Map<String, long[]> perTag = new TreeMap<>();
            long n = 0;
            for (Rec r : records) {
                record(out, r.tag(), r.payload(), crcOfCrcs);
                long[] c = perTag.computeIfAbsent(r.tag(), k -> new long[2]);
                c[0]++;
                c[1] += r.payload().remaining();
                n++;
            }
            JsonObject inv = new JsonObject();
            inv.addProperty("format", 1);
            JsonArray cs = new JsonArray();
            if (gzip) {
                cs.add("gzip");
            }
            inv.add("codecs", cs);
            JsonObject tags = new JsonObject();
            perTag.forEach((k, v) -> {
                JsonObject t = new JsonObject();
                t.addProperty("records", v[0]);
                t.addProperty("bytes", v[1]);
                tags.add(k, t);
            });
            inv.add("records", tags);
            if (extra != null) {
                extra.entrySet().forEach(e -> inv.add(e.getKey(), e.getValue()));
            }
            record(out, ImageFormat.TAG_INVENTORY, ByteBuffer.wrap(inv.toString().getBytes(StandardCharsets.UTF_8)), crcOfCrcs);
            n++;
            ByteBuffer end = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            end.putLong(n).putInt((int) crcOfCrcs.getValue()).flip();
            record(out, ImageFormat.TAG_TRAILER, end, crcOfCrcs);
        }
    }

    /**
     * Rewrites an image (of any version this reader reads) as version 1: the same records, each
     * PROC record's JSON passed through {@code proc} first, the inventory's own members kept.
     */
    public static void convert(Path from, Path to, boolean gzip, Map<String, StreamCodec> codecs, UnaryOperator<JsonObject> proc)
            throws IOException {
        List<Rec> records = new ArrayList<>();
        JsonObject extra;
        try (ImageReader r = ImageReader.open(from, codecs)) {
            for (ImageReader.Record rec; (rec = r.next()) != null;) {
                ByteBuffer payload;
                if (rec.tag().equals(ImageFormat.TAG_PROCESS)) {
                    payload = ByteBuffer.wrap(proc.apply(rec.json()).toString().getBytes(StandardCharsets.UTF_8));
                } else {
                    payload = ByteBuffer.allocate(rec.payload().remaining()).put(rec.payload().duplicate()).flip();
                }
                records.add(new Rec(rec.tag(), payload));
            }
            extra = r.inventory().deepCopy();
        }
        extra.remove("format");
        extra.remove("codecs");
        extra.remove("records");
        write(to, gzip, records, extra);
    }

    private static void record(OutputStream out, String tag, ByteBuffer payload, CRC32C crcOfCrcs) throws IOException {
        byte[] p = new byte[payload.remaining()];
        payload.duplicate().get(p);
        ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        h.put(tag.getBytes(StandardCharsets.US_ASCII)).putLong(p.length);
        out.write(h.array());
        out.write(p);
        CRC32C c = new CRC32C();
        c.update(p);
        int sum = (int) c.getValue();
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(sum).array());
        crcOfCrcs.update(new byte[] {(byte) sum, (byte) (sum >> 8), (byte) (sum >> 16), (byte) (sum >> 24)});
    }
}
