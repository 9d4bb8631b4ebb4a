package dmtcp.compress.gzip.internal;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Benchmark (not a unit test; run by bench/gzip-codec.sh): for each size N MB, mem.c's
 * memory (50 % xorshift random, 50 % "the quick brown fox..." text) is
 * <ul>
 * <li>written raw to a file (the physical limit: page cache, no fsync),
 * <li>encoded by this codec into a file (default settings: level 1, 1 MiB blocks, all cores),
 * <li>compressed by {@code gzip -1 -c file > /dev/null} from the raw file,
 * </ul>
 * and the codec's output is checked with {@code gzip -t}. Codec and raw are best of
 * {@code RUNS}. Usage: {@code GzipBench DIR RUNS SIZE_MB...}.
 */
public final class GzipBench {
    private GzipBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            sizes.add(Integer.parseInt(args[i]));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(256, 1024);
        }
        GzipSettings settings = GzipSettings.defaults();
        System.out.printf("cores %d, codec level %d, block %d KiB, %d blocks in flight per stream%n",
                Runtime.getRuntime().availableProcessors(), settings.level(), settings.blockSize() >> 10,
                settings.maxInFlight());
        System.out.printf("%6s %9s %9s %11s %9s %9s %13s %13s %9s %9s%n", "MB", "raw s", "codec s", "codec MB",
                "stored%", "gzip-1 s", "gzip-1 MB", "codec/gzip-1", "codec/raw", "decode s");
        try (GzipCodec codec = new GzipCodec(settings)) {
            for (int mb : sizes) {
                bench(codec, dir, mb, runs);
            }
        }
    }

    private static void bench(GzipCodec codec, Path dir, int mb, int runs) throws Exception {
        byte[] data = TestData.memC(mb << 20);
        Path raw = dir.resolve("bench-" + mb + ".raw");
        Path gz = dir.resolve("bench-" + mb + ".gz");
        try {
            double rawS = Double.MAX_VALUE;
            double codecS = Double.MAX_VALUE;
            long codecSize = 0;
            long stored = 0;
            for (int r = 0; r < runs; r++) {
                Files.deleteIfExists(raw);
                long t0 = System.nanoTime();
                try (OutputStream out = new FileOutputStream(raw.toFile())) {
                    write(out, data);
                }
                rawS = Math.min(rawS, seconds(t0));

                Files.deleteIfExists(gz);
                t0 = System.nanoTime();
                ParallelGzipOutputStream out = (ParallelGzipOutputStream) codec.encode(new FileOutputStream(gz.toFile()));
                write(out, data);
                out.close();
                codecS = Math.min(codecS, seconds(t0));
                codecSize = Files.size(gz);
                stored = out.storedBytes();
            }
            long t0 = System.nanoTime();
            String gzipBytes = sh("gzip -1 -c " + raw + " | wc -c").trim();
            double gzipS = seconds(t0);
            sh("gzip -t " + gz);

            t0 = System.nanoTime();
            long decoded = 0;
            try (InputStream in = codec.decode(Files.newInputStream(gz))) {
                byte[] buf = new byte[1 << 20];
                for (int n; (n = in.read(buf)) > 0;) {
                    decoded += n;
                }
            }
            double decodeS = seconds(t0);
            if (decoded != data.length) {
                throw new IOException("decoded " + decoded + " bytes, not " + data.length);
            }
            System.out.printf("%6d %9.3f %9.3f %11.1f %9.1f %9.3f %13.1f %13.3f %9.2f %9.3f%n", mb, rawS, codecS,
                    codecSize / 1048576.0, 100.0 * stored / data.length, gzipS, Long.parseLong(gzipBytes) / 1048576.0,
                    codecS / gzipS, codecS / rawS, decodeS);
        } finally {
            Files.deleteIfExists(raw);
            Files.deleteIfExists(gz);
        }
    }

    /** Writes as a checkpoint writer would: in 64 KiB pieces. */
    private static void write(OutputStream out, byte[] data) throws IOException {
        for (int off = 0; off < data.length; off += 1 << 16) {
            out.write(data, off, Math.min(1 << 16, data.length - off));
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String sh(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(script + " failed: " + out);
        }
        return out;
    }
}
