package dmtcp.core.barrier.internal;

import dmtcp.core.barrier.api.Coordinator;
import dmtcp.core.barrier.api.RoundResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * dmtcp_coordinator's interactive console on stdin: DMTCP's keys h c l s k q (and
 * {@code i N}); any other line is run as a Gogo shell command. Configuration
 * {@value #PID} turns it on (not with --daemon). End of input leaves the coordinator
 * running, as DMTCP's does.
 */
@Component(configurationPid = CoordinatorConsole.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
public class CoordinatorConsole {
    static final String PID = "dmtcp.console";

    @Reference
    private Coordinator coordinator;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile CommandProcessor gogo;

    private volatile boolean running;
    private final PrintStream out = System.out;

    @Activate
    void activate() {
        running = true;
        Thread t = new Thread(this::loop, "dmtcp-console");
        t.setDaemon(true);
        t.start();
    }

    @Deactivate
    void deactivate() {
        running = false;
    }

    private void loop() {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset()));
        CommandSession session = null;
        try {
            String line;
            while (running && (line = in.readLine()) != null) {
                String cmd = line.trim();
                if (cmd.isEmpty()) {
                    continue;
                }
                try {
                    if (!key(cmd)) {
                        session = gogo(session, cmd);
                    }
                } catch (RuntimeException e) {
                    out.println("error: " + e.getMessage());
                }
                out.flush();
            }
        } catch (java.io.IOException e) {
            // stdin closed: keep coordinating
        }
    }

    private boolean key(String cmd) {
        switch (cmd) {
            case "h", "?" -> out.println(Reports.help());
            case "c" -> {
                out.println("checkpointing...");
                coordinator.checkpoint().thenAccept(this::report);
            }
            case "l" -> out.println(Reports.list(coordinator.list()));
            case "s" -> out.println(Reports.status(coordinator.status()));
            case "k" -> out.println("killing " + coordinator.kill() + " participant(s)");
            case "q" -> {
                out.println("killing the computation and quitting");
                coordinator.quit();
            }
            default -> {
                if (cmd.startsWith("i ") || cmd.equals("i")) {
                    String v = cmd.substring(1).trim();
                    try {
                        int s = Integer.parseInt(v);
                        coordinator.setInterval(s);
                        out.println("checkpoint interval set to " + (s == 0 ? "off" : s + " s"));
                    } catch (NumberFormatException e) {
                        out.println("usage: i SECONDS (0 = off)");
                    }
                    return true;
                }
                return false;
            }
        }
        return true;
    }

    private void report(RoundResult r) {
        out.println(r.ok() ? r.message() : "checkpoint FAILED: " + r.message());
        out.flush();
    }

    private CommandSession gogo(CommandSession session, String cmd) {
        CommandProcessor p = gogo;
        if (p == null) {
            out.println("unknown command '" + cmd + "' (h for help; the Gogo shell is not installed)");
            return session;
        }
        CommandSession s = session != null ? session : p.createSession(System.in, out, System.err);
        try {
            Object result = s.execute(cmd);
            if (result != null) {
                out.println(s.format(result, org.apache.felix.service.command.Converter.INSPECT));
            }
        } catch (Exception e) {
            out.println("error: " + e.getMessage());
        }
        return s;
    }
}
