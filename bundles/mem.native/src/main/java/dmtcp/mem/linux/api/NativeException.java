package dmtcp.mem.linux.api;

/**
 * A failed system call, named with its arguments, errno and the C library's message,
 * e.g. {@code posix_spawn("/bin/nope", ...) failed: errno 2 (No such file or directory)}.
 */
public class NativeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int errno;

    public NativeException(String call, int errno, String message) {
        super(call + " failed: errno " + errno + " (" + message + ")");
        this.call = call;
        this.errno = errno;
    }

    /** The call with its arguments, as it appears in the message. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
