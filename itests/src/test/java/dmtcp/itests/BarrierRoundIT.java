package dmtcp.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import dmtcp.core.barrier.api.Coordinator;
import dmtcp.core.barrier.api.RoundResult;
import dmtcp.core.barrier.spi.BarrierHook;
import dmtcp.core.barrier.spi.ProcessRegistry;
import dmtcp.itests.plugin.FilePluginHook;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Processes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Boots Felix with the real bundles (SCR, ConfigAdmin, log, JNA, mem.native, core.barrier)
 * and drives real checkpoint rounds: a coordinator and a participant configured through
 * ConfigurationAdmin, a real child process spawned through mem.native that a
 * {@link ProcessRegistry} from the probe speaks for (core.barrier needs no more), and BarrierHook
 * services registered from the probe or from a plugin bundle built and installed at test
 * time. Each test sets up its own computation and tears it down.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BarrierRoundIT {

    /** The hook methods of a checkpoint round, with the stage each runs in. */
    private static final List<String[]> DOWN = List.of(
            new String[] {"suspend", "SUSPENDED"},
            new String[] {"electLeaders", "FD_LEADER_ELECTION"},
            new String[] {"drain", "DRAINED"},
            new String[] {"checkpoint", "CHECKPOINTED"},
            new String[] {"refill", "REFILLED"});
    private static final String[] UP = {"resume", "RUNNING"};

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private Path work;
    private Coordinator coordinator;
    private ServiceTracker<Coordinator, Coordinator> coordinators;
    private org.osgi.service.cm.Configuration coordinatorConfig;
    private org.osgi.service.cm.Configuration participantConfig;
    private Child child;

    @Configuration
    public Option[] config() throws IOException {
        return options(
                BuiltBundles.common(Path.of(System.getProperty("itest.workdir", "target/itest-work"))),
                junitBundles(),
                BuiltBundles.declarativeServices(),
                bundle(BuiltBundles.jar("log")),
                bundle(BuiltBundles.jar("gogo")),
                bundle(BuiltBundles.jar("gson")),
                bundle(BuiltBundles.jar("jna")),
                bundle(BuiltBundles.jar("native")),
                bundle(BuiltBundles.jar("barrier")),
                cleanCaches());
    }

    // ------------------------------------------------------------------ the computation

    @Before
    public void startComputation() throws Exception {
        work = Files.createTempDirectory(Path.of(System.getProperty("itest.workdir")), "round");
        coordinators = new ServiceTracker<>(context, Coordinator.class, null);
        coordinators.open();
        assertTrue("a previous test left a coordinator running", coordinators.isEmpty());

        coordinatorConfig = configAdmin.getConfiguration("dmtcp.coordinator", "?");
        // this test's own key, not the user's (both sides must hold the same one)
        String keyFile = work.resolve("keys").resolve("key").toString();
        coordinatorConfig.update(dict(Map.of(
                "port", 0,
                "bind", "127.0.0.1",
                "stageTimeoutSeconds", 20L,
                "checkpointDir", work.toString(),
                "keyFile", keyFile)));
        coordinator = coordinators.waitForService(10_000);
        assertNotNull("no Coordinator service 10 s after configuring dmtcp.coordinator", coordinator);
        assertTrue("coordinator port", coordinator.port() > 0);

        child = Processes.spawn(List.of("sleep", "60"));
        registrations.add(context.registerService(ProcessRegistry.class, new ChildRegistry(child), null));
        participantConfig = configAdmin.getConfiguration("dmtcp.participant", "?");
        participantConfig.update(dict(Map.of(
                "host", "127.0.0.1",
                "port", coordinator.port(),
                "checkpointDir", work.toString(),
                "connectTimeoutSeconds", 10,
                "keyFile", keyFile)));
        await("the participant to join", 10, () -> coordinator.list().size() == 1);
    }

    @After
    public void stopComputation() throws Exception {
        // participant first, so that it leaves cleanly instead of losing its coordinator
        if (participantConfig != null) {
            participantConfig.delete();
            if (coordinatorConfig != null && coordinator != null) {
                await("the participant to leave", 10, () -> coordinator.list().isEmpty());
            }
        }
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered by the test
            }
        }
        registrations.clear();
        if (coordinatorConfig != null) {
            coordinatorConfig.delete();
            await("the Coordinator service to go", 10, coordinators::isEmpty);
        }
        if (coordinators != null) {
            coordinators.close();
        }
        if (child != null) {
            child.signal(9);
            child.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    public void participantSpeaksForTheSpawnedChild() {
        List<Map<String, Object>> rows = coordinator.list();
        assertEquals(1, rows.size());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> procs = (List<Map<String, Object>>) rows.get(0).get("procs");
        assertEquals("the participant's processes: " + procs, 1, procs.size());
        assertEquals(child.pid(), ((Number) procs.get(0).get("pid")).intValue());
        assertEquals("sleep", procs.get(0).get("name"));
        assertEquals("RUNNING", rows.get(0).get("state"));
    }

    @Test
    public void stagesRunInOrderAndLayersDownThenReverseUp() throws Exception {
        List<String> journal = Collections.synchronizedList(new ArrayList<>());
        // registered high layer first, so that registration order cannot pass for layer order
        register(new RecordingHook("high", journal), 20, "high");
        register(new RecordingHook("low", journal), 10, "low");

        RoundResult result = coordinator.checkpoint().get(30, TimeUnit.SECONDS);
        assertTrue(result.message(), result.ok());
        assertEquals(1, result.round());

        List<String> expected = new ArrayList<>();
        for (String[] step : DOWN) {
            expected.add(RecordingHook.entry("low", step[0], step[1]));
            expected.add(RecordingHook.entry("high", step[0], step[1]));
        }
        expected.add(RecordingHook.entry("high", UP[0], UP[1]));
        expected.add(RecordingHook.entry("low", UP[0], UP[1]));
        assertEquals(expected, List.copyOf(journal));

        // a second round calls every hook exactly once more, in the same order
        journal.clear();
        RoundResult second = coordinator.checkpoint().get(30, TimeUnit.SECONDS);
        assertTrue(second.message(), second.ok());
        assertEquals(2, second.round());
        assertEquals(expected, List.copyOf(journal));
    }

    @Test
    public void pluginBundleInstalledAtRuntimeIsCalledUntilUninstalled() throws Exception {
        Path pluginLog = work.resolve("plugin-calls.log");
        System.setProperty(FilePluginHook.LOG_PROPERTY, pluginLog.toString());
        List<String> journal = Collections.synchronizedList(new ArrayList<>());
        register(new RecordingHook("probe", journal), 0, "probe");

        Bundle plugin = context.installBundle("itest:" + PluginBundles.BSN,
                new ByteArrayInputStream(PluginBundles.filePluginBundle()));
        try {
            plugin.start();
            ServiceReference<BarrierHook> ref = awaitHook(PluginBundles.PLUGIN_NAME);
            assertEquals("the hook is registered by the installed bundle", plugin, ref.getBundle());
            assertEquals(PluginBundles.PLUGIN_LAYER, ref.getProperty(BarrierHook.LAYER));

            RoundResult first = coordinator.checkpoint().get(30, TimeUnit.SECONDS);
            assertTrue(first.message(), first.ok());
            List<String> expected = new ArrayList<>();
            for (String[] step : DOWN) {
                expected.add(first.round() + " " + step[0] + " " + step[1]);
            }
            expected.add(first.round() + " " + UP[0] + " " + UP[1]);
            assertEquals(expected, Files.readAllLines(pluginLog));
        } finally {
            plugin.uninstall();
        }
        await("the plugin's hook to go", 10, () -> hookRefs(PluginBundles.PLUGIN_NAME).isEmpty());

        journal.clear();
        RoundResult second = coordinator.checkpoint().get(30, TimeUnit.SECONDS);
        assertTrue(second.message(), second.ok());
        assertEquals("the round ran the remaining hook", 6, journal.size());
        List<String> lines = Files.readAllLines(pluginLog);
        assertEquals("the uninstalled plugin was called again: " + lines, 6, lines.size());
    }

    @Test
    public void hookThatThrowsInDrainAbortsTheRoundAndOthersStillResume() throws Exception {
        List<String> journal = Collections.synchronizedList(new ArrayList<>());
        register(new RecordingHook("ok", journal), 10, "ok");
        ServiceRegistration<?> failing = register(new RecordingHook("failing", journal, "drain"), 20,
                "itest-failing");

        RoundResult result = coordinator.checkpoint().get(30, TimeUnit.SECONDS);
        assertFalse("the round succeeded although a hook threw: " + result.message(), result.ok());
        assertTrue(result.message(), result.message().contains("itest-failing"));
        assertTrue(result.message(), result.message().contains("DRAINED"));
        assertTrue(result.message(), result.message().contains("boom in drain"));
        assertTrue(result.images().isEmpty());

        // the abort reaches the participant after the result: wait for its resume
        await("the ok hook to resume", 10,
                () -> journal.contains(RecordingHook.entry("ok", "resume", "RUNNING")));
        assertEquals(List.of(
                RecordingHook.entry("ok", "suspend", "SUSPENDED"),
                RecordingHook.entry("failing", "suspend", "SUSPENDED"),
                RecordingHook.entry("ok", "electLeaders", "FD_LEADER_ELECTION"),
                RecordingHook.entry("failing", "electLeaders", "FD_LEADER_ELECTION"),
                RecordingHook.entry("ok", "drain", "DRAINED"),
                RecordingHook.entry("failing", "drain", "DRAINED"),
                // no checkpoint, no refill: the aborted round resumes in reverse layer order
                RecordingHook.entry("failing", "resume", "RUNNING"),
                RecordingHook.entry("ok", "resume", "RUNNING")), List.copyOf(journal));

        // the coordinator recovers: without the failing hook the next round succeeds
        failing.unregister();
        journal.clear();
        RoundResult next = coordinator.checkpoint().get(30, TimeUnit.SECONDS);
        assertTrue(next.message(), next.ok());
        assertEquals(6, journal.size());
    }

    @Test
    public void lostCoordinatorBetweenRoundsDoesNotCallResumeAgain() throws Exception {
        List<String> journal = Collections.synchronizedList(new ArrayList<>());
        register(new RecordingHook("probe", journal), 0, "probe");
        RoundResult result = coordinator.checkpoint().get(30, TimeUnit.SECONDS);
        assertTrue(result.message(), result.ok());
        assertEquals(6, journal.size());
        journal.clear();

        // the participant reports the loss after it has resumed whatever a round had stopped
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        LogListener listener = e -> {
            if (e.getLogLevel() == LogLevel.WARN) {
                warnings.add(e.getMessage());
            }
        };
        ServiceTracker<LogReaderService, LogReaderService> readers =
                new ServiceTracker<>(context, LogReaderService.class, null);
        readers.open();
        LogReaderService reader = readers.waitForService(10_000);
        assertNotNull("no LogReaderService", reader);
        reader.addLogListener(listener);
        try {
            coordinatorConfig.delete();
            coordinatorConfig = null;
            await("the Coordinator service to go", 10, coordinators::isEmpty);
            await("the participant to notice", 10,
                    () -> warnings.stream().anyMatch(w -> w.contains("lost the coordinator")));
        } finally {
            reader.removeLogListener(listener);
            readers.close();
        }
        assertEquals("no round was in progress, so nothing is to be resumed", List.of(), List.copyOf(journal));
    }

    // ------------------------------------------------------------------ helpers

    private ServiceRegistration<BarrierHook> register(BarrierHook hook, int layer, String name) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(BarrierHook.LAYER, layer);
        props.put(BarrierHook.NAME, name);
        ServiceRegistration<BarrierHook> r = context.registerService(BarrierHook.class, hook, props);
        registrations.add(r);
        return r;
    }

    private List<ServiceReference<BarrierHook>> hookRefs(String name) {
        try {
            return new ArrayList<>(context.getServiceReferences(BarrierHook.class,
                    "(" + BarrierHook.NAME + "=" + name + ")"));
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private ServiceReference<BarrierHook> awaitHook(String name) throws InterruptedException {
        await("BarrierHook " + name, 10, () -> !hookRefs(name).isEmpty());
        return hookRefs(name).get(0);
    }

    private static Hashtable<String, Object> dict(Map<String, Object> m) {
        return new Hashtable<>(m);
    }

    private static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
