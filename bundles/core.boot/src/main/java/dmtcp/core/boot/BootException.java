package dmtcp.core.boot;

/** What a {@link Bootstrap} refuses to do, with the message the command prints. */
public class BootException extends Exception {
    private static final long serialVersionUID = 1L;

    public BootException(String message, Throwable cause) {
        super(message, cause);
    }
}
