package dmtcp.ckpt.process.internal;

import dmtcp.core.barrier.spi.ProcessRegistry;
import dmtcp.core.barrier.spi.RestoredProcess;
import dmtcp.core.barrier.spi.StageContext;
import dmtcp.core.boot.Bootstrap;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@link ProcessRegistry} of this runtime: the programs it runs for the computation and
 * the processes a restart holds. It serves the {@link Programs} the launcher's
 * {@link Bootstrap} (this bundle's {@link ProcessBootstrap}) began before the framework
 * started, or new ones when there was none. The process plugin ({@link ProcessHook}) adds
 * the processes it restores.
 */
@Component(service = {ProcessRegistry.class, Supervisor.class})
public class Supervisor implements ProcessRegistry {

    /** The launcher's, registered before the framework started; absent in a coordinator or a test framework. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    private Bootstrap bootstrap;

    private Programs programs;

    @Activate
    void activate() {
        programs = bootstrap instanceof ProcessBootstrap b ? b.programs() : new Programs();
    }

    Programs programs() {
        return programs;
    }

    @Override
    public List<StageContext.Process> processes() {
        return programs.running();
    }

    @Override
    public List<RestoredProcess> restored() {
        return programs.restored();
    }

    @Override
    public String firstName() {
        return programs.firstName();
    }

    @Override
    public void addListener(Listener listener) {
        programs.addListener(listener);
    }

    @Override
    public void removeListener(Listener listener) {
        programs.removeListener(listener);
    }

    @Override
    public void giveUp(String why) {
        programs.giveUp(why);
    }

    @Override
    public List<String> killAll() {
        return programs.killAll();
    }
}
