package dmtcp.compress.gzip.internal;

import java.nio.charset.StandardCharsets;

/** Test and benchmark inputs, made the way /work/shared/bench/mem.c fills its memory. */
final class TestData {
    static final byte[] FOX = "the quick brown fox jumps over the lazy dog. ".getBytes(StandardCharsets.US_ASCII);

    private TestData() {
    }

    /** mem.c's xorshift64 bytes: incompressible. */
    static void random(byte[] b, int from, int to, long seed) {
        long x = seed;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            for (int k = 0; k < 8; k++) {
                b[i + k] = (byte) (x >>> (8 * k));
            }
        }
        for (; i < to; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte) x;
        }
    }

    /** mem.c's repeating text, phase taken from the absolute index like mem.c. */
    static void text(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            b[i] = FOX[i % FOX.length];
        }
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        random(b, 0, n, 88172645463325252L);
        return b;
    }

    static byte[] text(int n) {
        byte[] b = new byte[n];
        text(b, 0, n);
        return b;
    }

    /** mem.c SIZE 50: the first half random, the rest text. */
    static byte[] memC(int n) {
        byte[] b = new byte[n];
        int r = n / 100 * 50;
        random(b, 0, r, 88172645463325252L);
        text(b, r, n);
        return b;
    }

    /** Random and text interleaved in uneven runs, so blocks and segments are mixed. */
    static byte[] mixed(int n) {
        byte[] b = new byte[n];
        java.util.Random runs = new java.util.Random(42);
        int i = 0;
        boolean rnd = false;
        while (i < n) {
            int len = Math.min(n - i, 1 + runs.nextInt(300_000));
            if (rnd) {
                random(b, i, i + len, 0x9E3779B97F4A7C15L ^ i);
            } else {
                text(b, i, i + len);
            }
            rnd = !rnd;
            i += len;
        }
        return b;
    }
}
