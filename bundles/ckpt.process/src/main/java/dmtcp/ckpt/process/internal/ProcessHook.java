package dmtcp.ckpt.process.internal;

import com.google.gson.JsonObject;
import dmtcp.ckpt.process.api.ProcessImages;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.ProcessRecordHandler;
import dmtcp.core.barrier.spi.BarrierHook;
import dmtcp.core.barrier.spi.StageContext;
import dmtcp.image.format.api.ImageWriter;
import dmtcp.image.format.spi.StreamCodec;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Freezer;
import dmtcp.mem.linux.api.Frozen;
import dmtcp.mem.linux.api.ProcessTree;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The core plugin (layer 0: first on the way down, last on the way up): freezes every
 * process at SUSPENDED, writes one image per process at CHECKPOINTED, lets them run at
 * RUNNING (or when a round is aborted). In a restart round it is the first restart hook: at
 * RESTARTING it rebuilds the processes of the images this restarter was given
 * ({@code dmtcp.images}) and holds them stopped through REFILLED, so every other plugin
 * acts on them before they run; it releases them at RUNNING, or kills them when the round
 * fails.
 */
@Component(property = {BarrierHook.LAYER + ":Integer=0", BarrierHook.NAME + "=process"})
public class ProcessHook implements BarrierHook {

    @Reference(service = LoggerFactory.class)
    private Logger log;

    /** Where restored processes are recorded, and the processes rebuilt ahead are taken from. */
    @Reference
    private Supervisor supervisor;

    private final List<StreamCodec> codecs = new CopyOnWriteArrayList<>();
    private final Map<Integer, Frozen> frozen = new ConcurrentHashMap<>();
    private boolean gzip;
    private List<Path> images = List.of();

    /** The resource handlers, highest service.ranking first (ties: the earliest registered). */
    private final List<Ranked> handlers = new CopyOnWriteArrayList<>();

    private record Ranked(FdHandler handler, int ranking, long id) {}

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addHandler(FdHandler h, Map<String, Object> props) {
        Object r = props.get(org.osgi.framework.Constants.SERVICE_RANKING);
        Object id = props.get(org.osgi.framework.Constants.SERVICE_ID);
        handlers.add(new Ranked(h, r instanceof Integer i ? i : 0, id instanceof Long l ? l : 0));
    }

    void removeHandler(FdHandler h) {
        handlers.removeIf(x -> x.handler() == h);
    }

    private final List<ProcessRecordHandler> records = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addRecordHandler(ProcessRecordHandler h) {
        records.add(h);
    }

    void removeRecordHandler(ProcessRecordHandler h) {
        records.remove(h);
    }

    /** The handlers in the order the dispatcher asks them. */
    List<FdHandler> handlers() {
        List<Ranked> l = new ArrayList<>(handlers);
        l.sort(java.util.Comparator.comparingInt((Ranked x) -> -x.ranking()).thenComparingLong(Ranked::id));
        return l.stream().map(Ranked::handler).toList();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCodec(StreamCodec codec) {
        codecs.add(codec);
    }

    void removeCodec(StreamCodec codec) {
        codecs.remove(codec);
    }

    @Activate
    void activate(BundleContext context) {
        gzip = !"false".equals(context.getProperty("dmtcp.gzip"));
        warmUp();
        String list = context.getProperty("dmtcp.images");
        if (list != null && !list.isEmpty()) {
            images = java.util.Arrays.stream(list.split(File.pathSeparator)).map(Path::of).toList();
        }
    }

    /**
     * Loads, in the background, the classes a checkpoint needs (ptrace engine, image writer,
     * JSON), so the first round does not pay for class loading while the program is frozen.
     */
    private static void warmUp() {
        Thread t = new Thread(() -> {
            try {
                dmtcp.ckpt.process.internal.task.Checkpointer.warmUp();
                for (Class<?> c : new Class<?>[] {dmtcp.image.format.api.ImageWriter.class, ProcessImages.class,
                    dmtcp.image.format.api.ImageReader.class}) {
                    Class.forName(c.getName(), true, c.getClassLoader());
                }
                ProcessSchema.warmUp();
            } catch (ClassNotFoundException | RuntimeException | LinkageError e) {
                // the runtime stopped meanwhile (a program that ended at once): nothing to warm
            }
        }, "dmtcp-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /**
     * Refuses the round before anything is frozen when images cannot be written into the
     * checkpoint folder (naming it and the errno); freezes every process; then refuses it
     * when one of them has a child process, or when this launcher adopted an orphan they left
     * (a checkpoint of a parent alone would restart it without its children: see {@link
     * ProcessTree#refuseOutsiders}). A refusal aborts the round for everyone and the
     * processes are thawed and run on; the previous images stay.
     */
    @Override
    public void suspend(StageContext ctx) throws IOException {
        CheckpointDir.checkWritable(ctx.checkpointDir());
        List<Integer> pids = new ArrayList<>();
        for (StageContext.Process p : ctx.processes()) {
            frozen.computeIfAbsent(p.pid(), Freezer::freeze);
            pids.add(p.pid());
        }
        ProcessTree.refuseOutsiders(pids);
    }

    @Override
    public void checkpoint(StageContext ctx) throws IOException {
        StreamCodec codec = codec();
        Path dir = ctx.checkpointDir().toAbsolutePath().normalize();
        for (Path stale : CheckpointDir.removeStale(dir, CheckpointDir.uid())) {
            log.info("removed {}, a temporary image its writer (dead since) left behind", stale);
        }
        long[] bytes = new long[2]; // written, expected: of all this participant's processes
        ProcessImages.Progress progress = new ProcessImages.Progress() {
            @Override
            public void total(long n) {
                bytes[1] += n;
                ctx.progress(bytes[0], bytes[1]);
            }

            @Override
            public void written(long n) {
                bytes[0] += n;
                ctx.progress(bytes[0], bytes[1]);
            }
        };
        for (StageContext.Process p : ctx.processes()) {
            Frozen f = frozen.get(p.pid());
            if (f == null) {
                continue; // started after SUSPENDED: in the next round
            }
            String id = p.uniqueId();
            Path target = ctx.checkpointDir().resolve("ckpt_" + safeName(p.name()) + "_" + id + ".dmtcp");
            JsonObject extra = new JsonObject();
            extra.addProperty("program", p.name());
            extra.addProperty("uniqueId", id);
            extra.addProperty("host", Child.hostName());
            extra.addProperty("startTime", Child.startTime(p.pid()));
            extra.addProperty("round", ctx.round());
            extra.addProperty("created", java.time.Instant.now().toString());
            long t0 = System.nanoTime();
            ImageWriter w;
            try {
                w = ProcessImages.dump(f, target, codec, extra, handlers(), List.copyOf(records), progress);
            } catch (FileSystemException e) {
                throw CheckpointDir.cannotWrite(dir, e);
            }
            ctx.addImage(w.temporary(), target);
            log.info("{}[{}]: image written in {} ms ({} MB raw{})", p.name(), p.pid(),
                    (System.nanoTime() - t0) / 1_000_000, w.rawBytes() >> 20, codec == null ? "" : ", " + codec.name());
        }
    }

    /**
     * Lets the processes run: those frozen at SUSPENDED, and at the end of a restart round
     * the ones {@link #restart} rebuilt (their timers armed only now, so the time they were
     * held does not count). This plugin is the last to resume (layer 0): every other
     * plugin's resume has run while they were still held.
     */
    @Override
    public void resume(StageContext ctx) {
        thaw();
        List<HeldProcess> held = supervisor.programs().takeHeld();
        for (int i = 0; i < held.size(); i++) {
            try {
                supervisor.programs().started(held.get(i).held().release());
            } catch (RuntimeException e) {
                giveUp(held.subList(i + 1, held.size()), e.getMessage());
                throw e;
            }
        }
    }

    /**
     * The round failed: frozen processes run on (the previous checkpoint stays valid); the
     * processes a restart round rebuilt are killed, never having run a step, and the
     * restarter exits saying why.
     */
    @Override
    public void abort(StageContext ctx, String reason) {
        thaw();
        List<HeldProcess> held = supervisor.programs().takeHeld();
        if (!held.isEmpty()) {
            log.warn("killing the processes this restart rebuilt, none of which ran: {}", held);
            giveUp(held, reason + "; nothing was restarted");
        }
    }

    private void thaw() {
        for (Frozen f : frozen.values()) {
            f.thaw();
        }
        frozen.clear();
    }

    /**
     * Rebuilds every process of this restarter's images (or takes the ones dmtcp_restart
     * rebuilt ahead, see {@link EarlyRestore}) and holds them stopped: the first restart
     * hook (layer 0), so that every later restart and refill hook finds them in
     * {@link StageContext#restored()}. They run at RUNNING ({@link #resume}); a bad image
     * stops the restart before any of them ran, and so does any later failure of the round
     * ({@link #abort}).
     */
    @Override
    public void restart(StageContext ctx) throws IOException {
        Map<String, StreamCodec> byName = codecsByName();
        List<HeldProcess> built = new ArrayList<>();
        try {
            for (Path image : images) {
                long t0 = System.nanoTime();
                ProcessImages.Held p = supervisor.programs().early().take(image);
                String how = p == null ? "restored" : "restored ahead, taken";
                if (p == null) {
                    p = ProcessImages.prepare(image, byName);
                }
                built.add(new HeldProcess(p)); // first: a failure to finish it abandons it with the others
                p.finish(handlers(), List.copyOf(records));
                log.info("{} {} from {} in {} ms as pid {}", p.child().name(), how, image,
                        (System.nanoTime() - t0) / 1_000_000, p.child().pid());
            }
        } catch (IOException | RuntimeException e) {
            giveUp(built, e.getMessage());
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            giveUp(built, "interrupted while restoring");
            throw new IOException("interrupted while restoring", e);
        }
        supervisor.programs().hold(built);
    }

    /** Kills what was rebuilt and not yet let run, and tells the restarter why its programs will not come. */
    private void giveUp(List<HeldProcess> held, String why) {
        held.forEach(h -> h.held().abandon());
        supervisor.programs().early().abandonAll();
        supervisor.giveUp(why);
    }

    /** A restart that never reached RUNNING (refused, stopped) kills what was rebuilt, ahead or held. */
    @Deactivate
    void deactivate() {
        supervisor.programs().takeHeld().forEach(h -> h.held().abandon());
        supervisor.programs().early().abandonAll();
    }

    private static String safeName(String name) {
        return name.replaceAll("[^A-Za-z0-9._+-]", "_");
    }

    private StreamCodec codec() throws IOException {
        if (!gzip) {
            return null;
        }
        StreamCodec c = codecsByName().get("gzip");
        if (c == null) {
            throw new IOException("no gzip codec is installed (bundle dmtcp.compress.gzip); use --no-gzip or DMTCP_GZIP=0");
        }
        return c;
    }

    private Map<String, StreamCodec> codecsByName() {
        Map<String, StreamCodec> m = new LinkedHashMap<>();
        for (StreamCodec c : codecs) {
            m.putIfAbsent(c.name(), c);
        }
        return m;
    }
}
