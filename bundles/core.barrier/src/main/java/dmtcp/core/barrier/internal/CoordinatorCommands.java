package dmtcp.core.barrier.internal;

import dmtcp.core.barrier.api.Coordinator;
import dmtcp.core.barrier.api.RoundResult;
import dmtcp.core.barrier.spi.BarrierHook;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The coordinator's verbs as Gogo shell commands ({@code dmtcp:checkpoint}, ...), the
 * same ones the console keys and dmtcp_command use. Each carries a {@link Descriptor}, so
 * that {@code help dmtcp:checkpoint} explains it (the Gogo runtime is an optional import:
 * without it the annotations are simply not there to read).
 */
@Component(service = CoordinatorCommands.class, property = {
    "osgi.command.scope=dmtcp",
    "osgi.command.function=checkpoint",
    "osgi.command.function=list",
    "osgi.command.function=status",
    "osgi.command.function=kill",
    "osgi.command.function=quit",
    "osgi.command.function=interval",
    "osgi.command.function=plugins"
})
public class CoordinatorCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Coordinator coordinator;

    private BundleContext context;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
    }

    private Coordinator coordinator() {
        Coordinator c = coordinator;
        if (c == null) {
            throw new IllegalStateException("no coordinator runs in this framework");
        }
        return c;
    }

    /** Checkpoints every participant and waits for the round to end. */
    @Descriptor("checkpoint the whole computation now and wait for the round to end (console key c, dmtcp_command -bc); "
            + "prints the round's result: its time and images, or why it failed")
    public String checkpoint() {
        RoundResult r = coordinator().checkpoint().join();
        return (r.ok() ? "" : "FAILED: ") + r.message();
    }

    @Descriptor("list the participants: number, program[pid]@host, role (launch or restart) and state (console key l, "
            + "dmtcp_command -l)")
    public String list() {
        return Reports.list(coordinator().list());
    }

    @Descriptor("show the coordinator's status: host, port, checkpoint interval, number of peers, whether they run, "
            + "the round in progress and the last one (console key s, dmtcp_command -s)")
    public String status() {
        return Reports.status(coordinator().status());
    }

    @Descriptor("kill every process of the computation, on every participant (console key k, dmtcp_command -k); "
            + "the coordinator goes on")
    public String kill() {
        return "kill sent to " + coordinator().kill() + " participant(s)";
    }

    @Descriptor("kill the computation and stop the coordinator (console key q, dmtcp_command -q)")
    public String quit() {
        coordinator().quit();
        return "stopping the coordinator";
    }

    @Descriptor("set the automatic checkpoint interval (console keys i N, dmtcp_command -i N, DMTCP_CHECKPOINT_INTERVAL)")
    public String interval(@Descriptor("seconds between automatic checkpoints; 0 turns them off") int seconds) {
        coordinator().setInterval(seconds);
        return "checkpoint interval set to " + (seconds == 0 ? "off" : seconds + " s");
    }

    /** The barrier hooks registered in this framework, in layer order. */
    @Descriptor("list the plugins (BarrierHook services) of this framework in layer order: layer, name, bundle")
    public String plugins() throws InvalidSyntaxException {
        List<String[]> rows = new ArrayList<>();
        for (ServiceReference<BarrierHook> ref : context.getServiceReferences(BarrierHook.class, null)) {
            Object layer = ref.getProperty(BarrierHook.LAYER);
            Object name = ref.getProperty(BarrierHook.NAME);
            rows.add(new String[] {layer == null ? "0" : layer.toString(),
                name == null ? "-" : name.toString(), ref.getBundle().getSymbolicName()});
        }
        rows.sort((a, b) -> Integer.compare(Integer.parseInt(a[0]), Integer.parseInt(b[0])));
        StringBuilder b = new StringBuilder("LAYER  PLUGIN  BUNDLE");
        for (String[] r : rows) {
            b.append('\n').append(r[0]).append("  ").append(r[1]).append("  ").append(r[2]);
        }
        if (rows.isEmpty()) {
            b.append("\n(no barrier hooks registered)");
        }
        return b.toString();
    }
}
