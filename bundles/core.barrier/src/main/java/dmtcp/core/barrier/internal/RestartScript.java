package dmtcp.core.barrier.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

/**
 * Writes dmtcp_restart_script.sh, which restarts the whole computation from the images
 * of the last good checkpoint. Written under a temporary name and renamed, like images.
 */
final class RestartScript {
    static final String NAME = "dmtcp_restart_script.sh";

    private RestartScript() {}

    static Path write(Path dir, String restartCommand, String host, int port, List<String> images) {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# Restarts the computation checkpointed at ").append(Instant.now()).append(".\n");
        s.append("# Written by dmtcp_coordinator. Edit the coordinator host and port, or the image\n");
        s.append("# paths, to restart elsewhere. Usage: ./").append(NAME).append(" [dmtcp_restart options]\n");
        s.append("set -e\n");
        s.append("coord_host=${DMTCP_HOST:-").append(host).append("}\n");
        s.append("coord_port=${DMTCP_PORT:-").append(port).append("}\n");
        s.append("restart=").append(quote(restartCommand)).append('\n');
        s.append("command -v \"$restart\" >/dev/null 2>&1 || restart=dmtcp_restart\n");
        s.append("exec \"$restart\" --host \"$coord_host\" --port \"$coord_port\" \"$@\"");
        for (String image : images) {
            s.append(" \\\n  ").append(quote(image));
        }
        s.append('\n');
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, NAME, ".tmp");
            Files.writeString(tmp, s);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path target = dir.resolve(NAME);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(NAME) + ": " + e.getMessage(), e);
        }
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
