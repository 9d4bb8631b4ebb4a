package dmtcp.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import com.google.gson.JsonObject;
import dmtcp.ckpt.process.api.ProcessImages;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.core.barrier.api.Coordinator;
import dmtcp.core.barrier.spi.BarrierHook;
import dmtcp.core.barrier.spi.ProcessRegistry;
import dmtcp.core.barrier.spi.RestoredProcess;
import dmtcp.core.barrier.spi.StageContext;
import dmtcp.image.format.api.ImageWriter;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Freezer;
import dmtcp.mem.linux.api.Frozen;
import dmtcp.mem.linux.api.Processes;
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
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A restart round with the real process plugin (ckpt.process), its supervisor and the fd
 * handlers of fd.files: a C
 * program compiled here is checkpointed into an image and killed, a restarter participant
 * restores it, and a plugin from the probe (layer 10) looks at it from every hook. The
 * restored process must exist, held stopped, for every restart and refill hook (and for
 * every resume but the process plugin's, which runs last), run only from RUNNING on, and be
 * killed without running a step when the round fails.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HeldRestoreIT {

    private static final String TICKER = """
            #include <stdio.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
              for (long t = 0;; t++) {
                FILE *f = fopen(argv[1], "a");
                fprintf(f, "tick %ld\\n", t);
                fclose(f);
                usleep(20000);
              }
            }
            """;

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    private Path work;
    private Path ticks;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private ServiceTracker<Coordinator, Coordinator> coordinators;
    private Coordinator coordinator;
    private org.osgi.service.cm.Configuration coordinatorConfig;
    private org.osgi.service.cm.Configuration participantConfig;

    @Configuration
    public Option[] config() throws IOException {
        Path workDir = Path.of(System.getProperty("itest.workdir", "target/itest-work")).toAbsolutePath();
        return options(
                BuiltBundles.common(workDir),
                // what dmtcp_restart tells the process plugin: the images it restores
                frameworkProperty("dmtcp.images").value(image(workDir).toString()),
                frameworkProperty("dmtcp.gzip").value("false"),
                junitBundles(),
                BuiltBundles.declarativeServices(),
                bundle(BuiltBundles.jar("log")),
                bundle(BuiltBundles.jar("gson")),
                bundle(BuiltBundles.jar("jna")),
                bundle(BuiltBundles.jar("boot")),
                bundle(BuiltBundles.jar("native")),
                bundle(BuiltBundles.jar("barrier")),
                bundle(BuiltBundles.jar("imageformat")),
                bundle(BuiltBundles.jar("process")),
                bundle(BuiltBundles.jar("files")),
                cleanCaches());
    }

    private static Path image(Path workDir) {
        return workDir.resolve("held").resolve("ckpt_ticker_held-it.dmtcp");
    }

    @Before
    public void checkpointATicker() throws Exception {
        Path workDir = Path.of(System.getProperty("itest.workdir"));
        Files.createDirectories(workDir.resolve("held"));
        work = Files.createTempDirectory(workDir, "held");
        ticks = work.resolve("ticks");
        Path src = work.resolve("ticker.c");
        Files.writeString(src, TICKER);
        Path exe = work.resolve("ticker");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", exe.toString(), src.toString()).inheritIO().start();
        assertEquals("gcc", 0, gcc.waitFor());
        Child c = Processes.spawn(List.of(exe.toString(), ticks.toString()));
        await("the ticker's first ticks", 10, () -> lines(ticks) >= 3);
        JsonObject extra = new JsonObject();
        extra.addProperty("program", "ticker");
        extra.addProperty("uniqueId", "held-it");
        try (Frozen f = Freezer.freeze(c.pid());
                ImageWriter w = ProcessImages.dump(f, image(workDir), null, extra, fdHandlers())) {
            w.commit();
            f.kill();
        }
        c.onExit().get(10, TimeUnit.SECONDS);
        coordinators = new ServiceTracker<>(context, Coordinator.class, null);
        coordinators.open();
    }

    @After
    public void stopComputation() throws Exception {
        ServiceTracker<ProcessRegistry, ProcessRegistry> registries = new ServiceTracker<>(context, ProcessRegistry.class, null);
        registries.open();
        ProcessRegistry registry = registries.waitForService(10_000);
        if (registry != null) {
            registry.killAll();
        }
        registries.close();
        if (participantConfig != null) {
            participantConfig.delete();
            if (coordinator != null) {
                await("the restarter to leave", 10, () -> coordinator.list().isEmpty());
            }
        }
        if (coordinatorConfig != null) {
            coordinatorConfig.delete();
            await("the Coordinator service to go", 10, coordinators::isEmpty);
        }
        coordinators.close();
        handlers.close();
        for (ServiceRegistration<?> r : registrations) {
            r.unregister();
        }
    }

    @Test
    public void everyRestartAndRefillHookSeesTheProcessHeldAndItRunsOnlyAtRunning() throws Exception {
        List<String> journal = Collections.synchronizedList(new ArrayList<>());
        register(new Observer(journal, null));
        int before = lines(ticks);
        restart();
        await("the observer's resume", 30, () -> journal.stream().anyMatch(l -> l.startsWith("resume")));
        assertEquals(journal.toString(), 3, journal.size());
        int pid = -1;
        for (String entry : journal) {
            String[] f = entry.split(" ");
            // stage, restored pid, name, unique id, image, state, ticks, running processes
            assertEquals(entry, "ticker", f[2]);
            assertEquals(entry, "held-it", f[3]);
            assertEquals(entry, image(Path.of(System.getProperty("itest.workdir"))).toString(), f[4]);
            assertEquals(entry + ": held under ptrace, not running", "t", f[5]);
            assertEquals(entry + ": not a tick since the checkpoint", String.valueOf(before), f[6]);
            assertEquals(entry + ": not yet one of the running programs", "[]", f[7]);
            pid = pid < 0 ? Integer.parseInt(f[1]) : pid;
            assertEquals(entry, String.valueOf(pid), f[1]);
        }
        assertEquals(List.of("restart", "refill", "resume"), journal.stream().map(l -> l.split(" ")[0]).toList());
        // released after the last resume (the process plugin's): it ticks on from where it was
        await("the restored ticker to tick", 10, () -> lines(ticks) >= before + 5);
        int restored = pid;
        await("the coordinator to list the restored ticker", 10, () -> procsOf(coordinator).contains(restored));
        List<String> all = Files.readAllLines(ticks);
        assertEquals("tick " + before, all.get(before));
    }

    @Test
    public void aFailedRestartRoundKillsTheHeldProcessBeforeItRan() throws Exception {
        List<String> journal = Collections.synchronizedList(new ArrayList<>());
        register(new Observer(journal, "refill"));
        int before = lines(ticks);
        restart();
        await("the observer's abort", 30, () -> journal.stream().anyMatch(l -> l.startsWith("abort")));
        int pid = Integer.parseInt(journal.get(0).split(" ")[1]);
        assertTrue(journal.toString(), journal.get(1).startsWith("refill " + pid + " ticker held-it "));
        assertTrue(journal.toString(), journal.get(2).contains("boom in refill"));
        await("the held process to be killed", 10, () -> !Files.exists(Path.of("/proc/" + pid)));
        assertEquals("the held process never ran", before, lines(ticks));
        assertTrue(procsOf(coordinator).isEmpty());
        assertFalse(journal.stream().anyMatch(l -> l.startsWith("resume")));
    }

    // ------------------------------------------------------------------ helpers

    /** Starts a coordinator and a restarter of the image; the restart round begins once the restarter has joined. */
    private void restart() throws Exception {
        String keyFile = work.resolve("keys").resolve("key").toString();
        coordinatorConfig = configAdmin.getConfiguration("dmtcp.coordinator", "?");
        coordinatorConfig.update(new Hashtable<>(Map.of("port", 0, "bind", "127.0.0.1", "stageTimeoutSeconds", 20L,
                "checkpointDir", work.toString(), "keyFile", keyFile)));
        coordinator = coordinators.waitForService(10_000);
        assertNotNull(coordinator);
        participantConfig = configAdmin.getConfiguration("dmtcp.participant", "?");
        participantConfig.update(new Hashtable<>(Map.of("host", "127.0.0.1", "port", coordinator.port(),
                "role", "restart", "checkpointDir", work.toString(), "connectTimeoutSeconds", 10, "keyFile", keyFile,
                "images", new String[] {image(Path.of(System.getProperty("itest.workdir"))).toString()},
                "restartIds", new String[] {"held-it"})));
    }

    /** The fd handlers fd.files registers (its standard streams: the ticker holds no other fd between ticks), highest ranking first. */
    private List<FdHandler> fdHandlers() throws Exception {
        handlers = new ServiceTracker<>(context, FdHandler.class, null);
        handlers.open();
        assertNotNull("no FdHandler service (fd.files)", handlers.waitForService(10_000));
        List<org.osgi.framework.ServiceReference<FdHandler>> refs = new ArrayList<>(List.of(handlers.getServiceReferences()));
        refs.sort(Collections.reverseOrder());
        List<FdHandler> out = new ArrayList<>();
        refs.forEach(r -> out.add(handlers.getService(r)));
        return out;
    }

    private ServiceTracker<FdHandler, FdHandler> handlers;

    private void register(BarrierHook hook) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(BarrierHook.LAYER, 10);
        props.put(BarrierHook.NAME, "itest-observer");
        registrations.add(context.registerService(BarrierHook.class, hook, props));
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> procsOf(Coordinator c) {
        List<Integer> pids = new ArrayList<>();
        for (Map<String, Object> row : c.list()) {
            for (Map<String, Object> p : (List<Map<String, Object>>) row.get("procs")) {
                pids.add(((Number) p.get("pid")).intValue());
            }
        }
        return pids;
    }

    private static int lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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

    /**
     * Records, at restart, refill and resume, what it sees of each restored process:
     * {@code stage pid name uniqueId image state ticks runningPids}; throws in {@code failIn}.
     */
    private final class Observer implements BarrierHook {
        private final List<String> journal;
        private final String failIn;

        Observer(List<String> journal, String failIn) {
            this.journal = journal;
            this.failIn = failIn;
        }

        private void look(String stage, StageContext ctx) throws IOException {
            for (RestoredProcess p : ctx.restored()) {
                String status = Files.readString(Path.of("/proc/" + p.pid() + "/status"));
                String state = status.replaceAll("(?s).*\nState:\\s+(\\S+).*", "$1");
                journal.add(stage + " " + p.pid() + " " + p.name() + " " + p.uniqueId() + " " + p.image() + " " + state
                        + " " + lines(ticks) + " " + ctx.processes().stream().map(StageContext.Process::pid).toList()
                        .toString().replace(" ", ""));
            }
            if (ctx.restored().isEmpty()) {
                journal.add(stage + " nothing restored");
            }
            if (stage.equals(failIn)) {
                throw new IllegalStateException("boom in " + stage + " (deliberate test failure)");
            }
        }

        @Override
        public void restart(StageContext ctx) throws IOException {
            look("restart", ctx);
        }

        @Override
        public void refill(StageContext ctx) throws IOException {
            look("refill", ctx);
        }

        @Override
        public void resume(StageContext ctx) throws IOException {
            look("resume", ctx);
        }

        @Override
        public void abort(StageContext ctx, String reason) {
            journal.add("abort " + reason);
        }
    }
}
