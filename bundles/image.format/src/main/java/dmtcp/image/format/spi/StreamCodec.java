package dmtcp.image.format.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A stream codec in an image's codec chain (gzip, zstd, xz, ...), registered as an OSGi
 * service with the property {@value #NAME}. Codecs know nothing of the image format: they
 * transform bytes. The image writer names the chain it used in the image's inventory, and
 * the reader refuses an image whose codec is not installed.
 */
@ConsumerType
public interface StreamCodec {

    /** Service property: the codec's name as written in images, e.g. {@code gzip}. */
    String NAME = "dmtcp.codec";

    /** The codec's name, equal to its {@value #NAME} property. */
    String name();

    /**
     * Wraps {@code out}: bytes written to the result reach {@code out} encoded. Closing the
     * result finishes the encoding and closes {@code out}.
     */
    OutputStream encode(OutputStream out) throws IOException;

    /** Wraps {@code in}: reading the result yields the decoded bytes. */
    InputStream decode(InputStream in) throws IOException;
}
