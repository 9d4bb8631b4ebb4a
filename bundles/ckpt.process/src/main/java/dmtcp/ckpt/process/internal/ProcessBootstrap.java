package dmtcp.ckpt.process.internal;

import dmtcp.core.boot.BootException;
import dmtcp.core.boot.Bootstrap;
import dmtcp.core.boot.Probe;
import dmtcp.core.boot.Restart;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.ProcessLock;
import dmtcp.mem.linux.api.Processes;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * This bundle's {@link Bootstrap}, named in {@code META-INF/services/dmtcp.core.boot.Bootstrap}:
 * the launcher makes one before the framework starts and registers it as a service; the
 * {@link Supervisor} then takes over its {@link Programs} (the program it spawned, the
 * processes it began rebuilding).
 */
public final class ProcessBootstrap implements Bootstrap {
    private final Programs programs = new Programs();

    /** For {@link java.util.ServiceLoader}. */
    public ProcessBootstrap() {}

    Programs programs() {
        return programs;
    }

    @Override
    public int launch(List<String> argv, Path lockDir) throws BootException {
        Child c;
        try {
            // children this JVM had before the program (the shell's plumbing: `dmtcp_checkpoint
            // prog > >(cat)` makes cat the launcher's child) are no orphans of the program
            for (dmtcp.mem.linux.api.ProcessTree.Proc before : dmtcp.mem.linux.api.ProcessTree.children((int) ProcessHandle.current().pid())) {
                Processes.helper(before.pid());
            }
            Processes.becomeSubreaper();
            c = Processes.spawn(argv);
        } catch (RuntimeException e) {
            throw new BootException(e.getMessage() != null ? e.getMessage() : e.toString(), e);
        }
        lockAndStart(c, lockDir);
        return c.pid();
    }

    @Override
    public void adopt(int pid, List<String> argv, Path lockDir) throws BootException {
        Child c;
        try {
            c = Processes.adopt(pid, argv);
        } catch (RuntimeException e) {
            throw new BootException(e.getMessage() != null ? e.getMessage() : e.toString(), e);
        }
        lockAndStart(c, lockDir);
    }

    @Override
    public void subreaper(int pid) throws BootException {
        try {
            Processes.makeSubreaper(pid);
        } catch (RuntimeException e) {
            throw new BootException(e.getMessage() != null ? e.getMessage() : e.toString(), e);
        }
    }

    /** Takes {@code c}'s restart lock in {@code lockDir} (a lock that cannot be taken is said, the program runs on) and records it. */
    private void lockAndStart(Child c, Path lockDir) {
        if (lockDir != null) {
            try {
                ProcessLock.acquire(lockDir, c, "dmtcp_checkpoint");
            } catch (java.io.IOException | RuntimeException e) {
                System.err.println("dmtcp_checkpoint: warning: no lock for " + c + " in " + lockDir + ": " + e.getMessage());
            }
        }
        programs.started(c);
    }

    @Override
    public void helper(long pid) {
        Processes.helper(pid);
    }

    @Override
    public String inspect(Path image, boolean json, boolean regions) throws BootException {
        try {
            return json ? dmtcp.ckpt.process.api.Inspect.json(image.toString())
                    : dmtcp.ckpt.process.api.Inspect.text(image.toString(), regions);
        } catch (java.io.IOException | RuntimeException e) {
            throw new BootException(e.getMessage() != null ? e.getMessage() : e.toString(), e);
        }
    }

    @Override
    public Restart restart(List<Path> images) {
        return new RestartCheck(images, programs);
    }

    @Override
    public List<Probe> check(Path checkpointDir, Path tmpDir) {
        return Check.run(checkpointDir.toString(), tmpDir.toString());
    }

    @Override
    public int awaitPrograms() throws InterruptedException {
        return programs.awaitAll();
    }

    @Override
    public Optional<String> failure() {
        return Optional.ofNullable(programs.failure());
    }
}
