package dmtcp.core.boot;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What dmtcp_checkpoint, dmtcp_restart and dmtcp_check do before the OSGi framework starts,
 * so that a user's program never waits for the runtime to boot: spawn it, check and rebuild
 * the processes of images, probe the machine.
 *
 * <p>One installed bundle implements it (ckpt.process) and names the implementation in
 * {@code META-INF/services/dmtcp.core.boot.Bootstrap}; the launcher loads it with
 * {@link java.util.ServiceLoader} from that bundle's class loader once the bundles are
 * installed, calls it, and registers it as an OSGi service under this interface before it
 * starts the framework, so that the implementing bundle's components take over what it
 * began (the spawned program, the processes rebuilt ahead) when they activate. Nothing else
 * passes between the launcher and the bundles: no reflection on class names, no static
 * fields.
 */
@ProviderType
public interface Bootstrap {

    /** How the system bundle exports this package ({@code org.osgi.framework.system.packages.extra}): its {@code @Version}. */
    String EXPORT = "dmtcp.core.boot;version=\"0.2.0\"";

    /**
     * dmtcp_checkpoint: makes this JVM a child subreaper and spawns {@code argv}, the
     * program the computation starts with; takes its restart lock in {@code lockDir} (the
     * user's private folder; a lock that cannot be taken is said on stderr, the program runs on).
     *
     * @return the program's pid
     * @throws BootException naming the program when it cannot be started
     */
    int launch(List<String> argv, Path lockDir) throws BootException;

    /**
     * dmtcp_checkpoint through the agent (doc/architecture.md, The agent): {@code pid}, the
     * client's own process, which execs {@code argv} once this returns, is the program the
     * computation starts with. It is no child of this JVM: its parent, the user's shell,
     * gets its exit status. Takes its restart lock in {@code lockDir} as {@link #launch} does.
     *
     * @throws BootException naming the process when it cannot be taken (gone, another user's)
     */
    void adopt(int pid, List<String> argv, Path lockDir) throws BootException;

    /**
     * The agent, before its client execs the program: makes {@code pid} a child subreaper
     * (the flag survives exec), so that orphans the program's processes leave stay its
     * children and part of the computation.
     *
     * @throws BootException naming the process and why (it cannot be traced)
     */
    void subreaper(int pid) throws BootException;

    /**
     * {@code pid} is a child this JVM started for itself (a coordinator it started in the
     * background), or a child the agent's client had before it became the program (its
     * shell's plumbing: a process substitution's {@code cat}): no orphan of the programs, no
     * child a checkpoint must include, and not killed with the computation.
     */
    void helper(long pid);

    /** dmtcp_restart: the images it was given (absolute paths), their heads not read yet. */
    Restart restart(List<Path> images);

    /** dmtcp_check: each probe's result (a real checkpoint and restore of a test process among them). */
    List<Probe> check(Path checkpointDir, Path tmpDir);

    /**
     * dmtcp_inspect: an image's description, read through the same schema reader as a restore.
     *
     * @param json the JSON form (else the text a user reads)
     * @param regions the text lists every memory region
     * @throws BootException naming the image and what is wrong with it
     */
    String inspect(Path image, boolean json, boolean regions) throws BootException;

    /**
     * Waits until the programs the computation expects have started (1 for a launch, one
     * per image for a restart) and then until every one has ended.
     *
     * @return the first program's status as a shell reports it (code, or 128 + signal); 1
     *     when they never came ({@link #failure()} says why)
     */
    int awaitPrograms() throws InterruptedException;

    /** Why the expected programs did not come (a refused or failed restart), if they did not. */
    Optional<String> failure();
}
