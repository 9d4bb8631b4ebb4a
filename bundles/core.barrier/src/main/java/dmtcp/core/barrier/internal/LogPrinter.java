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
 * debug; default info). Entries are tagged with this process's role.
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
    private final PrintStream err = System.err;

    @Activate
    void activate(BundleContext context) {
        threshold = parse(context.getProperty("dmtcp.logLevel"));
        String role = context.getProperty("dmtcp.role");
        tag = "dmtcp" + (role == null ? "" : " " + role);
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
