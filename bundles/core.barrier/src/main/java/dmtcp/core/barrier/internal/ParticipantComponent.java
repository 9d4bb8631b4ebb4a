package dmtcp.core.barrier.internal;

import com.google.gson.JsonObject;
import dmtcp.core.barrier.protocol.Handshake;
import dmtcp.core.barrier.protocol.LineChannel;
import dmtcp.core.barrier.protocol.Msg;
import dmtcp.core.barrier.protocol.UserKey;
import dmtcp.core.barrier.spi.BarrierHook;
import dmtcp.core.barrier.spi.ImagePlacement;
import dmtcp.core.barrier.spi.ProcessRegistry;
import dmtcp.core.barrier.spi.RestoredProcess;
import dmtcp.core.barrier.spi.StageContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * This process's membership in a computation: the launcher (dmtcp_checkpoint) or
 * restarter (dmtcp_restart) side of the barrier protocol. It connects to the coordinator,
 * speaks for the programs the {@link ProcessRegistry} lists, and calls every
 * {@link BarrierHook} on the service whiteboard at each stage.
 */
@Component(configurationPid = ParticipantComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
public class ParticipantComponent implements ParticipantSession.Owner {
    static final String PID = "dmtcp.participant";

    /** The configuration's properties. */
    public @interface Config {
        String host() default "localhost";

        int port() default 7779;

        String role() default Msg.ROLE_LAUNCH;

        String checkpointDir() default ".";

        /** How long to keep trying to reach the coordinator. */
        int connectTimeoutSeconds() default 30;

        /** role restart: the images this restarter restores. */
        String[] images() default {};

        /** role restart: the unique ids of the processes in those images. */
        String[] restartIds() default {};

        /** This user's key file; empty: DMTCP_KEY_FILE, else ~/.config/dmtcp/key (doc/security.md). */
        String keyFile() default "";

        /** role launch: the token the launcher announced itself with before it spawned the program (Msg.ROLE_ANNOUNCE). */
        String announce() default "";
    }

    @Reference(service = LoggerFactory.class)
    private Logger log;

    /** The programs this participant speaks for (ckpt.process keeps them). */
    @Reference
    private ProcessRegistry registry;

    /** How a bundle puts images in place faster than a rename (ckpt.process), when there is one. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = org.osgi.service.component.annotations.ReferencePolicyOption.GREEDY)
    private volatile ImagePlacement placement;

    private final List<ParticipantSession.Hook> hooks = new CopyOnWriteArrayList<>();
    private volatile ParticipantSession session;
    private volatile boolean active;
    private Thread connector;
    /** Set when deactivated while still connecting: try a little longer, then give up. */
    private volatile long giveUpAt = Long.MAX_VALUE;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addHook(BarrierHook hook, Map<String, Object> props) {
        Object layer = props.get(BarrierHook.LAYER);
        Object name = props.get(BarrierHook.NAME);
        int l = layer instanceof Number n ? n.intValue() : layer == null ? 0 : Integer.parseInt(layer.toString());
        String nm = name != null ? name.toString()
                : hook.getClass().getName() + " (service " + props.get(Constants.SERVICE_ID) + ")";
        hooks.add(new ParticipantSession.Hook(hook, l, nm));
    }

    void removeHook(BarrierHook hook) {
        hooks.removeIf(h -> h.hook() == hook);
    }

    @Activate
    void activate(Config config) {
        active = true;
        registry.addListener(programs);
        connector = new Thread(() -> connect(config), "dmtcp-participant-connect");
        connector.setDaemon(true);
        connector.start();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        active = false;
        registry.removeListener(programs);
        giveUpAt = System.nanoTime() + 5_000_000_000L;
        // a program that ended while we were still connecting: let the coordinator see
        // us join and leave (a coordinator started with --exit-on-last waits for that)
        connector.join(5000);
        ParticipantSession s = session;
        if (s != null) {
            s.close();
        }
    }

    private void connect(Config config) {
        String where = config.host() + ":" + config.port();
        UserKey key;
        try {
            key = UserKey.loadOrCreate(config.keyFile().isEmpty() ? UserKey.defaultPath() : Path.of(config.keyFile()));
        } catch (IOException e) {
            giveUp(config, e.getMessage());
            return;
        }
        long deadline = System.nanoTime() + config.connectTimeoutSeconds() * 1_000_000_000L;
        IOException last = null;
        while (System.nanoTime() < Math.min(deadline, giveUpAt)) {
            try {
                LineChannel ch = LineChannel.connect(config.host(), config.port(), 2000);
                ParticipantSession s = new ParticipantSession(ch, () -> List.copyOf(hooks), this, new LoggerReporter(log),
                        Path.of(config.checkpointDir()));
                s.imagePlacement(() -> placement);
                JsonObject hello = Msg.of(Msg.HELLO);
                hello.addProperty("role", config.role());
                List<StageContext.Process> procs = processes();
                hello.addProperty("name", registry.firstName());
                hello.addProperty("host", Hosts.name());
                hello.addProperty("pid", ProcessHandle.current().pid());
                hello.add("procs", ParticipantSession.procsJson(procs));
                if (!config.announce().isEmpty()) {
                    hello.addProperty("announce", config.announce());
                }
                if (config.images().length > 0) {
                    hello.addProperty("images", config.images().length);
                    hello.addProperty("expect", config.images().length);
                    hello.add("uids", Msg.array(List.of(config.restartIds())));
                }
                int id;
                try {
                    id = s.open(key, hello, 10_000);
                } catch (IOException e) {
                    ch.close();
                    throw e;
                }
                session = s;
                log.info("joined coordinator {}:{} as participant {}", config.host(), config.port(), id);
                if (!active) {
                    return; // deactivate closes it
                }
                if (!processes().equals(procs)) {
                    s.updateProcesses(); // one started or ended while we said hello
                }
                return;
            } catch (ParticipantSession.Refused e) {
                log.warn("the coordinator refused this participant: {}", e.getMessage());
                registry.giveUp("the coordinator refused: " + e.getMessage() + "; nothing was restarted");
                return;
            } catch (Handshake.NotProven e) {
                giveUp(config, where + " " + e.getMessage());
                return;
            } catch (Handshake.Refused e) {
                if (!e.retry()) {
                    giveUp(config, "the coordinator at " + where + " " + e.getMessage());
                    return;
                }
                last = e;
                if (!pause()) {
                    return;
                }
            } catch (IOException e) {
                last = e;
                if (!pause()) {
                    return;
                }
            }
        }
        if (active) {
            log.error("cannot reach the coordinator at {}:{}: {}; the program runs on without checkpoints",
                    config.host(), config.port(), last == null ? "gave up" : last.getMessage());
        }
    }

    /** Before the next attempt to connect; false when interrupted (the component is going). */
    private static boolean pause() {
        try {
            Thread.sleep(200);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /**
     * No checkpoints for this participant (the key cannot be read, or the coordinator is not
     * this user's or refused this user): says so once; a launched program runs on, a
     * restarter restores nothing.
     */
    private void giveUp(Config config, String why) {
        boolean restart = Msg.ROLE_RESTART.equals(config.role());
        log.error("{}; {}", why, restart ? "nothing was restarted" : "the program runs on without checkpoints");
        registry.giveUp(why + (restart ? "; nothing was restarted" : ""));
    }

    /** Programs that start (spawned, or restored and released) or end after we joined: tell the coordinator. */
    private final ProcessRegistry.Listener programs = new ProcessRegistry.Listener() {
        @Override
        public void started(StageContext.Process p) {
            ParticipantSession s = session;
            if (s != null) {
                s.updateProcesses();
            }
        }

        @Override
        public void ended(StageContext.Process p, String status) {
            ParticipantSession s = session;
            if (s != null) {
                log.info("{}[{}] ended: {}", p.name(), p.pid(), status);
                s.updateProcesses();
            }
        }
    };

    @Override
    public List<StageContext.Process> processes() {
        return registry.processes();
    }

    @Override
    public List<RestoredProcess> restored() {
        return registry.restored();
    }

    /**
     * Kills every process of the computation on this side: the programs, their children and
     * descendants, and the orphans this launcher adopted (see {@link ProcessRegistry#killAll}).
     */
    @Override
    public void kill() {
        log.info("coordinator asked to kill the computation");
        log.info("killed {}", registry.killAll());
    }

    @Override
    public void disconnected() {
        if (active) {
            log.warn("lost the coordinator; the program runs on without checkpoints");
        }
    }
}
