package dmtcp.ckpt.process.internal;

import dmtcp.ckpt.process.api.ProcessImages;
import dmtcp.core.barrier.spi.RestoredProcess;
import dmtcp.mem.linux.api.Child;
import java.nio.file.Path;
import java.util.List;

/**
 * A process rebuilt from its image and held stopped under this JVM's tracer (a
 * {@link ProcessImages.Held}), as the restart round's hooks see it: released by the process
 * plugin at RUNNING, abandoned (killed, it never ran) when the round fails. Only the process
 * plugin finishes, releases or abandons it; other plugins get the {@link RestoredProcess} view.
 */
final class HeldProcess implements RestoredProcess {
    private final ProcessImages.Held held;

    HeldProcess(ProcessImages.Held held) {
        this.held = held;
    }

    ProcessImages.Held held() {
        return held;
    }

    private Child child() {
        return held.child();
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
        return held.image();
    }

    // adapt(): the resource-handler SPI will offer the held task here (its memory, syscall
    // injection, scratch memory) as a typed restore context; until then, no richer view.

    @Override
    public String toString() {
        return child().toString();
    }
}
