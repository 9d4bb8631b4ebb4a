package dmtcp.compress.gzip.api;

import dmtcp.compress.gzip.internal.GzipCodec;
import dmtcp.compress.gzip.internal.GzipSettings;
import dmtcp.image.format.spi.StreamCodec;

/**
 * The parallel gzip codec with its default settings, outside Declarative Services: for
 * code that runs before the framework starts (dmtcp_restart decodes its images while the
 * runtime boots). Everything else gets the codec as a {@link StreamCodec} service.
 */
public final class Gzip {
    private Gzip() {}

    /**
     * A new codec with its own thread pool (one thread per core); the caller closes it
     * (it is {@link AutoCloseable}) once its streams are closed.
     */
    public static StreamCodec standalone() {
        return new GzipCodec(GzipSettings.defaults());
    }
}
