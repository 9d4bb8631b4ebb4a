package dmtcp.core.barrier.internal;

import dmtcp.core.barrier.protocol.FileErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

/**
 * dmtcp_restart_script.sh, which restarts the whole computation from the images of the
 * last good checkpoint. Like an image it is written under a temporary name while the round
 * runs ({@link #prepare}, once every participant has written its images: a script that
 * cannot be written fails the round before anything is committed) and renamed into place
 * when the round ends well ({@link #commit}); an aborted round deletes it ({@link #discard}),
 * so the script in place always names the images in place.
 */
final class RestartScript {
    static final String NAME = "dmtcp_restart_script.sh";

    private final Path dir;
    private final String restartCommand;
    private final String host;
    private Path pending;

    RestartScript(Path dir, String restartCommand, String host) {
        this.dir = dir.toAbsolutePath().normalize();
        this.restartCommand = restartCommand;
        this.host = host;
    }

    /**
     * Writes the script for {@code images} under a temporary name in the checkpoint directory.
     *
     * @throws IOException naming the directory and the reason (e.g. Permission denied)
     */
    void prepare(int port, List<String> images) throws IOException {
        discard();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + NAME + ".", ".tmp");
            pending = tmp;
            Files.writeString(tmp, text(restartCommand, host, port, images));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            discard();
            throw new IOException("cannot write the restart script in " + dir + ": " + FileErrors.reason(e), e);
        }
    }

    /** Puts the prepared script in place; returns its path. */
    Path commit() throws IOException {
        Path target = dir.resolve(NAME);
        try {
            Files.move(pending, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            discard();
            throw new IOException("cannot put the restart script in place in " + dir + ": " + FileErrors.reason(e), e);
        } finally {
            pending = null;
        }
        return target;
    }

    /** Deletes a prepared script that will not be committed. */
    void discard() {
        if (pending != null) {
            try {
                Files.deleteIfExists(pending);
            } catch (IOException ignored) {
                // a leftover temporary file: the next round in this directory writes another
            }
            pending = null;
        }
    }

    static String text(String restartCommand, String host, int port, List<String> images) {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# Restarts the computation checkpointed at ").append(Instant.now()).append(".\n");
        s.append("# Written by dmtcp_coordinator. Edit the coordinator host and port, or the image\n");
        s.append("# paths, to restart elsewhere. Usage: ./").append(NAME).append(" [dmtcp_restart options]\n");
        s.append("set -e\n");
        s.append("coord_host=${DMTCP_HOST:-").append(quote(host)).append("}\n");
        s.append("coord_port=${DMTCP_PORT:-").append(port).append("}\n");
        s.append("restart=").append(quote(restartCommand)).append('\n');
        s.append("command -v \"$restart\" >/dev/null 2>&1 || restart=dmtcp_restart\n");
        s.append("exec \"$restart\" --host \"$coord_host\" --port \"$coord_port\" \"$@\"");
        for (String image : images) {
            s.append(" \\\n  ").append(quote(image));
        }
        s.append('\n');
        return s.toString();
    }

    /** {@code 'word'} for the shell, whatever the word holds (quotes, spaces, $, backquotes). */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
