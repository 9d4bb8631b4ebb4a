package dmtcp.core.barrier.protocol;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * The errno of a failed file operation as people read it: the JDK leaves the reason out of
 * three of its exceptions. Used by the coordinator, the key file and the command line tools
 * (this package is on their class path without the framework).
 */
public final class FileErrors {
    private FileErrors() {}

    /** "Permission denied", "Not a directory", ... (strerror's text), without the file's name. */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + " exists and is not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
