package dmtcp.compress.gzip.internal;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads concatenated gzip members, inflating this codec's members in parallel: their
 * {@code 'D' 'M'} extra field (see {@link MemberEncoder}) gives each member's size, so the
 * reading thread cuts the input into members without inflating and the pool inflates them,
 * up to {@link GzipSettings#maxInFlight()} ahead. At the first member without that field
 * (any other gzip file, or one appended to ours), the rest of the input is read
 * sequentially by the fallback decoder (Commons Compress, concatenated members). Once the
 * codec's pool is shut down (the component was deactivated), the reading thread inflates
 * the members itself, so a decode stream never holds the pool.
 */
final class ParallelGzipInputStream extends InputStream {
    private final InputStream in;
    private final ExecutorService pool;
    private final int maxInFlight;
    private final Decoder fallbackDecoder;

    /** Opens the sequential decoder for the rest of the input. */
    interface Decoder {
        InputStream open(InputStream in) throws IOException;
    }
    private final ArrayDeque<Future<Block>> inFlight = new ArrayDeque<>();
    private Block block = new Block(new byte[0], 0);
    private int pos;
    /** Buffers to reuse: member input and block output arrays (1 MiB arrays are costly to allocate). */
    private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> spareOut = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> spareIn = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** An inflated block: {@code data} has one spare byte, to detect a member that inflates to more. */
    private record Block(byte[] data, int length) {
    }
    private InputStream fallback;
    private boolean endOfMembers;
    private boolean closed;

    ParallelGzipInputStream(InputStream in, ExecutorService pool, int maxInFlight,
            Decoder fallbackDecoder) {
        this.in = in;
        this.pool = pool;
        this.maxInFlight = maxInFlight;
        this.fallbackDecoder = fallbackDecoder;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("gzip stream is closed");
        }
        if (len == 0) {
            return 0;
        }
        while (pos == block.length()) {
            fill();
            if (inFlight.isEmpty()) {
                return fallback == null ? -1 : fallback.read(b, off, len);
            }
            if (block.data().length > 0) {
                spareOut.add(block.data());
            }
            block = take(inFlight.poll());
            pos = 0;
        }
        int n = Math.min(len, block.length() - pos);
        System.arraycopy(block.data(), pos, b, off, n);
        pos += n;
        return n;
    }

    /** Reads and submits members until maxInFlight are in flight or our members end. */
    private void fill() throws IOException {
        while (!endOfMembers && inFlight.size() < maxInFlight) {
            byte[] header = in.readNBytes(MemberEncoder.HEADER);
            if (header.length == 0) {
                endOfMembers = true;
                return;
            }
            if (header.length < MemberEncoder.HEADER || !isOurs(header)) {
                endOfMembers = true;
                fallback = fallbackDecoder.open(new SequenceInputStream(new ByteArrayInputStream(header), in));
                return;
            }
            int memberSize = getInt(header, 16);
            int blockSize = getInt(header, 20);
            if (blockSize < 0 || blockSize > GzipSettings.MAX_BLOCK || memberSize < MemberEncoder.HEADER + 13
                    || memberSize > MemberEncoder.capacity(Math.max(blockSize, 1))) {
                throw new IOException("corrupt gzip member header: member size " + memberSize + ", block size "
                        + blockSize);
            }
            byte[] member = spare(spareIn, memberSize);
            System.arraycopy(header, 0, member, 0, MemberEncoder.HEADER);
            int n = in.readNBytes(member, MemberEncoder.HEADER, memberSize - MemberEncoder.HEADER);
            if (n < memberSize - MemberEncoder.HEADER) {
                throw new EOFException("truncated gzip member: " + (MemberEncoder.HEADER + n) + " of " + memberSize
                        + " bytes");
            }
            try {
                inFlight.add(pool.submit(() -> inflate(member, memberSize, blockSize)));
            } catch (RejectedExecutionException e) {
                // The codec was closed (deactivated) while we read: inflate here instead.
                inFlight.add(CompletableFuture.completedFuture(inflate(member, memberSize, blockSize)));
            }
        }
    }

    /** This codec's header: FEXTRA only, XLEN 12, one 'D' 'M' subfield of 8 bytes. */
    private static boolean isOurs(byte[] h) {
        return (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b && h[2] == 8 && h[3] == 4 && h[10] == 12
                && h[11] == 0 && h[12] == 'D' && h[13] == 'M' && h[14] == 8 && h[15] == 0;
    }

    private static byte[] spare(java.util.Queue<byte[]> spares, int size) {
        byte[] b = spares.poll();
        return b != null && b.length >= size ? b : new byte[size];
    }

    private Block inflate(byte[] member, int memberSize, int blockSize) throws IOException {
        byte[] out = spare(spareOut, blockSize + 1);
        int end = memberSize - 8;
        int trailerCrc = getInt(member, end);
        int trailerSize = getInt(member, end + 4);
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(member, MemberEncoder.HEADER, end - MemberEncoder.HEADER);
            int n = 0;
            while (!inflater.finished()) {
                int k = inflater.inflate(out, n, blockSize + 1 - n);
                n += k;
                if (k == 0 && !inflater.finished()) {
                    throw new IOException("corrupt gzip member: deflate data does not end within the member"
                            + " or yields more than its " + blockSize + " bytes");
                }
            }
            if (n != blockSize || inflater.getRemaining() != 0) {
                throw new IOException("corrupt gzip member: " + n + " bytes inflated, header says " + blockSize);
            }
        } catch (DataFormatException e) {
            throw new IOException("corrupt gzip member: " + e.getMessage(), e);
        } finally {
            inflater.end();
            if (member.length > 0) {
                spareIn.add(member);
            }
        }
        CRC32 crc = new CRC32();
        crc.update(out, 0, blockSize);
        if (trailerCrc != (int) crc.getValue() || trailerSize != blockSize) {
            throw new IOException("corrupt gzip member: CRC32 or size in the trailer does not match");
        }
        return new Block(out, blockSize);
    }

    private Block take(Future<Block> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a gzip block");
        } catch (ExecutionException | CancellationException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof IOException) {
                throw new IOException(cause.getMessage(), cause);
            }
            throw new IOException("gzip block inflation failed: " + cause, cause);
        }
    }

    static int getInt(byte[] b, int pos) {
        return (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16 | (b[pos + 3] & 0xff) << 24;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        inFlight.forEach(f -> f.cancel(false));
        inFlight.clear();
        if (fallback != null) {
            fallback.close();
        }
        in.close();
    }
}
