package dmtcp.ckpt.process.api;

import com.google.gson.JsonObject;
import dmtcp.ckpt.process.internal.FdTable;
import dmtcp.ckpt.process.internal.ProcessSchema;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.ProcessRecordHandler;
import dmtcp.image.format.api.ImageException;
import dmtcp.image.format.api.ImageFormat;
import dmtcp.image.format.api.ImageReader;
import dmtcp.image.format.api.ImageWriter;
import dmtcp.image.format.spi.StreamCodec;
import dmtcp.ckpt.process.internal.task.Checkpointer;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Frozen;
import dmtcp.mem.linux.api.MemoryRegion;
import dmtcp.mem.linux.api.MemorySink;
import dmtcp.mem.linux.api.MemorySource;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.ckpt.process.internal.task.Restorer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A process to an image and back: the PROC record (the process description) first, then
 * its saved pages as PAGE records in address order, so a restore reads the image once.
 */
public final class ProcessImages {
    private ProcessImages() {}

    /**
     * Dumps a frozen process into a new image for {@code target}; the image is finished
     * (synced) but not committed: the caller renames it into place, or closes it to discard.
     *
     * @param extra members added to the image's inventory (program, host, ids, ...); those the
     *     PROC record's "checkpoint" holds ({@link ProcessSchema.Checkpoint}) also go there
     */
    public static ImageWriter dump(Frozen frozen, Path target, StreamCodec codec, JsonObject extra, List<FdHandler> handlers)
            throws IOException {
        return dump(frozen, target, codec, extra, handlers, List.of());
    }

    /**
     * As {@link #dump(Frozen, Path, StreamCodec, JsonObject, List)}, with the plugins that keep a
     * record of their own in the image ({@code records}).
     */
    public static ImageWriter dump(Frozen frozen, Path target, StreamCodec codec, JsonObject extra, List<FdHandler> handlers,
            List<ProcessRecordHandler> records) throws IOException {
        return dump(frozen, target, codec, extra, handlers, records, null);
    }

    /** How far a dump is: told the bytes of memory it will save, then each part as it is written. */
    public interface Progress {
        void total(long bytes);

        void written(long bytes);
    }

    /** As {@link #dump(Frozen, Path, StreamCodec, JsonObject, List, List)}, telling {@code progress} (may be null). */
    public static ImageWriter dump(Frozen frozen, Path target, StreamCodec codec, JsonObject extra, List<FdHandler> handlers,
            List<ProcessRecordHandler> records, Progress progress) throws IOException {
        ImageWriter w = ImageWriter.create(target, codec);
        FdTable fds = new FdTable(handlers, records);
        try {
            ProcessState state = Checkpointer.dump(frozen, new MemorySink() {
                @Override
                public void describe(ProcessState s) throws IOException {
                    if (progress != null) {
                        progress.total(s.savedBytes());
                    }
                    w.json(ImageFormat.TAG_PROCESS, ProcessSchema.write(s, fds.records(), fds.pluginRecords(), ProcessSchema.Checkpoint.of(extra)));
                }

                @Override
                public void write(MemoryRegion region, long offset, ByteBuffer data) throws IOException {
                    int n = data.remaining();
                    w.pages(region.start() + offset, data);
                    if (progress != null) {
                        progress.written(n);
                    }
                }
            }, fds);
            JsonObject inv = extra == null ? new JsonObject() : extra.deepCopy();
            inv.addProperty("pid", state.pid());
            inv.addProperty("exe", state.exe());
            inv.addProperty("threads", state.threads().size());
            inv.addProperty("regions", state.regions().size());
            inv.addProperty("savedBytes", state.savedBytes());
            w.finish(inv);
            return w;
        } catch (UncheckedIOException e) {
            w.close();
            throw e.getCause();
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /** Reads only the process description at the head of an image. */
    public static ProcessState describe(Path image, Map<String, StreamCodec> codecs) throws IOException {
        try (ImageReader r = ImageReader.open(image, codecs)) {
            return head(r).state();
        }
    }

    /**
     * What the checkpoint recorded about the process (program, uniqueId, host, pid at
     * checkpoint time, startTime, round, created; those it did not record are left out),
     * from the head of the image.
     */
    public static JsonObject checkpointInfo(Path image, Map<String, StreamCodec> codecs) throws IOException {
        try (ImageReader r = ImageReader.open(image, codecs)) {
            ProcessSchema.ProcessRecord proc = head(r);
            JsonObject info = proc.checkpoint().json();
            info.addProperty("pid", proc.state().pid());
            return info;
        }
    }

    /**
     * Restores the process an image holds, as a new child of this JVM. Every record is
     * checked as it is read, and the whole image (inventory and trailer included) before
     * anything outside the new process is done (see {@link dmtcp.mem.linux.api.MemorySource#end});
     * a bad one stops the restore before the process runs (the half-built process is
     * killed) and names the image and record.
     */
    public static Child restore(Path image, Map<String, StreamCodec> codecs, List<FdHandler> handlers) throws IOException {
        Held h = prepare(image, codecs);
        h.finish(handlers);
        return h.release();
    }

    /**
     * As {@link #restore}, but only the process's memory is rebuilt (no resource handler is
     * needed yet: the runtime may still be starting); it is held stopped until the caller
     * {@linkplain Held#finish finishes} and {@linkplain Held#release() releases} it (or abandons it).
     */
    public static Held prepare(Path image, Map<String, StreamCodec> codecs) throws IOException {
        return prepare(image, codecs, -1, null);
    }

    /**
     * As {@link #prepare(Path, Map)}, in the process {@code pid} of this user (the agent's
     * client): seized while it waits, then told through {@code exec} which executable to
     * exec; {@code pid} &lt; 0: a child of this JVM.
     */
    public static Held prepare(Path image, Map<String, StreamCodec> codecs, int pid, java.util.function.Consumer<String> exec)
            throws IOException {
        dmtcp.ckpt.process.internal.task.Stub.Into into = pid < 0 ? null : new dmtcp.ckpt.process.internal.task.Stub.Into(pid, exec);
        try (ImageReader r = ImageReader.open(image, codecs)) {
            ProcessSchema.ProcessRecord proc = head(r);
            ProcessState state = proc.state();
            String uid = proc.checkpoint().uniqueId();
            FdTable fds = FdTable.of(proc.fds(), proc.records(), state.comm());
            try {
                return new Held(Restorer.prepare(state, new PageSource(r), uid, into), fds, image);
            } catch (UncheckedIOException e) {
                dmtcp.mem.linux.api.ProcessLock.release(uid);
                throw e.getCause();
            } catch (IllegalArgumentException e) {
                dmtcp.mem.linux.api.ProcessLock.release(uid);
                throw new ImageException(r.image() + ": " + e.getMessage() + ": the image is corrupt or crafted", e);
            } catch (RuntimeException e) {
                dmtcp.mem.linux.api.ProcessLock.release(uid);
                throw e;
            }
        }
    }

    /**
     * A process whose memory was rebuilt from an image and which is held stopped: {@link
     * #finish} re-creates its fds (with the resource handlers installed by then), threads and
     * timers; {@link #release()} lets it run; {@link #abandon()} kills it (it never ran).
     */
    public static final class Held {
        private final Restorer.Prepared process;
        private final FdTable saved;
        private final Path image;

        Held(Restorer.Prepared process, FdTable saved, Path image) {
            this.process = process;
            this.saved = saved;
            this.image = image;
        }

        public Child child() {
            return process.child();
        }

        public Path image() {
            return image;
        }

        /**
         * Builds the rest of the process with {@code handlers} (highest service.ranking first).
         * A saved fd of a kind none of them restores, or any other failure, kills the process and throws.
         */
        public void finish(List<FdHandler> handlers) throws IOException {
            finish(handlers, List.of());
        }

        /** As {@link #finish(List)}, the plugins' own records going back to {@code records}. */
        public void finish(List<FdHandler> handlers, List<ProcessRecordHandler> records) throws IOException {
            FdTable t = saved.withHandlers(handlers, records);
            try {
                t.bind();
            } catch (IOException e) {
                abandon();
                throw new ImageException(image + ": " + e.getMessage(), e);
            }
            try {
                process.finish(t);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }

        public Child release() {
            return process.release();
        }

        public void abandon() {
            process.abandon();
        }
    }

    /**
     * The process description at the head of an image, read through the schema: a record that
     * is not there, not JSON, of a schema version this DMTCP does not read, or without a field
     * it must have is refused, naming the image.
     */
    static ProcessSchema.ProcessRecord head(ImageReader r) throws IOException {
        ImageReader.Record rec = r.next();
        if (rec == null || !ImageFormat.TAG_PROCESS.equals(rec.tag())) {
            throw new ImageException(r.image() + ": no process description (PROC record) at its head");
        }
        JsonObject json;
        try {
            json = rec.json();
        } catch (RuntimeException e) {
            throw new ImageException(r.image() + ": the process description is not JSON: " + e.getMessage(), e);
        }
        try {
            return ProcessSchema.read(json);
        } catch (IllegalArgumentException e) {
            throw new ImageException(r.image() + ": the process description (PROC record) cannot be read: " + e.getMessage(), e);
        }
    }

    /** Hands the PAGE records to the restorer in the order they were written. */
    private static final class PageSource implements MemorySource {
        private final ImageReader reader;
        private ByteBuffer current;
        private long currentAddress;

        PageSource(ImageReader reader) {
            this.reader = reader;
        }

        /**
         * Reads the rest of the image (plugin records, the inventory, the trailer), checking
         * each: the restore goes on outside the process only from an image that is whole.
         * Pages the process description did not ask for are a corrupt or crafted image.
         */
        @Override
        public void end() throws IOException {
            if (current != null && current.hasRemaining()) {
                throw new ImageException(reader.image() + ": the pages at 0x" + Long.toHexString(currentAddress)
                        + " are not in the process description");
            }
            for (ImageReader.Record rec; (rec = reader.next()) != null;) {
                if (ImageFormat.TAG_PAGES.equals(rec.tag()) || ImageFormat.TAG_PROCESS.equals(rec.tag())) {
                    throw new ImageException(reader.image() + ": record #" + rec.index() + " (" + rec.tag()
                            + ") follows the last pages the process description lists: the image is corrupt");
                }
            }
        }

        @Override
        public void read(MemoryRegion region, long offset, ByteBuffer dst) throws IOException {
            long want = region.start() + offset;
            while (dst.hasRemaining()) {
                if (current == null || !current.hasRemaining()) {
                    ImageReader.Record rec = reader.next();
                    if (rec == null || !ImageFormat.TAG_PAGES.equals(rec.tag())) {
                        throw new ImageException(reader.image() + ": the pages at 0x" + Long.toHexString(want)
                                + " are missing (found " + (rec == null ? "the end" : rec.tag() + " record #" + rec.index()) + ")");
                    }
                    current = rec.data();
                    currentAddress = rec.address();
                }
                if (currentAddress != want) {
                    throw new ImageException(reader.image() + ": expected the pages at 0x" + Long.toHexString(want)
                            + " but the image holds 0x" + Long.toHexString(currentAddress) + " next");
                }
                int n = Math.min(dst.remaining(), current.remaining());
                ByteBuffer slice = current.duplicate();
                slice.limit(slice.position() + n);
                dst.put(slice);
                current.position(current.position() + n);
                currentAddress += n;
                want += n;
            }
        }
    }
}
