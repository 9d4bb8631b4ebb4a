package dmtcp.example.roundrecord;

import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.ProcessRecordHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.core.barrier.api.Stage;
import dmtcp.core.barrier.spi.BarrierHook;
import dmtcp.core.barrier.spi.StageContext;
import dmtcp.core.barrier.spi.SubBarrier;
import dmtcp.image.format.schema.RecordReader;
import dmtcp.image.format.schema.RecordWriter;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Keeps, in each process image, the round and the wall time of the checkpoint that wrote it,
 * and tells at restart where each process came from:
 * <ul>
 * <li>SUSPENDED ({@link #suspend}): notes the round and which unique id each pid has;
 * <li>CHECKPOINTED, while the process plugin dumps each frozen process ({@link #save}, on the
 *     tracer thread): writes {@code {round, taken, uniqueId}} as this plugin's record;
 * <li>RESTARTING, while the process is rebuilt and held ({@link #restore}, tracer thread): reads
 *     the record back;
 * <li>REFILLED ({@link #refill}): logs "PROGRAM[PID] restored from round N taken at T" and
 *     publishes it under {@code dmtcp.example.roundrecord:UNIQUE-ID};
 * <li>REFILLED, at the global sub-barrier {@code dmtcp.example.roundrecord:PUBLISHED} ({@link
 *     #barriers}): reads it back from the coordinator and logs what it found;
 * <li>RUNNING ({@link #resume}): forgets it.
 * </ul>
 * One DS component registered as both services: the barrier hook knows the round, the record
 * handler is asked for each process.
 */
@Component(
        service = {BarrierHook.class, ProcessRecordHandler.class},
        property = {BarrierHook.LAYER + ":Integer=100", BarrierHook.NAME + "=round-record"})
public class RoundRecord implements BarrierHook, ProcessRecordHandler {
    /** The record's name in the image: this bundle's symbolic name, so no other plugin takes it. */
    static final String NAME = "dmtcp.example.roundrecord";
    /** The prefix of the keys published at REFILLED. */
    static final String KEY = NAME + ":";

    @Reference(service = LoggerFactory.class)
    private Logger log;

    /** Set at SUSPENDED by the stage thread, read at CHECKPOINTED by the tracer thread. */
    private volatile long round = -1;
    private final Map<Integer, String> uniqueIds = new ConcurrentHashMap<>();

    /** What was read back at restart, by new pid: filled on the tracer thread, reported at REFILLED. */
    private final Map<Integer, Restored> restored = new ConcurrentHashMap<>();

    private record Restored(String program, long round, String taken, String uniqueId) {
        String text() {
            return "restored from round " + round + " taken at " + taken;
        }
    }

    // ---- BarrierHook: the stage thread ----

    @Override
    public void suspend(StageContext ctx) {
        round = ctx.round();
        uniqueIds.clear();
        for (StageContext.Process p : ctx.processes()) {
            uniqueIds.put(p.pid(), p.uniqueId());
        }
    }

    @Override
    public void refill(StageContext ctx) {
        restored.forEach((pid, r) -> {
            log.info("{}[{}] {}", r.program(), pid, r.text());
            ctx.publish(KEY + r.uniqueId(), r.program() + " " + r.text());
        });
    }

    /**
     * A global sub-barrier at REFILLED, after every plugin's refill hook: once every participant
     * that has this plugin reached it, whatever any of them published is visible to all.
     */
    @Override
    public List<SubBarrier> barriers() {
        return List.of(SubBarrier.global(NAME + ":PUBLISHED", Stage.REFILLED, ctx ->
                restored.forEach((pid, r) -> log.info("published {}{} = {}", KEY, r.uniqueId(),
                        ctx.query(KEY + r.uniqueId()).orElse("(nothing)")))));
    }

    @Override
    public void resume(StageContext ctx) {
        restored.clear();
    }

    // ---- ProcessRecordHandler: the tracer thread, the process frozen or held ----

    @Override
    public String name() {
        return NAME;
    }

    /** An image without this plugin is restarted all the same, with a warning: nothing of the program depends on it. */
    @Override
    public boolean required() {
        return false;
    }

    @Override
    public boolean save(DumpContext ctx, RecordWriter out) {
        String id = uniqueIds.get(ctx.pid());
        if (round < 0 || id == null) {
            return false; // started after SUSPENDED: not in this round
        }
        out.put("round", round).put("taken", Instant.now().toString()).put("uniqueId", id);
        return true;
    }

    @Override
    public void restore(RecordReader in, int version, RestoreContext ctx) throws IOException {
        if (version > version()) {
            throw new IOException("the image of " + ctx.program() + " holds a " + NAME + " record of version " + version
                    + ", newer than this plugin's " + version());
        }
        restored.put(ctx.process().pid(),
                new Restored(ctx.program(), in.getLong("round"), in.getString("taken"), in.getString("uniqueId")));
    }
}
