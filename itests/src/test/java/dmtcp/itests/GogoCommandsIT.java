package dmtcp.itests;

import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The Gogo commands explain themselves: in a framework with core.barrier, the Gogo runtime
 * and Gogo's own commands, {@code help dmtcp:NAME} prints each command's description (and
 * its parameter's, for {@code interval}), as the coordinator's console shows them.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GogoCommandsIT {

    /** Every dmtcp command, and words its description must hold. */
    private static final Map<String, String> DESCRIBED = Map.of(
            "checkpoint", "checkpoint the whole computation now",
            "list", "list the participants",
            "status", "show the coordinator's status",
            "kill", "kill every process of the computation",
            "quit", "stop the coordinator",
            "interval", "set the automatic checkpoint interval",
            "plugins", "list the plugins");

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        return options(
                BuiltBundles.common(Path.of(System.getProperty("itest.workdir", "target/itest-work"))),
                junitBundles(),
                BuiltBundles.declarativeServices(),
                bundle(BuiltBundles.jar("log")),
                bundle(BuiltBundles.jar("gson")),
                bundle(BuiltBundles.jar("gogo")),
                bundle(BuiltBundles.jar("gogocommand")),
                bundle(BuiltBundles.jar("barrier")),
                cleanCaches());
    }

    @Test
    public void helpExplainsEveryDmtcpCommand() throws Exception {
        for (Map.Entry<String, String> e : DESCRIBED.entrySet()) {
            String help = help("dmtcp:" + e.getKey());
            assertTrue("help dmtcp:" + e.getKey() + " says: " + help, help.contains(e.getValue()));
        }
        String interval = help("dmtcp:interval");
        assertTrue("the parameter of interval is described: " + interval,
                interval.contains("seconds between automatic checkpoints; 0 turns them off"));
    }

    /** What {@code help COMMAND} prints in a session of the framework's Gogo shell. */
    private String help(String command) throws Exception {
        ServiceTracker<CommandProcessor, CommandProcessor> t = new ServiceTracker<>(context, CommandProcessor.class, null);
        t.open();
        try {
            CommandProcessor processor = t.waitForService(10_000);
            assertNotNull("no Gogo CommandProcessor", processor);
            awaitCommand(command);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (CommandSession s = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
                Object r = s.execute("help " + command);
                s.getConsole().flush();
                return out.toString(StandardCharsets.UTF_8) + (r == null ? "" : r);
            }
        } finally {
            t.close();
        }
    }

    /** Waits until SCR registered core.barrier's command component. */
    private void awaitCommand(String command) throws InterruptedException {
        String filter = "(&(osgi.command.scope=dmtcp)(osgi.command.function=" + command.substring(command.indexOf(':') + 1) + "))";
        long deadline = System.nanoTime() + 10_000_000_000L;
        for (;;) {
            try {
                if (context.getServiceReferences((String) null, filter) != null) {
                    return;
                }
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalArgumentException(e);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no service with " + filter);
            }
            Thread.sleep(20);
        }
    }
}
