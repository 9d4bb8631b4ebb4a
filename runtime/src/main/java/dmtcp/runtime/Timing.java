package dmtcp.runtime;

import java.lang.management.ManagementFactory;

/** Start-up phase times on stderr when DMTCP_LOG_LEVEL is debug (what bench/ and tuning look at). */
final class Timing {
    private static final boolean ON = "debug".equalsIgnoreCase(System.getenv("DMTCP_LOG_LEVEL"));

    private Timing() {}

    static void mark(String phase) {
        if (ON) {
            long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            System.err.println("[dmtcp timing] " + phase + " at " + sinceJvmStart + " ms after JVM start");
        }
    }
}
