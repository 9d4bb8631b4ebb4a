package dmtcp.compress.gzip.internal;

import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Encodes one block of input as one complete gzip member (RFC 1952). Owned by one stream
 * and reused for block after block; between {@link #encode()} calls only the stream's
 * writer thread touches it, during the call only one pool thread does.
 *
 * <pre>
 * member  = header(24) deflate-stream crc32(4) isize(4)
 * header  = 1f 8b 08 04(FEXTRA) mtime=0(4) xfl os=03  xlen=12(2)
 *           'D' 'M' len=8(2) member-size(4) block-size(4)     (all little-endian)
 * deflate-stream = segment* 01 00 00 ff ff                    (final empty stored block)
 * segment = stored blocks of &lt;= 65535 bytes (00 len nlen data)
 *         | level-N deflate blocks ended by a sync flush (.. 00 00 ff ff)
 * </pre>
 *
 * The block is cut into {@value #SEGMENT}-byte segments. A segment is stored when a cheap
 * estimate says deflate would save less than {@code 1 - storeRatio} (see
 * {@link #incompressible}), or when its full deflate would not be smaller than storing it. Each compressed segment starts a
 * fresh deflate dictionary (a reset), so stored bytes never have to enter the deflater: a
 * lost 32 KiB window every 128 KiB costs well under 1 % of ratio.
 */
final class MemberEncoder {
    static final int HEADER = 24;
    static final int SEGMENT = 128 << 10;
    static final int SAMPLE = 1 << 10;
    static final int ENTROPY_SAMPLES = 4096;
    private static final double[] LOG2 = new double[ENTROPY_SAMPLES + 1];

    static {
        for (int i = 1; i < LOG2.length; i++) {
            LOG2[i] = Math.log(i) / Math.log(2);
        }
    }

    private static final int TRAILER = 8;
    private static final byte[] FINAL_EMPTY_STORED = {1, 0, 0, (byte) 0xff, (byte) 0xff};

    final byte[] in;
    int length;
    private final byte[] out;
    private int outLength;
    private final byte[] scratch = new byte[SAMPLE + 1024];
    private final int[] histogram = new int[256];
    private final GzipSettings settings;
    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    /** Bytes of the last block that were stored, for tests and the benchmark. */
    long storedBytes;

    MemberEncoder(GzipSettings settings) {
        this.settings = settings;
        this.in = new byte[settings.blockSize()];
        this.out = new byte[capacity(settings.blockSize())];
        this.deflater = settings.level() == 0 ? null : new Deflater(settings.level(), true);
    }

    /** The largest member a block of {@code blockSize} bytes can become. */
    static int capacity(int blockSize) {
        int segments = (blockSize + SEGMENT - 1) / SEGMENT;
        return HEADER + blockSize + segments * storedOverhead(SEGMENT) + FINAL_EMPTY_STORED.length + TRAILER;
    }

    /** Header bytes of the stored blocks holding {@code n} bytes. */
    private static int storedOverhead(int n) {
        return 5 * ((n + GzipSettings.MAX_STORED - 1) / GzipSettings.MAX_STORED);
    }

    /** Encodes {@code in[0, length)} into this encoder's member; returns this. */
    MemberEncoder encode() {
        crc.reset();
        crc.update(in, 0, length);
        storedBytes = 0;
        int pos = HEADER;
        for (int off = 0; off < length; off += SEGMENT) {
            int n = Math.min(SEGMENT, length - off);
            int end = deflater == null || incompressible(off, n) ? -1 : deflateSegment(off, n, pos);
            if (end < 0) {
                pos = storeSegment(off, n, pos);
                storedBytes += n;
            } else {
                pos = end;
            }
        }
        System.arraycopy(FINAL_EMPTY_STORED, 0, out, pos, FINAL_EMPTY_STORED.length);
        pos += FINAL_EMPTY_STORED.length;
        putInt(out, pos, (int) crc.getValue());
        putInt(out, pos + 4, length);
        pos += TRAILER;
        writeHeader(pos);
        outLength = pos;
        return this;
    }

    /**
     * True when deflate would save less than {@code 1 - storeRatio} of the segment, judged
     * cheaply (about 1/30 of deflating it) in two steps:
     * <ol>
     * <li>order-0 entropy of {@value #ENTROPY_SAMPLES} bytes taken at a stride across the
     * whole segment: below {@code 8 * storeRatio} bits a byte, Huffman coding alone saves
     * enough, so deflate;
     * <li>otherwise only repeated strings could help: a level-N deflate of the first
     * {@value #SAMPLE} bytes must save at least {@code 1 - storeRatio}.
     * </ol>
     */
    private boolean incompressible(int off, int n) {
        if (n < SAMPLE) {
            return false;
        }
        int stride = Math.max(1, n / ENTROPY_SAMPLES);
        java.util.Arrays.fill(histogram, 0);
        int count = 0;
        for (int i = off, end = off + n; i < end; i += stride) {
            histogram[in[i] & 0xff]++;
            count++;
        }
        double sum = 0; // entropy = log2(count) - sum(c log2 c) / count
        for (int c : histogram) {
            if (c > 1) {
                sum += c * log2(c);
            }
        }
        double bitsPerByte = log2(count) - sum / count;
        if (bitsPerByte < 8 * settings.storeRatio()) {
            return false;
        }
        deflater.reset();
        deflater.setInput(in, off, SAMPLE);
        deflater.finish();
        int compressed = 0;
        while (!deflater.finished()) {
            compressed += deflater.deflate(scratch, 0, scratch.length);
        }
        return compressed >= SAMPLE * settings.storeRatio();
    }

    private static double log2(int x) {
        return x < LOG2.length ? LOG2[x] : Math.log(x) / Math.log(2);
    }

    /**
     * Deflates a segment into {@code out} at {@code pos} with a sync flush; returns the end
     * position, or -1 when the result would not be smaller than the stored segment.
     */
    private int deflateSegment(int off, int n, int pos) {
        deflater.reset();
        deflater.setInput(in, off, n);
        int limit = pos + n + storedOverhead(n);
        while (true) {
            int room = limit - pos;
            if (room == 0) {
                return -1;
            }
            int written = deflater.deflate(out, pos, room, Deflater.SYNC_FLUSH);
            pos += written;
            if (written < room) {
                return pos;
            }
        }
    }

    /** Writes a segment as non-final stored blocks (byte-aligned: we always start at a boundary). */
    private int storeSegment(int off, int n, int pos) {
        while (n > 0) {
            int len = Math.min(n, GzipSettings.MAX_STORED);
            out[pos] = 0;
            out[pos + 1] = (byte) len;
            out[pos + 2] = (byte) (len >>> 8);
            out[pos + 3] = (byte) ~len;
            out[pos + 4] = (byte) (~len >>> 8);
            System.arraycopy(in, off, out, pos + 5, len);
            pos += 5 + len;
            off += len;
            n -= len;
        }
        return pos;
    }

    private void writeHeader(int memberSize) {
        out[0] = 0x1f;
        out[1] = (byte) 0x8b;
        out[2] = 8; // CM deflate
        out[3] = 4; // FLG FEXTRA
        putInt(out, 4, 0); // MTIME unknown: output is reproducible
        int level = settings.level();
        out[8] = (byte) (level == 1 ? 4 : level == 9 ? 2 : 0); // XFL as gzip sets it
        out[9] = 3; // OS Unix
        out[10] = 12; // XLEN
        out[11] = 0;
        out[12] = 'D';
        out[13] = 'M';
        out[14] = 8; // subfield LEN
        out[15] = 0;
        putInt(out, 16, memberSize);
        putInt(out, 20, length);
    }

    static void putInt(byte[] b, int pos, int v) {
        b[pos] = (byte) v;
        b[pos + 1] = (byte) (v >>> 8);
        b[pos + 2] = (byte) (v >>> 16);
        b[pos + 3] = (byte) (v >>> 24);
    }

    byte[] member() {
        return out;
    }

    int memberLength() {
        return outLength;
    }

    /** Frees the deflater's native memory. */
    void end() {
        if (deflater != null) {
            deflater.end();
        }
    }
}
