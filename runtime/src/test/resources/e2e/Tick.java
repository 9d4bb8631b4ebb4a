import java.io.FileOutputStream;

/**
 * Tick OUT: appends "tick N ok|CORRUPT" to OUT every 20 ms; N and 8 MiB of data whose
 * checksum is re-checked each tick live only in the JVM's heap, so a restore that lost
 * memory shows. Writes through java.io only: java.nio's first use opens a socketpair
 * (FileDispatcherImpl's pre-close descriptor), which checkpoints refuse for now.
 */
public class Tick {
    public static void main(String[] args) throws Exception {
        long[] data = new long[1 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 2654435761L;
        }
        long sum0 = sum(data);
        for (long t = 0;; t++) {
            String line = "tick " + t + " " + (sum(data) == sum0 ? "ok" : "CORRUPT") + "\n";
            try (FileOutputStream f = new FileOutputStream(args[0], true)) {
                f.write(line.getBytes("US-ASCII"));
            }
            Thread.sleep(20);
        }
    }

    private static long sum(long[] data) {
        long s = 0;
        for (long v : data) {
            s = s * 31 + v;
        }
        return s;
    }
}
