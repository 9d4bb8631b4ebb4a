package dmtcp.image.format.api;

import dmtcp.image.format.spi.StreamCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The JDK's single-threaded gzip as a {@link StreamCodec}: what reads an image where the
 * codec services are not running (dmtcp_inspect, dmtcp_restart's checks before the
 * framework starts, tests). compress.gzip's images are plain gzip members, so it reads them.
 */
public final class JdkGzip implements StreamCodec {
    public static final JdkGzip INSTANCE = new JdkGzip();

    private JdkGzip() {}

    @Override
    public String name() {
        return "gzip";
    }

    @Override
    public OutputStream encode(OutputStream out) throws IOException {
        return new GZIPOutputStream(out, 1 << 16);
    }

    @Override
    public InputStream decode(InputStream in) throws IOException {
        return new GZIPInputStream(in, 1 << 16);
    }
}
