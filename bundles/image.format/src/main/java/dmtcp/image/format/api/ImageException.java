package dmtcp.image.format.api;

import java.io.IOException;

/** An image that cannot be read as a complete, intact checkpoint; the message names the image and what is wrong. */
public class ImageException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
