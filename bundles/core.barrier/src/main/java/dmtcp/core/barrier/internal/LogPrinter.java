package dmtcp.core.barrier.internal;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.admin.LoggerAdmin;

/**
 * Prints OSGi log entries to stderr, one line each, at or above the level named by the
 * framework property {@code dmtcp.logLevel} (from DMTCP_LOG_LEVEL: error, warn, info,
 * debug; default info). Entries are tagged with this process's role. An agent's framework
 * prints to the file {@code dmtcp.stderr} names instead (its program's stderr).
 */
@Component(immediate = true)
public class LogPrinter implements LogListener {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @Reference
    private LogReaderService reader;

    @Reference
    private LoggerAdmin admin;

    private LogLevel threshold;
    private String tag;
    private PrintStream err = System.err;
    private PrintStream own;

    @Activate
    void activate(BundleContext context) {
        threshold = parse(context.getProperty("dmtcp.logLevel"));
        String role = context.getProperty("dmtcp.role");
        tag = "dmtcp" + (role == null ? "" : " " + role);
        // the agent's participants: their program's stderr (/proc/PID/fd/2), where the
        // launcher's own stderr used to be; the agent's log when it cannot be opened (a socket)
        String to = context.getProperty("dmtcp.stderr");
        if (to != null && !to.isEmpty()) {
            try {
                // buffered, as System.err is: each line reaches the file in one write, never split by the program's
                own = new PrintStream(new java.io.BufferedOutputStream(open(to)), true, java.nio.charset.StandardCharsets.UTF_8);
                err = own;
            } catch (java.io.IOException | RuntimeException e) {
                System.err.println("[" + tag + "] cannot write to " + to + ": " + e.getMessage() + "; logging here");
            }
        }
        // let every logger produce entries at the threshold; this listener does the filtering
        // (only when it changes: an update re-registers the log services and re-activates their users)
        var root = admin.getLoggerContext(null);
        if (root.getLogLevels().get(Logger.ROOT_LOGGER_NAME) != threshold) {
            root.setLogLevels(Map.of(Logger.ROOT_LOGGER_NAME, threshold));
        }
        reader.addLogListener(this);
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
        if (own != null) {
            own.close();
        }
    }

    /**
     * Opens another process's fd ({@code /proc/PID/fd/N}) for appending: a pipe read-write,
     * since opening a pipe write-only waits for a reader (forever, when the reader is gone).
     */
    private static java.io.OutputStream open(String path) throws java.io.IOException {
        String target;
        try {
            target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of(path)).toString();
        } catch (java.io.IOException | UnsupportedOperationException e) {
            target = "";
        }
        if (target.startsWith("pipe:")) {
            java.io.RandomAccessFile f = new java.io.RandomAccessFile(path, "rw");
            return new java.io.FileOutputStream(f.getFD()) {
                @Override
                public void close() throws java.io.IOException {
                    f.close();
                }
            };
        }
        return new java.io.FileOutputStream(path, true);
    }

    static LogLevel parse(String s) {
        if (s == null || s.isBlank()) {
            return LogLevel.INFO;
        }
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "error", "0" -> LogLevel.ERROR;
            case "warn", "warning", "1" -> LogLevel.WARN;
            case "debug", "3" -> LogLevel.DEBUG;
            case "trace", "4" -> LogLevel.TRACE;
            default -> LogLevel.INFO;
        };
    }

    @Override
    public void logged(LogEntry entry) {
        if (!threshold.implies(entry.getLogLevel()) || entry.getLoggerName().startsWith("Events.")) {
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append('[').append(tag).append(' ').append(LocalTime.now().format(TIME)).append("] ")
                .append(entry.getLogLevel()).append(' ').append(entry.getMessage());
        if (entry.getException() != null) {
            b.append(": ").append(entry.getException());
        }
        err.println(b);
    }
}
