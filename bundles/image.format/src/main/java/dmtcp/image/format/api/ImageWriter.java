package dmtcp.image.format.api;

import com.google.gson.JsonObject;
import dmtcp.image.format.spi.StreamCodec;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Writes one image: its signature and header (naming the codec chain) go to a temporary file
 * beside the target as they are, the records after them through the codec chain (if any); {@link #finish} appends the inventory and trailer and syncs; {@link #commit}
 * renames the file into place. A writer that is closed before finishing deletes its
 * temporary file, so a failed checkpoint never replaces the previous image.
 */
public final class ImageWriter implements Closeable {
    private static final int TRANSFER = 1 << 20;
    /** Images hold a process's memory: readable by its owner only (as DMTCP's). */
    private static final java.nio.file.attribute.FileAttribute<?> PRIVATE = java.nio.file.attribute.PosixFilePermissions
            .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    private static final java.util.concurrent.atomic.AtomicLong TEMPORARIES = new java.util.concurrent.atomic.AtomicLong();
    /**
     * DMTCP_FSYNC=1 syncs each image to disk before it is renamed into place (survives a
     * power loss, at the disk's speed). Off by default, as in DMTCP and CRIU: the rename
     * already protects the previous image from a failed or killed checkpoint.
     */
    private static final boolean SYNC = "1".equals(System.getenv("DMTCP_FSYNC"));

    private final Path target;
    private final Path temporary;
    private final FileChannel file;
    private final OutputStream encoded;
    private final List<String> codecs = new ArrayList<>();
    private final CRC32C crc = new CRC32C();
    private final CRC32C crcOfCrcs = new CRC32C();
    private final Map<String, long[]> perTag = new TreeMap<>();
    private final ByteBuffer frame = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] transfer;
    private long records;
    private long rawBytes;
    private boolean finished;
    private boolean closed;

    private ImageWriter(Path target, List<StreamCodec> chain) throws IOException {
        this.target = target;
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp;
        FileChannel ch;
        for (;;) {
            // not Files.createTempFile: its SecureRandom costs ~10 ms when first used, in a checkpoint
            tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "-" + TEMPORARIES.incrementAndGet()
                    + ".tmp");
            try {
                ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW), PRIVATE);
                break;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // left by an earlier process with this pid: take the next name
            }
        }
        this.temporary = tmp;
        this.file = ch;
        try {
            for (StreamCodec c : chain) {
                String name = c.name();
                if (name == null || name.isEmpty()) {
                    throw new IllegalArgumentException("a codec without a name: " + c.getClass().getName());
                }
                codecs.add(name);
            }
            OutputStream raw = Channels.newOutputStream(file);
            byte[] header = header(codecs);
            raw.write(header);
            rawBytes += header.length;
            OutputStream out = raw;
            for (int i = chain.size() - 1; i >= 0; i--) {
                out = chain.get(i).encode(out); // the first codec of the chain is applied first
            }
            this.encoded = new BufferedOutputStream(out, TRANSFER);
        } catch (IOException | RuntimeException e) {
            file.close();
            Files.deleteIfExists(temporary);
            throw e;
        }
        this.transfer = new byte[TRANSFER];
    }

    /** The signature and the header record naming the codec chain: written as they are, before any codec. */
    private static byte[] header(List<String> codecs) {
        com.google.gson.JsonArray cs = new com.google.gson.JsonArray();
        codecs.forEach(cs::add);
        JsonObject h = new JsonObject();
        h.add("codecs", cs);
        byte[] payload = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(ImageFormat.SIGNATURE.length + ImageFormat.FRAME + payload.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        CRC32C c = new CRC32C();
        c.update(payload);
        b.put(ImageFormat.SIGNATURE).put(ImageFormat.TAG_HEADER.getBytes(StandardCharsets.US_ASCII)).putLong(payload.length)
                .put(payload).putInt((int) c.getValue());
        return b.array();
    }

    /**
     * Starts an image that will replace {@code target} once committed.
     *
     * @param codec the codec to encode with, or null for none
     */
    public static ImageWriter create(Path target, StreamCodec codec) throws IOException {
        return new ImageWriter(target, codec == null ? List.of() : List.of(codec));
    }

    /**
     * Starts an image encoded by a chain of codecs, the first applied first (the header names
     * them in this order; a reader decodes in the reverse order).
     *
     * @param chain the codecs, empty for none
     */
    public static ImageWriter createChain(Path target, List<StreamCodec> chain) throws IOException {
        return new ImageWriter(target, List.copyOf(chain));
    }

    public Path target() {
        return target;
    }

    public Path temporary() {
        return temporary;
    }

    /** Writes a record whose payload is the concatenation of {@code parts}. */
    public void record(String tag, ByteBuffer... parts) throws IOException {
        checkOpen();
        byte[] t = tag.getBytes(StandardCharsets.US_ASCII);
        if (t.length != 4) {
            throw new IllegalArgumentException("a record tag is 4 ASCII characters: '" + tag + "'");
        }
        long length = 0;
        for (ByteBuffer p : parts) {
            length += p.remaining();
        }
        if (length > ImageFormat.MAX_RECORD) {
            throw new IllegalArgumentException("record of " + length + " bytes; split it (at most " + ImageFormat.MAX_RECORD + ")");
        }
        write(ByteBuffer.wrap(t));
        frame.clear();
        frame.putLong(length).flip();
        write(frame);
        crc.reset();
        for (ByteBuffer p : parts) {
            ByteBuffer d = p.duplicate();
            crc.update(d);
            write(p.duplicate());
        }
        int sum = (int) crc.getValue();
        frame.clear();
        frame.putInt(sum).flip();
        write(frame);
        crcOfCrcs.update(new byte[] {(byte) sum, (byte) (sum >> 8), (byte) (sum >> 16), (byte) (sum >> 24)});
        records++;
        long[] c = perTag.computeIfAbsent(tag, k -> new long[2]);
        c[0]++;
        c[1] += length;
    }

    /** Writes memory contents starting at {@code address} (a PAGE record). */
    public void pages(long address, ByteBuffer data) throws IOException {
        ByteBuffer a = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(address).flip();
        record(ImageFormat.TAG_PAGES, a, data);
    }

    /** Writes a JSON record (e.g. the process description, tag PROC). */
    public void json(String tag, JsonObject json) throws IOException {
        record(tag, ByteBuffer.wrap(json.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes a plugin's own data under its name (a PLUG record). */
    public void plugin(String name, ByteBuffer data) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer h = ByteBuffer.allocate(2 + n.length).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort((short) n.length).put(n).flip();
        record(ImageFormat.TAG_PLUGIN, h, data);
    }

    /**
     * Writes the inventory (with {@code extra}'s members added) and the trailer and finishes
     * the encoding (syncing the file to disk with DMTCP_FSYNC=1). The image is complete but
     * not yet in place.
     *
     * @return the temporary file now holding the complete image
     */
    public Path finish(JsonObject extra) throws IOException {
        checkOpen();
        JsonObject inv = new JsonObject();
        inv.addProperty("format", ImageFormat.VERSION);
        com.google.gson.JsonArray cs = new com.google.gson.JsonArray();
        codecs.forEach(cs::add);
        inv.add("codecs", cs);
        JsonObject tags = new JsonObject();
        for (Map.Entry<String, long[]> e : perTag.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("records", e.getValue()[0]);
            t.addProperty("bytes", e.getValue()[1]);
            tags.add(e.getKey(), t);
        }
        inv.add("records", tags);
        if (extra != null) {
            for (Map.Entry<String, com.google.gson.JsonElement> e : extra.entrySet()) {
                inv.add(e.getKey(), e.getValue());
            }
        }
        json(ImageFormat.TAG_INVENTORY, inv);
        ByteBuffer end = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        end.putLong(records).putInt((int) crcOfCrcs.getValue()).flip();
        record(ImageFormat.TAG_TRAILER, end);
        encoded.close(); // finishes the codec and closes the channel's stream
        if (SYNC) {
            try (FileChannel sync = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                sync.force(true);
            }
        }
        finished = true;
        return temporary;
    }

    /** Renames the finished image into place (atomically, replacing any previous one). */
    public Path commit() throws IOException {
        if (!finished) {
            throw new IllegalStateException("image " + target + " is not finished");
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        closed = true;
        return target;
    }

    /** Bytes written before encoding. */
    public long rawBytes() {
        return rawBytes;
    }

    /** Closes; an unfinished image's temporary file is deleted. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!finished) {
            try {
                encoded.close();
            } catch (IOException ignored) {
                // already failing
            } finally {
                file.close();
                Files.deleteIfExists(temporary);
            }
        }
    }

    private void checkOpen() {
        if (finished || closed) {
            throw new IllegalStateException("image " + target + " is already " + (finished ? "finished" : "closed"));
        }
    }

    private void write(ByteBuffer b) throws IOException {
        rawBytes += b.remaining();
        if (b.hasArray()) {
            encoded.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            b.position(b.limit());
            return;
        }
        while (b.hasRemaining()) {
            int n = Math.min(b.remaining(), transfer.length);
            b.get(transfer, 0, n);
            encoded.write(transfer, 0, n);
        }
    }
}
