package dmtcp.image.format.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream ahead on its own thread, a few blocks at a time, so that reading an image
 * file (copying it out of the page cache) overlaps what the reader does with the bytes
 * (checking them, decoding them, writing them into a process). The thread ends at the end
 * of the stream, on an error (which the reader then gets) or when the reader closes.
 */
public final class ReadAhead extends InputStream {
    private static final int BLOCK = 1 << 20;
    private static final byte[] END = new byte[0];

    private final InputStream source;
    private final BlockingQueue<Object> blocks = new ArrayBlockingQueue<>(4);
    /** Blocks the reader is done with, filled again instead of allocating new ones. */
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(8);
    private final Thread reader;
    private volatile boolean closed;
    private byte[] current = new byte[0];
    private int length;
    private int pos;
    private boolean atEnd;

    public ReadAhead(InputStream source, String name) {
        this.source = source;
        this.reader = new Thread(this::fill, "dmtcp-read-ahead " + name);
        reader.setDaemon(true);
        reader.start();
    }

    private void fill() {
        try {
            while (!closed) {
                byte[] b = free.poll();
                if (b == null) {
                    b = new byte[BLOCK];
                }
                int n = source.readNBytes(b, 0, BLOCK);
                if (n > 0) {
                    blocks.put(n == BLOCK ? b : java.util.Arrays.copyOf(b, n));
                }
                if (n < BLOCK) {
                    blocks.put(END);
                    return;
                }
            }
        } catch (IOException e) {
            offer(e);
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void offer(IOException e) {
        try {
            blocks.put(e);
        } catch (InterruptedException ignored) {
            // closed meanwhile
        }
    }

    /** The next block into {@link #current}; false at the end. */
    private boolean next() throws IOException {
        if (atEnd) {
            return false;
        }
        Object o;
        try {
            o = blocks.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading ahead");
        }
        if (o instanceof IOException e) {
            atEnd = true;
            throw new IOException(e.getMessage(), e);
        }
        if (current.length == BLOCK) {
            free.offer(current);
        }
        current = (byte[]) o;
        if (current == END) {
            atEnd = true;
            return false;
        }
        length = current.length;
        pos = 0;
        return true;
    }

    @Override
    public int read() throws IOException {
        if (pos == length && !next()) {
            return -1;
        }
        return current[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == length && !next()) {
            return -1;
        }
        int n = Math.min(len, length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return length - pos;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        reader.interrupt();
        source.close();
    }
}
