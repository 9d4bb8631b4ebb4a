package dmtcp.image.format.api;

import java.nio.charset.StandardCharsets;

/**
 * The checkpoint image container, version 1 (doc/image-format.md is the full description).
 *
 * <pre>
 * image     = signature record* inventory trailer          (then encoded by the codec chain)
 * signature = "DMTCP-JVM-IMAGE 1\n"                          readable with head(1) after gzip -d
 * record    = tag:4 ASCII  length:u64 LE  payload:length  crc32c(payload):u32 LE
 * inventory = record tagged INVT: JSON naming the format version, codecs, plugins,
 *             the number of records and bytes of each tag
 * trailer   = record tagged END!: u64 count of records before it, u32 crc32c of their crcs
 * </pre>
 *
 * Records are independent and checksummed one by one, so corruption is found and named at
 * the record where it is. The inventory and trailer come last: an image without them was
 * not finished and is refused. Tags are append-only: a reader skips tags it does not know
 * only when the inventory says they are optional.
 */
public final class ImageFormat {
    private ImageFormat() {}

    public static final int VERSION = 1;
    public static final String SIGNATURE_TEXT = "DMTCP-JVM-IMAGE " + VERSION + "\n";
    public static final byte[] SIGNATURE = SIGNATURE_TEXT.getBytes(StandardCharsets.US_ASCII);
    /** The signature's first bytes, shared by every version. */
    public static final String SIGNATURE_PREFIX = "DMTCP-JVM-IMAGE ";

    /** JSON describing the process: threads, regions, fds, state (written by the process plugin). */
    public static final String TAG_PROCESS = "PROC";
    /** Memory contents: u64 LE start address, then the bytes. */
    public static final String TAG_PAGES = "PAGE";
    /** A plugin's own data: u16 LE name length, UTF-8 name, then its bytes. */
    public static final String TAG_PLUGIN = "PLUG";
    public static final String TAG_INVENTORY = "INVT";
    public static final String TAG_TRAILER = "END!";

    /** Bytes of a record's frame: tag, length and checksum. */
    public static final int FRAME = 4 + 8 + 4;
    /** The largest record a reader accepts (a corrupt length must not make it allocate gigabytes). */
    public static final long MAX_RECORD = 64L << 20;
    /** gzip's magic, how a reader recognizes a gzip-encoded image. */
    public static final int GZIP_MAGIC = 0x8b1f;
}
