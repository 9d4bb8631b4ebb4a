package dmtcp.core.barrier.internal;

import org.osgi.service.log.Logger;

/** Routes the engine's and the participant side's reports to an OSGi {@link Logger}. */
final class LoggerReporter implements Reporter {
    private final Logger log;

    LoggerReporter(Logger log) {
        this.log = log;
    }

    @Override
    public void info(String message) {
        log.info(message);
    }

    @Override
    public void warn(String message) {
        log.warn(message);
    }

    @Override
    public void debug(String message) {
        log.debug(message);
    }
}
