package dmtcp.image.format.api;

import java.nio.charset.StandardCharsets;

/**
 * The checkpoint image container, version 2 (doc/image-format.md is the full description).
 *
 * <pre>
 * image     = signature header chain(container)              version 2
 * signature = "DMTCP-JVM-IMAGE 2\n"                          readable with head(1)
 * header    = record tagged HEAD, never encoded: JSON {"codecs": [names]}, the codec chain
 *             in the order it was applied ([] for none)
 * container = record* inventory trailer                      encoded by the chain
 * record    = tag:4 ASCII  length:u64 LE  payload:length  crc32c(payload):u32 LE
 * inventory = record tagged INVT: JSON naming the format version, codecs, plugins,
 *             the number of records and bytes of each tag
 * trailer   = record tagged END!: u64 count of records before it, u32 crc32c of their crcs
 * </pre>
 *
 * Version 1 images have no header: a raw one is {@code "DMTCP-JVM-IMAGE 1\n" container}, a
 * compressed one is that in a gzip stream, recognized by gzip's magic; both are still read.
 * Records are independent and checksummed one by one, so corruption is found and named at
 * the record where it is. The inventory and trailer come last: an image without them was
 * not finished and is refused. Tags are append-only.
 */
public final class ImageFormat {
    private ImageFormat() {}

    /** The version written. */
    public static final int VERSION = 2;
    /** The oldest version read. */
    public static final int OLDEST = 1;
    public static final String SIGNATURE_TEXT = "DMTCP-JVM-IMAGE " + VERSION + "\n";
    public static final byte[] SIGNATURE = SIGNATURE_TEXT.getBytes(StandardCharsets.US_ASCII);
    /** The signature's first bytes, shared by every version. */
    public static final String SIGNATURE_PREFIX = "DMTCP-JVM-IMAGE ";

    /** The header after the signature (version 2 on): JSON naming the codec chain; never encoded. */
    public static final String TAG_HEADER = "HEAD";
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
    /** The largest header a reader accepts. */
    public static final int MAX_HEADER = 64 << 10;
    /** gzip's magic: how a version 1 image's compression is recognized (version 2 names its codecs in the header). */
    public static final int GZIP_MAGIC = 0x8b1f;
}
