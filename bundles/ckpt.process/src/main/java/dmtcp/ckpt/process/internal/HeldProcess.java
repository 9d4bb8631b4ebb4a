package dmtcp.ckpt.process.internal;

import dmtcp.core.barrier.spi.RestoredProcess;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Restorer;
import java.nio.file.Path;
import java.util.List;

/**
 * A process rebuilt from its image and held stopped under this JVM's tracer (a
 * {@link Restorer.Prepared}), as the restart round's hooks see it: released by the process
 * plugin at RUNNING, abandoned (killed, it never ran) when the round fails. Only the process
 * plugin releases or abandons it; other plugins get the {@link RestoredProcess} view.
 */
final class HeldProcess implements RestoredProcess {
    private final Restorer.Prepared prepared;
    private final Path image;

    HeldProcess(Restorer.Prepared prepared, Path image) {
        this.prepared = prepared;
        this.image = image;
    }

    Restorer.Prepared prepared() {
        return prepared;
    }

    private Child child() {
        return prepared.child();
    }

    @Override
    public int pid() {
        return child().pid();
    }

    @Override
    public String name() {
        return child().name();
    }

    @Override
    public List<String> argv() {
        return child().argv();
    }

    @Override
    public String uniqueId() {
        return child().uniqueId();
    }

    @Override
    public Path image() {
        return image;
    }

    // adapt(): the resource-handler SPI will offer the held task here (its memory, syscall
    // injection, scratch memory) as a typed restore context; until then, no richer view.

    @Override
    public String toString() {
        return child().toString();
    }
}
