package dmtcp.runtime;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * What dmtcp_checkpoint and dmtcp_restart both take besides the coordinator's address: how
 * to find or start the coordinator, where images and temporary files go, compression
 * (a picocli mixin).
 */
final class ParticipantOptions {
    @Option(names = {"-j", "--join", "--join-coordinator"}, description = "Join an existing coordinator; fail if none answers.")
    boolean join;

    @Option(names = "--new-coordinator",
            description = "Start a new coordinator on PORT (a free port when PORT is 0 or not given); fail if PORT is taken.")
    boolean newCoordinator;

    @Option(names = {"-i", "--interval"}, paramLabel = "N", converter = Options.Seconds.class,
            defaultValue = "${env:DMTCP_CHECKPOINT_INTERVAL:-0}",
            description = "Checkpoint interval for a coordinator this command starts (default ${DEFAULT-VALUE} = off).")
    int interval;

    @Option(names = {"-c", "--ckptdir", "--checkpoint-dir"}, paramLabel = "DIR",
            defaultValue = "${env:DMTCP_CHECKPOINT_DIR:-.}", description = "Where images go (DMTCP_CHECKPOINT_DIR; default ./).")
    Path checkpointDir;

    @Option(names = "--tmpdir", paramLabel = "DIR", description = "Runtime files go to the private folder DIR/dmtcp-USER (DMTCP_TMPDIR; default $XDG_RUNTIME_DIR/dmtcp, else ~/.cache/dmtcp).")
    Path tmpDir;

    @Option(names = "--no-gzip", description = "Write uncompressed images (DMTCP_GZIP=0).")
    boolean noGzip;

    @Option(names = "--gzip", description = "Compress images with gzip (the default; DMTCP_GZIP=1).")
    boolean gzip;

    /** Whether images are compressed: --gzip, else not --no-gzip and DMTCP_GZIP is not 0. */
    boolean compress() {
        return gzip || (!noGzip && !"0".equals(System.getenv("DMTCP_GZIP")));
    }

    /**
     * The session these options describe; applies --tmpdir.
     *
     * @param portGiven -p or DMTCP_PORT was given (else --new-coordinator picks a free port)
     */
    Session session(String tool, CoordinatorAddress coordinator, boolean portGiven) {
        if (tmpDir != null) {
            System.setProperty("dmtcp.tmpdir", tmpDir.toString());
        }
        return new Session(tool, coordinator.host, coordinator.port, join, newCoordinator,
                portGiven ? coordinator.port : 0, interval, checkpointDir);
    }
}
