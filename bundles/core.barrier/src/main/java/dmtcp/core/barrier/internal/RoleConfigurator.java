package dmtcp.core.barrier.internal;

import java.io.IOException;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Turns the role the launcher started this framework in (framework property
 * {@code dmtcp.role}, with its {@code dmtcp.*} settings) into the ConfigAdmin
 * configurations that activate the coordinator, its console, or a participant.
 * Without {@code dmtcp.role} (tests, embedding) it does nothing.
 */
@Component(immediate = true)
public class RoleConfigurator {

    @Reference
    private ConfigurationAdmin configAdmin;

    @Activate
    void activate(BundleContext ctx) throws IOException {
        String role = ctx.getProperty("dmtcp.role");
        if (role == null) {
            return;
        }
        switch (role) {
            case "coordinator" -> {
                Hashtable<String, Object> c = new Hashtable<>();
                c.put("bind", prop(ctx, "dmtcp.bind", ""));
                c.put("port", Integer.parseInt(prop(ctx, "dmtcp.port", "7779")));
                c.put("exitOnLast", Boolean.parseBoolean(prop(ctx, "dmtcp.exitOnLast", "false")));
                c.put("interval", Integer.parseInt(prop(ctx, "dmtcp.interval", "0")));
                c.put("checkpointDir", prop(ctx, "dmtcp.checkpointDir", "."));
                c.put("stageTimeoutSeconds", Long.parseLong(prop(ctx, "dmtcp.stageTimeout", "300")));
                c.put("restartCommand", prop(ctx, "dmtcp.restartCommand", "dmtcp_restart"));
                c.put("announcePort", Boolean.parseBoolean(prop(ctx, "dmtcp.announcePort", "false")));
                c.put("portFile", prop(ctx, "dmtcp.portFile", ""));
                c.put("ownerPid", Long.parseLong(prop(ctx, "dmtcp.ownerPid", "0")));
                update(CoordinatorComponent.PID, c);
                if (Boolean.parseBoolean(prop(ctx, "dmtcp.console", "false"))) {
                    update(CoordinatorConsole.PID, new Hashtable<>());
                }
            }
            case "launch", "restart" -> {
                Hashtable<String, Object> c = new Hashtable<>();
                c.put("host", prop(ctx, "dmtcp.host", "localhost"));
                c.put("port", Integer.parseInt(prop(ctx, "dmtcp.port", "7779")));
                c.put("role", role);
                c.put("checkpointDir", prop(ctx, "dmtcp.checkpointDir", "."));
                c.put("announce", prop(ctx, "dmtcp.announce", ""));
                String images = prop(ctx, "dmtcp.images", "");
                if (!images.isEmpty()) {
                    c.put("images", images.split(java.io.File.pathSeparator));
                    c.put("restartIds", prop(ctx, "dmtcp.restartIds", "").split(","));
                }
                update(ParticipantComponent.PID, c);
            }
            default -> throw new IllegalArgumentException("unknown dmtcp.role '" + role + "'");
        }
    }

    private void update(String pid, Hashtable<String, Object> props) throws IOException {
        Configuration c = configAdmin.getConfiguration(pid, "?");
        c.update(props);
    }

    private static String prop(BundleContext ctx, String key, String dflt) {
        String v = ctx.getProperty(key);
        return v == null ? dflt : v;
    }
}
