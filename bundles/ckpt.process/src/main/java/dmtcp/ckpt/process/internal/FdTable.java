package dmtcp.ckpt.process.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.FdHandler.SavedFd;
import dmtcp.ckpt.process.spi.ProcessRecordHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.ckpt.process.spi.RestorePhase;
import dmtcp.image.format.schema.JsonRecords;
import dmtcp.image.format.schema.RecordReader;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.RemoteProcess;
import dmtcp.ckpt.process.internal.task.ResourceHooks;
import dmtcp.mem.linux.api.UnsupportedFdException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The fd dispatcher: the {@link ResourceHooks} the engine calls for one process, handing each
 * fd to the {@link FdHandler} that claims it (dump) or knows its kind (restore), and keeping
 * the fd records of the process image: a list of {@code {fd, kind, version, flags, cloexec,
 * data}} under "fds" in its PROC record, {@code data} being the handler's own record.
 */
public final class FdTable implements ResourceHooks {
    /** Syscall numbers (x86-64) the dispatcher injects. */
    private static final long SYS_CLOSE = 3, SYS_FCNTL = 72, SYS_DUP3 = 292;
    private static final int F_DUPFD_CLOEXEC = 1030, F_SETFD = 2, FD_CLOEXEC = 1, O_CLOEXEC = 02000000;

    private final List<FdHandler> handlers;
    private final List<ProcessRecordHandler> recordHandlers;
    /** The plugins' own records: written by the last dump, or read from an image. */
    private final JsonArray pluginRecords = new JsonArray();
    private final Map<String, Object> shared = new HashMap<>();

    // dump side
    private List<FdInfo> open = List.of();
    private final Map<Integer, FdHandler> claimed = new LinkedHashMap<>();
    private final JsonArray records = new JsonArray();

    // restore side
    private final List<SavedFd> saved = new ArrayList<>();
    private final Map<SavedFd, FdHandler> owners = new LinkedHashMap<>();
    private String program = "the program";

    /** @param handlers in the order they are asked (highest service.ranking first) */
    public FdTable(List<FdHandler> handlers) {
        this(handlers, List.of());
    }

    /**
     * @param handlers in the order they are asked (highest service.ranking first)
     * @param recordHandlers the plugins that keep a record of their own in each process image
     */
    public FdTable(List<FdHandler> handlers, List<ProcessRecordHandler> recordHandlers) {
        this.handlers = List.copyOf(handlers);
        this.recordHandlers = List.copyOf(recordHandlers);
    }

    /** The plugins' records: of the last dump (the "records" member of the PROC record), or of the image. */
    public JsonArray pluginRecords() {
        return pluginRecords;
    }

    /** The fd records written by the last dump (the "fds" member of the PROC record). */
    public JsonArray records() {
        return records;
    }

    @Override
    public void claim(List<FdInfo> fds) throws IOException {
        open = List.copyOf(fds);
        DumpContext ctx = dumpContext(null);
        for (FdInfo f : fds) {
            FdHandler owner = null;
            for (FdHandler h : handlers) {
                if (h.claims(f, ctx)) {
                    owner = h;
                    break;
                }
            }
            if (owner == null) {
                throw new UnsupportedFdException(f.fd(), FdKinds.describe(f), f.target());
            }
            claimed.put(f.fd(), owner);
        }
    }

    @Override
    public void dump(RemoteProcess process) throws IOException {
        DumpContext ctx = dumpContext(process);
        for (FdInfo f : open) {
            FdHandler h = claimed.get(f.fd());
            JsonObject rec = new JsonObject();
            rec.addProperty("fd", f.fd());
            JsonObject data = new JsonObject();
            String kind = h.dump(f, ctx, JsonRecords.writer(data));
            if (kind == null || !h.kinds().contains(kind)) {
                throw new IllegalStateException(h.getClass().getName() + " saved fd " + f.fd() + " as kind " + kind
                        + ", which is not one of its kinds " + h.kinds());
            }
            rec.addProperty("kind", kind);
            rec.addProperty("version", h.version());
            rec.addProperty("flags", f.flags());
            rec.addProperty("cloexec", f.cloexec());
            rec.add("data", data);
            records.add(rec);
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (ProcessRecordHandler h : recordHandlers) {
            if (!names.add(h.name())) {
                throw new IllegalStateException("two installed plugins keep a process record named " + h.name());
            }
            JsonObject data = new JsonObject();
            if (h.save(ctx, JsonRecords.writer(data))) {
                JsonObject rec = new JsonObject();
                rec.addProperty("name", h.name());
                rec.addProperty("version", h.version());
                rec.addProperty("required", h.required());
                rec.add("data", data);
                pluginRecords.add(rec);
            }
        }
    }

    /**
     * The plugins' records of a PROC record ("records"), checked: each has a name, a version
     * and data; null or absent reads as none.
     *
     * @throws IllegalArgumentException naming the entry that is not a plugin record
     */
    public static JsonArray readPluginRecords(List<RecordReader> records) {
        JsonArray a = new JsonArray();
        for (RecordReader r : records) {
            r.getString("name");
            r.getInt("version");
            if (r.object("data") == null) {
                throw new IllegalArgumentException(r.where() + ": plugin record " + r.getString("name") + " has no data");
            }
            a.add(JsonRecords.json(r));
        }
        return a;
    }

    private DumpContext dumpContext(RemoteProcess process) {
        // while claiming there is no process yet, but there are fds (claims is called for each)
        int pid = process != null ? process.pid() : open.isEmpty() ? 0 : open.get(0).pid();
        return new DumpContext() {
            @Override
            public RemoteProcess process() {
                return process;
            }

            @Override
            public int pid() {
                return pid;
            }

            @Override
            public List<FdInfo> fds() {
                return open;
            }

            @Override
            public <T> T shared(String key, Supplier<T> make) {
                return FdTable.this.shared(key, make);
            }
        };
    }

    @SuppressWarnings("unchecked")
    private <T> T shared(String key, Supplier<T> make) {
        return (T) shared.computeIfAbsent(key, k -> make.get());
    }

    /**
     * The saved fds of a PROC record ("fds"), in fd order; images written before the fd
     * records had a version (their entries are the old FdState: path, offset, mode... beside
     * fd, kind, flags and cloexec) are read as version 0 of their kind, the whole entry being
     * the handler's record.
     *
     * @throws IllegalArgumentException naming the entry that is not an fd record
     */
    public static List<SavedFd> read(List<RecordReader> fds) {
        List<SavedFd> out = new ArrayList<>();
        for (RecordReader r : fds) {
            int fd = r.getInt("fd");
            String kind = r.getString("kind");
            boolean old = !r.has("version");
            RecordReader data = old ? r : r.object("data");
            if (data == null) {
                throw new IllegalArgumentException(r.where() + ": fd " + fd + " (" + kind + "): its record has no data");
            }
            out.add(new SavedFd(fd, kind, old ? 0 : r.getInt("version"), r.getInt("flags"), r.getBoolean("cloexec", false), data));
        }
        out.sort(java.util.Comparator.comparingInt(SavedFd::fd));
        return out;
    }

    /** The fd records of saved fds, as {@link #records()} holds them (a version 0 entry shown whole as its data). */
    public static JsonArray records(List<SavedFd> fds) {
        JsonArray a = new JsonArray();
        for (SavedFd f : fds) {
            JsonObject rec = new JsonObject();
            JsonRecords.writer(rec).put("fd", f.fd()).put("kind", f.kind()).put("version", f.version()).put("flags", f.flags())
                    .put("cloexec", f.cloexec());
            rec.add("data", JsonRecords.json(f.data()));
            a.add(rec);
        }
        return a;
    }

    /** The table of a restore: {@code fds} saved by {@code program}, with no handler yet (see {@link #withHandlers}). */
    public static FdTable of(List<SavedFd> fds, String program) {
        return of(fds, new JsonArray(), program);
    }

    /** As {@link #of(List, String)}, with the plugins' records of the image ({@link #readPluginRecords}). */
    public static FdTable of(List<SavedFd> fds, JsonArray pluginRecords, String program) {
        FdTable t = new FdTable(List.of());
        t.saved.addAll(fds);
        t.pluginRecords.addAll(pluginRecords);
        t.program = program;
        return t;
    }

    /** {@link #load(JsonArray, String)}, and the plugins' records ({@link #readPluginRecords}; null: none). */
    public void load(JsonArray fds, JsonArray plugins, String program) {
        load(fds, program);
        while (!pluginRecords.isEmpty()) {
            pluginRecords.remove(0);
        }
        if (plugins != null) {
            JsonObject holder = new JsonObject();
            holder.add("records", plugins);
            pluginRecords.addAll(readPluginRecords(JsonRecords.reader(holder, "PROC").list("records")));
        }
    }

    /** {@link #read} of a PROC record's "fds" list, kept as this table's saved fds. */
    public void load(JsonArray fds, String program) {
        this.program = program;
        saved.clear();
        owners.clear();
        if (fds == null) {
            return;
        }
        JsonObject holder = new JsonObject();
        holder.add("fds", fds);
        saved.addAll(read(JsonRecords.reader(holder, "PROC").list("fds")));
    }

    /**
     * Whether every saved fd's kind has a handler, and every required plugin record its plugin;
     * else throws naming the first that has none.
     */
    public void bind() throws IOException {
        owners.clear();
        for (JsonElement e : pluginRecords) {
            var r = JsonRecords.reader(e.getAsJsonObject(), "plugin record");
            String name = r.getString("name");
            if (recordHandlers.stream().noneMatch(h -> h.name().equals(name)) && r.getBoolean("required", true)) {
                throw new IOException(program + " was checkpointed with the plugin that keeps the process record \"" + name
                        + "\", which is not installed here (drop its bundle into the plugins folder)");
            }
        }
        for (SavedFd s : saved) {
            FdHandler h = null;
            for (FdHandler c : handlers) {
                if (c.kinds().contains(s.kind())) {
                    h = c;
                    break;
                }
            }
            if (h == null) {
                throw new IOException("fd " + s.fd() + " of " + program + " was saved as kind \"" + s.kind()
                        + "\", which no installed resource handler restores (a plugin bundle missing from this installation?)");
            }
            owners.put(s, h);
        }
    }

    /** The same saved fds, restored by {@code handlers}. */
    public FdTable withHandlers(List<FdHandler> handlers) {
        return withHandlers(handlers, List.of());
    }

    /** The same saved fds and plugin records, restored by these handlers. */
    public FdTable withHandlers(List<FdHandler> handlers, List<ProcessRecordHandler> recordHandlers) {
        FdTable t = new FdTable(handlers, recordHandlers);
        t.saved.addAll(saved);
        t.pluginRecords.addAll(pluginRecords);
        t.program = program;
        return t;
    }

    public List<SavedFd> saved() {
        return List.copyOf(saved);
    }

    private final long[] std = {-1, -1, -1};
    private final String[] stdTargets = new String[3];
    private RemoteProcess restoring;

    /**
     * The fd table of the stub (the restarter's standard streams, inherited) is emptied: its
     * fds 0-2 are kept above every saved fd number for the handlers that make a standard
     * stream or a terminal a dup of the restarter's; then each handler of this phase restores
     * its fds; then those copies are closed.
     */
    @Override
    public void beforeThreads(RemoteProcess p) throws IOException {
        restoring = p;
        if (owners.size() != saved.size()) {
            bind();
        }
        int top = 3;
        for (SavedFd f : saved) {
            top = Math.max(top, f.fd() + 1);
        }
        List<Integer> stubFds = openFds(p.pid());
        for (int i = 0; i < 3; i++) {
            try {
                stdTargets[i] = Files.readSymbolicLink(Path.of("/proc", Integer.toString(p.pid()), "fd", Integer.toString(i))).toString();
            } catch (IOException e) {
                stdTargets[i] = null; // closed in the restarter
            }
            if (stubFds.contains(i)) {
                std[i] = p.check("fcntl(" + i + ", F_DUPFD_CLOEXEC, " + top + ")", SYS_FCNTL, i, F_DUPFD_CLOEXEC, top);
            }
        }
        for (int fd : stubFds) {
            p.syscall(SYS_CLOSE, fd);
        }
        try {
            run(RestorePhase.BEFORE_THREADS, p);
        } finally {
            for (int i = 0; i < 3; i++) {
                if (std[i] >= 0) {
                    p.syscall(SYS_CLOSE, std[i]);
                    std[i] = -1;
                }
            }
        }
    }

    @Override
    public void afterThreads(RemoteProcess p, Map<Integer, Integer> tids) throws IOException {
        run(RestorePhase.AFTER_THREADS, p);
        RestoreContext ctx = restoreContext(p);
        for (JsonElement e : pluginRecords) {
            var r = JsonRecords.reader(e.getAsJsonObject(), "plugin record");
            String name = r.getString("name");
            ProcessRecordHandler h = recordHandlers.stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
            if (h == null) {
                System.err.println("dmtcp restore: " + program + ": the optional process record \"" + name
                        + "\" is skipped: its plugin is not installed");
                continue;
            }
            h.restore(r.object("data"), r.getInt("version"), ctx);
        }
    }

    @Override
    public void release(RemoteProcess p) throws IOException {
        RestoreContext ctx = restoreContext(p);
        for (SavedFd s : saved) {
            owners.get(s).release(s, ctx);
        }
    }

    private void run(RestorePhase phase, RemoteProcess p) throws IOException {
        RestoreContext ctx = restoreContext(p);
        for (SavedFd s : saved) {
            FdHandler h = owners.get(s);
            if (h.phase(s) == phase) {
                h.restore(s, ctx);
            }
        }
    }

    private RestoreContext restoreContext(RemoteProcess p) {
        return new RestoreContext() {
            @Override
            public RemoteProcess process() {
                return p;
            }

            @Override
            public List<SavedFd> fds() {
                return List.copyOf(saved);
            }

            @Override
            public int restarterStream(int n) {
                return (int) std[n];
            }

            @Override
            public String restarterTarget(int n) {
                return stdTargets[n];
            }

            @Override
            public void install(long fd, SavedFd s) {
                String what = "restore of fd " + s.fd() + " (" + s.kind() + ")";
                if (fd == s.fd()) {
                    p.check(what + ": fcntl(F_SETFD)", SYS_FCNTL, fd, F_SETFD, s.cloexec() ? FD_CLOEXEC : 0);
                } else {
                    p.check(what + ": dup3", SYS_DUP3, fd, s.fd(), s.cloexec() ? O_CLOEXEC : 0);
                    p.check(what + ": close", SYS_CLOSE, fd);
                }
            }

            @Override
            public <T> T shared(String key, Supplier<T> make) {
                return FdTable.this.shared(key, make);
            }

            @Override
            public String program() {
                return program;
            }
        };
    }

    /** The open fd numbers of a process, as this JVM sees them in /proc/PID/fd. */
    private static List<Integer> openFds(int pid) throws IOException {
        List<Integer> l = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc", Integer.toString(pid), "fd"))) {
            s.forEach(x -> l.add(Integer.parseInt(x.getFileName().toString())));
        }
        l.sort(null);
        return l;
    }
}
