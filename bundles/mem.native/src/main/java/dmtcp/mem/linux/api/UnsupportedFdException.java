package dmtcp.mem.linux.api;

/**
 * A dump refused because the process holds a file descriptor the engine cannot restore
 * yet (a pipe or socket beyond fds 0-2, an eventfd, epoll, signalfd, timerfd, inotify, a
 * memfd held as an fd, a FIFO, a device other than null/zero/full/random/urandom, a
 * deleted file above the size cap). Thrown before anything is written to the sink: the
 * process is left as it was (frozen for {@code Checkpointer.dump(Frozen, ...)}, to be
 * thawed by the caller, which then runs on).
 */
public class UnsupportedFdException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final int fd;
    private final String what;

    public UnsupportedFdException(int fd, String what, String target) {
        super("fd " + fd + " is " + what + " (" + target + "): not supported yet; checkpoint refused, the program runs on");
        this.fd = fd;
        this.what = what;
    }

    public int fd() {
        return fd;
    }

    /** e.g. "a socket", "a pipe", "an eventfd". */
    public String what() {
        return what;
    }
}
