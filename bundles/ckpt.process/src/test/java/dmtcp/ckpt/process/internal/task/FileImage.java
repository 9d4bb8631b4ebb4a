package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.MemorySink;
import dmtcp.mem.linux.api.MemorySource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simplest container a test needs: the bytes a {@link MemorySink} receives, appended
 * to one file, with an in-heap index from address to file position. Not the product's
 * image format.
 */
final class FileImage implements MemorySink, MemorySource, AutoCloseable {
    private final FileChannel ch;
    private final TreeMap<Long, long[]> index = new TreeMap<>(); // address -> {file pos, length}
    private long end;

    FileImage(Path file) throws IOException {
        ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @Override
    public void write(MemoryRegion region, long offset, ByteBuffer data) throws IOException {
        long len = data.remaining();
        index.put(region.start() + offset, new long[] {end, len});
        while (data.hasRemaining()) {
            end += ch.write(data, end);
        }
    }

    @Override
    public void read(MemoryRegion region, long offset, ByteBuffer dst) throws IOException {
        long addr = region.start() + offset;
        while (dst.hasRemaining()) {
            Map.Entry<Long, long[]> e = index.floorEntry(addr);
            if (e == null || addr >= e.getKey() + e.getValue()[1]) {
                throw new IOException("no saved bytes at 0x" + Long.toHexString(addr));
            }
            long within = addr - e.getKey();
            int n = (int) Math.min(dst.remaining(), e.getValue()[1] - within);
            ByteBuffer part = dst.duplicate();
            part.limit(part.position() + n);
            long pos = e.getValue()[0] + within;
            while (part.hasRemaining()) {
                int r = ch.read(part, pos);
                if (r < 0) {
                    throw new IOException("image truncated");
                }
                pos += r;
            }
            dst.position(dst.position() + n);
            addr += n;
        }
    }

    long size() {
        return end;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
