package dmtcp.image.format.api;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dmtcp.image.format.spi.StreamCodec;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.ZipException;

/**
 * Reads an image record by record, checking each record's checksum. Problems are
 * {@link ImageException}s naming the image, the record and what is wrong: not an image, an
 * unknown format version, a codec that is not installed, a corrupt or truncated file.
 * {@link #verify} reads a whole image before anything is restored from it.
 */
public final class ImageReader implements Closeable {

    /** One record; its payload is valid until the next call to {@link #next}. */
    public record Record(String tag, long index, long offset, ByteBuffer payload) {
        /** For PAGE records: the start address. */
        public long address() {
            return payload.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        }

        /** For PAGE records: the memory contents. */
        public ByteBuffer data() {
            ByteBuffer d = payload.duplicate();
            d.position(8);
            return d.slice();
        }

        /** For JSON records (PROC, INVT). */
        public JsonObject json() {
            return JsonParser.parseString(StandardCharsets.UTF_8.decode(payload.duplicate()).toString()).getAsJsonObject();
        }
    }

    private final Path image;
    private InputStream in;
    /** The codec chain the image was read through, as named: "none", "gzip", "gzip+x". */
    private String codec = "none";
    private final List<String> codecs = new ArrayList<>();
    /** The chain the header names (version 2 on), checked against the inventory's; null for version 1. */
    private List<String> headerCodecs;
    private int version;
    private final CRC32C crc = new CRC32C();
    private final CRC32C crcOfCrcs = new CRC32C();
    private final byte[] head = new byte[12];
    private byte[] buffer = new byte[1 << 20];
    private long offset;
    private long index;
    private JsonObject inventory;
    private boolean ended;
    /** Records and payload bytes read per tag, checked against the inventory. */
    private final Map<String, long[]> perTag = new java.util.TreeMap<>();

    private ImageReader(Path image, Map<String, StreamCodec> installed) throws IOException {
        this.image = image;
        checkFile(image);
        InputStream file = new BufferedInputStream(Files.newInputStream(image), 1 << 16);
        InputStream stream = file;
        boolean decoding = false;
        try {
            file.mark(4);
            int b0 = file.read();
            int b1 = file.read();
            file.reset();
            if (b0 < 0 || b1 < 0) {
                throw new ImageException(image + ": empty file, not a DMTCP image");
            }
            if ((b0 | b1 << 8) == ImageFormat.GZIP_MAGIC) {
                // version 1: a compressed image is a gzip stream, named nowhere
                StreamCodec gz = installed.get("gzip");
                if (gz == null) {
                    throw new ImageException(image + ": gzip-compressed, but no gzip codec is installed");
                }
                use("gzip");
                decoding = true;
                stream = new BufferedInputStream(gz.decode(file), 1 << 20);
            }
            version = signature(stream);
            if (version >= 2) {
                headerCodecs = header(stream);
                for (String name : headerCodecs) {
                    if (!installed.containsKey(name)) {
                        throw new ImageException(image + ": encoded with codec \"" + name + "\", which is not installed (installed: "
                                + (installed.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(installed.keySet()))) + ")");
                    }
                }
                for (String name : headerCodecs) {
                    use(name);
                }
                if (!headerCodecs.isEmpty()) {
                    decoding = true;
                    for (int i = headerCodecs.size() - 1; i >= 0; i--) {
                        stream = installed.get(headerCodecs.get(i)).decode(stream);
                    }
                    stream = new BufferedInputStream(stream, 1 << 20);
                }
            }
            // an image read as it is: its bytes come off another thread, reading overlaps checking and using them
            in = decoding ? stream : new dmtcp.image.format.internal.ReadAhead(stream, image.getFileName().toString());
        } catch (IOException e) {
            stream.close();
            // a codec that reads ahead may report a corrupt block while the signature is read
            throw e instanceof ImageException ? e : e instanceof EOFException || !decoding ? wrap(e) : corrupt(e);
        }
    }

    private void use(String name) {
        codecs.add(name);
        codec = String.join("+", codecs);
    }

    /** Reads the signature: the format version, one this reader reads. */
    private int signature(InputStream s) throws IOException {
        byte[] sig = new byte[ImageFormat.SIGNATURE.length];
        int n = s.readNBytes(sig, 0, sig.length);
        String text = new String(sig, 0, n, StandardCharsets.US_ASCII);
        if (!text.startsWith(ImageFormat.SIGNATURE_PREFIX)) {
            throw new ImageException(image + ": not a DMTCP image (no \"" + ImageFormat.SIGNATURE_PREFIX.trim() + "\" signature)");
        }
        for (int v = ImageFormat.OLDEST; v <= ImageFormat.VERSION; v++) {
            if (text.equals(ImageFormat.SIGNATURE_PREFIX + v + "\n")) {
                offset = sig.length;
                return v;
            }
        }
        String named = text.substring(ImageFormat.SIGNATURE_PREFIX.length());
        int nl = named.indexOf('\n');
        throw new ImageException(image + ": format version " + printable((nl < 0 ? named : named.substring(0, nl)).trim())
                + " is not one this DMTCP reads (versions " + ImageFormat.OLDEST + " to " + ImageFormat.VERSION + ")");
    }

    /** Reads the header record (version 2 on): the codec chain, checked. */
    private List<String> header(InputStream s) throws IOException {
        long at = offset;
        byte[] h = new byte[12];
        if (s.readNBytes(h, 0, 12) < 12) {
            throw truncatedHeader();
        }
        String tag = new String(h, 0, 4, StandardCharsets.US_ASCII);
        long length = ByteBuffer.wrap(h, 4, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (!tag.equals(ImageFormat.TAG_HEADER) || length < 2 || length > ImageFormat.MAX_HEADER) {
            throw new ImageException(image + ": its header at byte " + at + " is corrupt (tag '" + printable(tag) + "', length "
                    + length + "; a " + ImageFormat.TAG_HEADER + " record was expected)");
        }
        byte[] payload = new byte[(int) length + 4];
        if (s.readNBytes(payload, 0, payload.length) < payload.length) {
            throw truncatedHeader();
        }
        CRC32C c = new CRC32C();
        c.update(payload, 0, (int) length);
        if ((int) c.getValue() != ByteBuffer.wrap(payload, (int) length, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()) {
            throw new ImageException(image + ": its header (" + ImageFormat.TAG_HEADER + " record at byte " + at
                    + ") fails its checksum: the image is corrupt");
        }
        offset += 12 + length + 4;
        List<String> chain = new ArrayList<>();
        try {
            JsonObject o = JsonParser.parseString(new String(payload, 0, (int) length, StandardCharsets.UTF_8)).getAsJsonObject();
            for (com.google.gson.JsonElement e : o.getAsJsonArray("codecs")) {
                String name = e.getAsString();
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("an empty codec name");
                }
                chain.add(name);
            }
        } catch (RuntimeException e) {
            throw new ImageException(image + ": its header is corrupt (no list of codecs: " + e.getMessage() + ")", e);
        }
        return List.copyOf(chain);
    }

    private ImageException truncatedHeader() {
        return new ImageException(image + ": truncated inside its header: the checkpoint that wrote it did not finish, or the file was cut");
    }

    /**
     * Opens an image, reading its signature and header: the codecs its header names are looked
     * up by name in {@code codecs}, and one that is not there is refused, naming it (a version 1
     * image is recognized as gzip-compressed by gzip's magic).
     *
     * @param codecs the installed codecs by name ({@link StreamCodec#NAME})
     */
    public static ImageReader open(Path image, Map<String, StreamCodec> codecs) throws IOException {
        return new ImageReader(image, codecs);
    }

    /**
     * Refuses what cannot be an image file, saying what it is: missing, a directory, a
     * device, a FIFO or socket (reading one of those could block or have effects), or
     * unreadable.
     */
    public static void checkFile(Path image) throws ImageException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(image, "unix:mode");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ImageException(image + ": no such image file");
        } catch (IOException | UnsupportedOperationException e) {
            throw new ImageException(image + ": cannot be read (" + e.getMessage() + ")");
        }
        String what = switch (mode & S_IFMT) {
            case S_IFREG -> null;
            case S_IFDIR -> "a directory";
            case S_IFCHR -> "a character device";
            case S_IFBLK -> "a block device";
            case S_IFIFO -> "a FIFO";
            case S_IFSOCK -> "a socket";
            default -> "not a regular file";
        };
        if (what != null) {
            throw new ImageException(image + ": is " + what + ", not an image file");
        }
        if (!Files.isReadable(image)) {
            throw new ImageException(image + ": not readable (permission denied)");
        }
    }

    /** &lt;sys/stat.h&gt; file types. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;

    /** Reads a whole image, checking every record, the inventory and the trailer. */
    public static JsonObject verify(Path image, Map<String, StreamCodec> codecs) throws IOException {
        try (ImageReader r = open(image, codecs)) {
            while (r.next() != null) {
                // every record checked as it is read
            }
            return r.inventory();
        }
    }

    public Path image() {
        return image;
    }

    /** The codec chain the image is read through: "none", "gzip", or the names joined by "+". */
    public String codec() {
        return codec;
    }

    /** The codec chain the image is read through, in the order it was applied when writing. */
    public List<String> codecs() {
        return List.copyOf(codecs);
    }

    /** The image's format version ({@link ImageFormat#OLDEST} to {@link ImageFormat#VERSION}). */
    public int version() {
        return version;
    }

    /** Records and payload bytes of one tag. */
    public record Count(long records, long bytes) {}

    /** The records read per tag (as the inventory lists them: checked equal), once {@link #next} returned null. */
    public Map<String, Count> counts() {
        if (!ended) {
            throw new IllegalStateException("the counts are known at the end; read every record first");
        }
        Map<String, Count> m = new java.util.TreeMap<>();
        perTag.forEach((k, v) -> m.put(k, new Count(v[0], v[1])));
        return m;
    }

    /**
     * The next record, checked; null after the trailer (the inventory is then available).
     * The inventory and trailer records themselves are not returned.
     */
    public Record next() throws IOException {
        while (!ended) {
            Record r = readRecord();
            switch (r.tag()) {
                case ImageFormat.TAG_INVENTORY -> inventory = inventoryOf(r);
                case ImageFormat.TAG_TRAILER -> {
                    checkTrailer(r);
                    checkCounts();
                    checkCodecs();
                    checkEnd();
                    ended = true;
                }
                default -> {
                    if (inventory != null) {
                        throw new ImageException(image + ": record #" + r.index() + " (" + r.tag()
                                + ") follows the inventory: the file is corrupt");
                    }
                    long[] c = perTag.computeIfAbsent(r.tag(), k -> new long[2]);
                    c[0]++;
                    c[1] += r.payload().remaining();
                    return r;
                }
            }
        }
        return null;
    }

    /** Whether the trailer was read and checked (then {@link #next} returns null). */
    public boolean ended() {
        return ended;
    }

    private JsonObject inventoryOf(Record r) throws ImageException {
        if (inventory != null) {
            throw new ImageException(image + ": record #" + r.index() + " is a second inventory: the image is corrupt");
        }
        try {
            return r.json();
        } catch (RuntimeException e) {
            throw new ImageException(image + ": the inventory (record #" + r.index() + ") is not JSON: " + e.getMessage(), e);
        }
    }

    /** The inventory's record counts per tag must be those read (a writer's own bookkeeping, checked). */
    private void checkCounts() throws ImageException {
        JsonObject listed = inventory.has("records") && inventory.get("records").isJsonObject()
                ? inventory.getAsJsonObject("records") : new JsonObject();
        java.util.Set<String> tags = new java.util.TreeSet<>(perTag.keySet());
        tags.addAll(listed.keySet());
        for (String tag : tags) {
            long[] read = perTag.getOrDefault(tag, new long[2]);
            long records = -1;
            long bytes = -1;
            try {
                JsonObject t = listed.getAsJsonObject(tag);
                records = t.get("records").getAsLong();
                bytes = t.get("bytes").getAsLong();
            } catch (RuntimeException e) {
                // not listed, or not as a writer lists it: reported below
            }
            if (records != read[0] || bytes != read[1]) {
                throw new ImageException(image + ": the inventory lists " + (records < 0 ? "no" : records + "") + " " + tag
                        + " records" + (bytes < 0 ? "" : " of " + bytes + " bytes") + " but the image holds " + read[0] + " of "
                        + read[1] + " bytes: the image is corrupt");
            }
        }
    }

    /** A version 2 image's inventory names the chain its header names. */
    private void checkCodecs() throws ImageException {
        if (headerCodecs == null) {
            return;
        }
        List<String> listed = new ArrayList<>();
        try {
            inventory.getAsJsonArray("codecs").forEach(e -> listed.add(e.getAsString()));
        } catch (RuntimeException e) {
            listed.add("?");
        }
        if (!listed.equals(headerCodecs)) {
            throw new ImageException(image + ": the inventory names the codecs " + listed + " but the header " + headerCodecs
                    + ": the image is corrupt");
        }
    }

    /** The inventory, once {@link #next} has returned null. */
    public JsonObject inventory() {
        if (!ended) {
            throw new IllegalStateException("the inventory is read last; read every record first");
        }
        return inventory;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private Record readRecord() throws IOException {
        long at = offset;
        int n = readFully(head, 0, 12);
        if (n == 0) {
            throw new ImageException(image + ": ends " + (index == 0 ? "before its first record" : "after record #" + (index - 1))
                    + " without "
                    + (inventory == null ? "an inventory" : "a trailer")
                    + ": the checkpoint that wrote it did not finish");
        }
        if (n < 12) {
            throw truncated(at);
        }
        String tag = new String(head, 0, 4, StandardCharsets.US_ASCII);
        long length = ByteBuffer.wrap(head, 4, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (!tag.chars().allMatch(c -> c >= 0x21 && c < 0x7f) || length < 0 || length > ImageFormat.MAX_RECORD) {
            throw new ImageException(image + ": record #" + index + " at byte " + at + " has a corrupt header (tag '"
                    + printable(tag) + "', length " + length + ")");
        }
        if (buffer.length < length + 4) {
            buffer = new byte[(int) Math.max(length + 4, buffer.length * 2L)];
        }
        if (readFully(buffer, 0, (int) length + 4) < length + 4) {
            throw truncated(at);
        }
        offset += 12 + length + 4;
        crc.reset();
        crc.update(buffer, 0, (int) length);
        int stored = ByteBuffer.wrap(buffer, (int) length, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if ((int) crc.getValue() != stored) {
            throw new ImageException(image + ": record #" + index + " (" + tag + ", " + length + " bytes at byte " + at
                    + ") fails its checksum: the image is corrupt");
        }
        if (!tag.equals(ImageFormat.TAG_TRAILER)) {
            crcOfCrcs.update(buffer, (int) length, 4);
        }
        return new Record(tag, index++, at, ByteBuffer.wrap(buffer, 0, (int) length).slice());
    }

    private void checkTrailer(Record r) throws ImageException {
        ByteBuffer p = r.payload().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (inventory == null || p.remaining() != 12) {
            throw new ImageException(image + ": trailer without an inventory: the image is corrupt");
        }
        long count = p.getLong();
        int sum = p.getInt();
        if (count != r.index() || sum != (int) crcOfCrcs.getValue()) {
            throw new ImageException(image + ": the trailer counts " + count + " records but " + r.index()
                    + " were read, or their checksums differ: records are missing or reordered");
        }
    }

    /** Nothing may follow the trailer; reading to the end also makes a codec check its own trailer. */
    private void checkEnd() throws IOException {
        byte[] one = new byte[1];
        if (readFully(one, 0, 1) != 0) {
            throw new ImageException(image + ": data follows the trailer at byte " + offset + ": the image is corrupt");
        }
    }

    private int readFully(byte[] b, int off, int len) throws IOException {
        try {
            return in.readNBytes(b, off, len);
        } catch (EOFException e) {
            throw truncated(offset);
        } catch (ZipException e) {
            throw corrupt(e);
        } catch (ImageException e) {
            throw e;
        } catch (IOException e) {
            // a codec's own check (a parallel gzip member's CRC, its size) or a read error: name the file
            if (!"none".equals(codec)) {
                throw corrupt(e);
            }
            throw new ImageException(image + ": cannot be read at byte " + offset + " (" + e.getMessage() + ")", e);
        }
    }

    private ImageException corrupt(IOException e) {
        return new ImageException(image + ": the " + codec + " stream is corrupt at or after byte " + offset + " of the image ("
                + e.getMessage() + ")", e);
    }

    private ImageException truncated(long at) {
        return new ImageException(image + ": truncated inside record #" + index + " at byte " + at
                + ": the checkpoint that wrote it did not finish, or the file was cut");
    }

    private ImageException wrap(IOException e) {
        if (e instanceof EOFException) {
            return new ImageException(image + ": truncated before its first record: the checkpoint that wrote it did not finish, or the file was cut", e);
        }
        return new ImageException(image + ": " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return b.toString();
    }
}
