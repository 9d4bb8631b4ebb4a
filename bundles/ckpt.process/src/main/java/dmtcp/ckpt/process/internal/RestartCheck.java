package dmtcp.ckpt.process.internal;

import com.google.gson.JsonObject;
import dmtcp.ckpt.process.api.ProcessImages;
import dmtcp.core.boot.Providers;
import dmtcp.core.boot.Restart;
import dmtcp.image.format.spi.StreamCodec;
import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What dmtcp_restart checks before it starts anything (the launcher calls it before the
 * framework starts, {@link dmtcp.core.boot.Bootstrap#restart}): every image opens and starts
 * with a process description, no process of the computation still runs here, of several
 * images of one process only the newest; then it takes their locks and restores ahead.
 */
final class RestartCheck implements Restart {

    /** The JDK's gzip, enough to read an image's head before the codec bundles run. */
    static final StreamCodec JDK_GZIP = dmtcp.image.format.api.JdkGzip.INSTANCE;

    private final Programs programs;
    private List<Path> images;
    /** The heads read so far, so that no image is opened twice. */
    private final Map<Path, JsonObject> heads = new java.util.HashMap<>();

    RestartCheck(List<Path> images, Programs programs) {
        this.images = List.copyOf(images);
        this.programs = programs;
    }

    private JsonObject info(Path image) throws IOException {
        JsonObject info = heads.get(image);
        if (info == null) {
            info = ProcessImages.checkpointInfo(image, Map.of("gzip", JDK_GZIP));
            heads.put(image, info);
        }
        return info;
    }

    @Override
    public List<Path> images() {
        return images;
    }

    @Override
    public List<String> uniqueIds() throws IOException {
        List<String> ids = new ArrayList<>();
        for (Path i : images) {
            JsonObject info = info(i);
            if (info.has("uniqueId")) {
                ids.add(info.get("uniqueId").getAsString());
            }
        }
        return ids;
    }

    @Override
    public List<String> keepNewest() throws IOException {
        Map<String, Path> best = new java.util.LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (Path i : images) {
            JsonObject info = info(i);
            if (!info.has("uniqueId")) {
                best.put(i.toString(), i);
                continue;
            }
            String id = info.get("uniqueId").getAsString();
            Path other = best.get(id);
            if (i.equals(other)) {
                continue; // named twice
            }
            if (other == null) {
                best.put(id, i);
                continue;
            }
            boolean newer = age(info).compareTo(age(info(other))) > 0;
            Path kept = newer ? i : other;
            Path skipped = newer ? other : i;
            best.put(id, kept);
            notes.add("skipping " + skipped + ": " + kept + " is a newer image of the same process (unique id " + id + ")");
        }
        java.util.Set<Path> keep = new java.util.HashSet<>(best.values());
        images = images.stream().filter(keep::contains).distinct().toList();
        return notes;
    }

    /** When an image was taken: its creation time, then its round (older images may have neither). */
    private static String age(JsonObject info) {
        String created = info.has("created") ? info.get("created").getAsString() : "";
        java.time.Instant t;
        try {
            t = java.time.Instant.parse(created);
        } catch (RuntimeException e) {
            t = java.time.Instant.EPOCH;
        }
        long round = info.has("round") ? info.get("round").getAsLong() : 0;
        return String.format("%020d%09d%020d", t.getEpochSecond(), t.getNano(), round);
    }

    /**
     * Takes the lock of every image's process ({@link dmtcp.mem.linux.api.ProcessLock}) in the
     * user's private folder, held by this JVM while the restored processes live: a second
     * restart of the same process is refused, under whatever coordinator, while this one
     * runs or after this restarter died while its process runs on.
     */
    @Override
    public Optional<String> lock(Path dir) {
        List<String> taken = new ArrayList<>();
        for (Path i : images) {
            try {
                JsonObject info = info(i);
                if (!info.has("uniqueId")) {
                    continue;
                }
                String id = info.get("uniqueId").getAsString();
                String program = info.has("program") ? info.get("program").getAsString() : "?";
                dmtcp.mem.linux.api.ProcessLock.acquire(dir, id, program, "dmtcp_restart");
                taken.add(id);
            } catch (IOException | RuntimeException e) {
                taken.forEach(dmtcp.mem.linux.api.ProcessLock::release);
                return Optional.of(i + ": " + (e instanceof IOException ? "cannot take its restart lock in " + dir + "/locks: " : "")
                        + e.getMessage());
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> refusal() {
        String host = Child.hostName();
        for (Path image : images) {
            JsonObject info;
            try {
                info = info(image);
            } catch (IOException e) {
                return Optional.of(e.getMessage());
            }
            int pid = info.get("pid").getAsInt();
            long start = info.has("startTime") ? info.get("startTime").getAsLong() : -1;
            boolean sameHost = !info.has("host") || host.equals(info.get("host").getAsString());
            if (sameHost && start > 0 && start == Child.startTime(pid)) {
                String name = info.has("program") ? info.get("program").getAsString() : "?";
                return Optional.of(image + ": its process " + name + " (pid " + pid + ") is still running; stop it first "
                        + "(dmtcp_command --kill) or restart on another host");
            }
            if (!Files.isReadable(image)) {
                return Optional.of(image + ": not readable");
            }
        }
        return Optional.empty();
    }

    /**
     * Becomes the child subreaper the restored processes need, expects one program per
     * image, and rebuilds them ahead ({@link EarlyRestore}) with the stream codecs the
     * installed bundles offer before the framework starts.
     */
    @Override
    public void restoreAhead(Providers providers) {
        // children this JVM had before (the shell's plumbing: `dmtcp_restart img > >(cat)`) are no orphans of the programs
        for (dmtcp.mem.linux.api.ProcessTree.Proc before : dmtcp.mem.linux.api.ProcessTree.children((int) ProcessHandle.current().pid())) {
            Processes.helper(before.pid());
        }
        Processes.becomeSubreaper();
        programs.expect(images.size());
        programs.early().begin(images, providers.load(StreamCodec.class));
    }

    @Override
    public void restoreAheadInto(Providers providers, int pid, java.util.function.Consumer<String> exec) {
        if (images.size() != 1) {
            throw new IllegalStateException("one image per process given, not " + images.size());
        }
        programs.expect(1);
        programs.early().begin(images, providers.load(StreamCodec.class), new dmtcp.ckpt.process.internal.task.Stub.Into(pid, exec));
    }
}
