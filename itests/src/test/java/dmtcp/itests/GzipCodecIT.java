package dmtcp.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dmtcp.image.format.spi.StreamCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collection;
import java.util.Hashtable;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Boots Felix with SCR, ConfigAdmin, image.format (and the Gson its writer uses), compress.gzip and Commons Compress (with
 * the commons-io and commons-lang3 it needs to decompress) and uses the {@code gzip}
 * StreamCodec service as the image writer will: found by {@code (dmtcp.codec=gzip)}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GzipCodecIT {
    private static final String FILTER = "(&(objectClass=" + StreamCodec.class.getName() + ")("
            + StreamCodec.NAME + "=gzip))";

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return options(
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                junitBundles(),
                BuiltBundles.declarativeServices(),
                bundle(BuiltBundles.jar("commonsio")),
                bundle(BuiltBundles.jar("lang3")),
                bundle(BuiltBundles.jar("compress")),
                bundle(BuiltBundles.jar("gson")),
                bundle(BuiltBundles.jar("imageformat")),
                bundle(BuiltBundles.jar("gzip")),
                cleanCaches());
    }

    private ServiceTracker<StreamCodec, StreamCodec> tracker;

    @Before
    public void track() throws Exception {
        tracker = new ServiceTracker<>(context, context.createFilter(FILTER), null);
        tracker.open();
    }

    @After
    public void untrack() {
        tracker.close();
    }

    /** The current gzip codec; the tracker holds it while the test uses it. */
    private StreamCodec codec() throws Exception {
        StreamCodec codec = tracker.waitForService(10_000);
        assertNotNull("no StreamCodec " + FILTER + " 10 s after boot", codec);
        return codec;
    }

    private static byte[] sample(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        byte[] fox = "the quick brown fox jumps over the lazy dog. ".getBytes();
        for (int i = n / 2; i < n; i++) {
            b[i] = fox[i % fox.length];
        }
        return b;
    }

    private static byte[] encode(StreamCodec codec, byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = codec.encode(bos)) {
            out.write(data);
        }
        return bos.toByteArray();
    }

    @Test
    public void gzipServiceRoundTrips() throws Exception {
        StreamCodec codec = codec();
        assertEquals("gzip", codec.name());
        byte[] data = sample(5 << 20);
        byte[] gz = encode(codec, data);
        assertTrue("random half stored, text half compressed: " + gz.length,
                gz.length > data.length / 2 && gz.length < data.length * 6 / 10);
        try (InputStream in = codec.decode(new ByteArrayInputStream(gz))) {
            assertArrayEquals(data, in.readAllBytes());
        }
        // Plain java.util.zip reads it too (from a byte array, available() > 0 between members).
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    /** A foreign gzip file goes through Commons Compress: its commons-io/lang3 imports resolve. */
    @Test
    public void foreignGzipDecodesThroughCommonsCompress() throws Exception {
        byte[] data = sample(1 << 20);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bos)) {
            out.write(data);
        }
        try (InputStream in = codec().decode(new ByteArrayInputStream(bos.toByteArray()))) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    public void configurationChangesTheLevel() throws Exception {
        byte[] data = sample(2 << 20);
        int level1 = encode(codec(), data).length;
        org.osgi.service.cm.Configuration config = configAdmin.getConfiguration("dmtcp.compress.gzip", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("level", 0);
        props.put("threads", 1);
        config.update(props);
        try {
            long deadline = System.currentTimeMillis() + 10_000;
            int size;
            do {
                Thread.sleep(50);
                size = encode(codec(), data).length;
            } while (size <= data.length && System.currentTimeMillis() < deadline);
            assertTrue("level 0 stores all: " + size + " vs level 1 " + level1, size > data.length);
            Collection<ServiceReference<StreamCodec>> refs =
                    context.getServiceReferences(StreamCodec.class, "(" + StreamCodec.NAME + "=gzip)");
            assertEquals("one gzip codec", 1, refs.size());
        } finally {
            config.delete();
        }
    }
}
