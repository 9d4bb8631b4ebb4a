package dmtcp.compress.gzip.internal;

import dmtcp.image.format.spi.StreamCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@code gzip} stream codec service: parallel, one gzip member per block, incompressible
 * segments stored. Configuration PID {@value #PID}; a changed configuration reactivates the
 * component, and streams already open finish on the old pool, which ends after them.
 * Immediate, so that the pool is not made and ended again each time a consumer gets and
 * ungets the service; activation warms it up in the background (see GzipCodec#warmUp).
 */
@Component(configurationPid = GzipCodecComponent.PID, service = StreamCodec.class, immediate = true,
        property = StreamCodec.NAME + "=" + GzipCodec.NAME)
@Designate(ocd = GzipCodecComponent.Config.class)
public class GzipCodecComponent implements StreamCodec {
    static final String PID = "dmtcp.compress.gzip";

    @ObjectClassDefinition(name = "DMTCP gzip codec",
            description = "Parallel gzip: one member per block, incompressible data stored")
    public @interface Config {
        @AttributeDefinition(description = "Deflate level 0-9 (0 stores everything; 1 like gzip -1)", min = "0", max = "9")
        int level() default 1;

        @AttributeDefinition(description = "Input bytes per gzip member, in KiB (4-262144)", min = "4", max = "262144")
        int blockSizeKiB() default 1024;

        @AttributeDefinition(description = "Compressing threads; 0 = all available processors", min = "0")
        int threads() default 0;

        @AttributeDefinition(description = "Blocks a stream may have in flight per thread before its writer waits",
                min = "1")
        int blocksInFlightPerThread() default 2;

        @AttributeDefinition(description = "Store a segment whose sample deflates to at least this fraction of its size")
        double storeRatio() default 0.9;
    }

    private volatile GzipCodec codec;

    @Activate
    void activate(Config config) {
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        codec = new GzipCodec(new GzipSettings(config.level(), config.blockSizeKiB() << 10, threads,
                config.blocksInFlightPerThread(), config.storeRatio()));
        codec.warmUp();
    }

    @Deactivate
    void deactivate() {
        codec.close();
    }

    @Override
    public String name() {
        return GzipCodec.NAME;
    }

    @Override
    public OutputStream encode(OutputStream out) throws IOException {
        return codec.encode(out);
    }

    @Override
    public InputStream decode(InputStream in) throws IOException {
        return codec.decode(in);
    }
}
