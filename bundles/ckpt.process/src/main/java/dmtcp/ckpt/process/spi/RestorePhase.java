package dmtcp.ckpt.process.spi;

/** When a handler re-creates a saved resource in the process being rebuilt. */
public enum RestorePhase {
    /** Memory and mm layout are back, only the leader thread exists: most fds. */
    BEFORE_THREADS,
    /**
     * Every fd of the {@link #BEFORE_THREADS} phase and every thread exist: what refers to other
     * fds (epoll registrations) or to threads.
     */
    AFTER_THREADS
}
