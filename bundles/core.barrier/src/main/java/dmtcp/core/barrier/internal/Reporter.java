package dmtcp.core.barrier.internal;

/** Where the engine and the participant side report what happens (the OSGi log, or a test's list). */
public interface Reporter {
    void info(String message);

    void warn(String message);

    void debug(String message);
}
