package dmtcp.core.barrier.internal;

import org.osgi.service.log.Logger;

/** Routes the engine's reports to an OSGi {@link Logger}. */
final class LoggerEvents implements BarrierEngine.Events {
    private final Logger log;

    LoggerEvents(Logger log) {
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
