package dmtcp.itests;

import dmtcp.core.barrier.spi.ProcessRegistry;
import dmtcp.core.barrier.spi.RestoredProcess;
import dmtcp.core.barrier.spi.StageContext;
import dmtcp.mem.linux.api.Child;
import java.util.List;

/**
 * A {@link ProcessRegistry} registered from the probe, speaking for one child the test
 * spawned: core.barrier works with any registry (it never sees how processes are made).
 */
final class ChildRegistry implements ProcessRegistry {
    private final Child child;

    ChildRegistry(Child child) {
        this.child = child;
    }

    @Override
    public List<StageContext.Process> processes() {
        return child.isAlive() ? List.of(new StageContext.Process(child.pid(), child.name(), child.argv(), child.uniqueId()))
                : List.of();
    }

    @Override
    public List<RestoredProcess> restored() {
        return List.of();
    }

    @Override
    public String firstName() {
        return child.name();
    }

    @Override
    public void addListener(Listener listener) {
        // the child runs until the test kills it
    }

    @Override
    public void removeListener(Listener listener) {
    }

    @Override
    public void giveUp(String why) {
    }

    @Override
    public List<String> killAll() {
        child.signal(9);
        return List.of(child.toString());
    }
}
