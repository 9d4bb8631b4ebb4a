package dmtcp.ckpt.process.api;

import com.google.gson.JsonObject;
import dmtcp.image.format.spi.StreamCodec;
import dmtcp.mem.linux.api.Child;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What dmtcp_restart checks before it starts anything (called by the launcher before the
 * framework starts, so plain types only): every image opens and starts with a process
 * description, and no process of the computation still runs here.
 */
public final class RestartCheck {
    private RestartCheck() {}

    /** The JDK's gzip, enough to read an image's head before the codec bundles run. */
    static final StreamCodec JDK_GZIP = dmtcp.image.format.api.JdkGzip.INSTANCE;

    /** The heads {@link #check} read, so that {@link #uniqueIds} does not open the images again. */
    private static final Map<String, JsonObject> HEADS = new java.util.concurrent.ConcurrentHashMap<>();

    private static JsonObject info(String image) throws IOException {
        JsonObject info = HEADS.get(image);
        if (info == null) {
            info = ProcessImages.checkpointInfo(Path.of(image), Map.of("gzip", JDK_GZIP));
            HEADS.put(image, info);
        }
        return info;
    }

    /** The unique ids of the processes the images hold (the coordinator refuses them while they run). */
    public static String uniqueIds(String[] images) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String i : images) {
            JsonObject info = info(i);
            if (info.has("uniqueId")) {
                b.append(b.length() == 0 ? "" : ",").append(info.get("uniqueId").getAsString());
            }
        }
        return b.toString();
    }

    /**
     * Of several images of one process (the same unique id: an image left under the
     * program's earlier name after an exec, or a copy), only the newest is restored: by
     * the checkpoint's creation time, then its round. Restoring both would run two copies
     * of one process.
     *
     * @return {kept images in the given order, one line per image skipped}
     */
    public static String[][] newest(String[] images) throws IOException {
        Map<String, String> best = new java.util.LinkedHashMap<>();
        java.util.List<String> notes = new java.util.ArrayList<>();
        for (String i : images) {
            JsonObject info = info(i);
            if (!info.has("uniqueId")) {
                best.put(i, i);
                continue;
            }
            String id = info.get("uniqueId").getAsString();
            String other = best.get(id);
            if (i.equals(other)) {
                continue; // named twice
            }
            if (other == null) {
                best.put(id, i);
                continue;
            }
            boolean newer = age(info).compareTo(age(info(other))) > 0;
            String kept = newer ? i : other;
            String skipped = newer ? other : i;
            best.put(id, kept);
            notes.add("skipping " + skipped + ": " + kept + " is a newer image of the same process (unique id " + id + ")");
        }
        java.util.Set<String> keep = new java.util.HashSet<>(best.values());
        String[] kept = java.util.Arrays.stream(images).filter(keep::contains).distinct().toArray(String[]::new);
        return new String[][] {kept, notes.toArray(new String[0])};
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
     *
     * @param dir the user's private folder
     * @return null when every lock was taken, else one line naming the process that already
     *     runs (and no lock is kept)
     */
    public static String lock(String[] images, String dir) {
        java.util.List<String> taken = new java.util.ArrayList<>();
        for (String i : images) {
            try {
                JsonObject info = info(i);
                if (!info.has("uniqueId")) {
                    continue;
                }
                String id = info.get("uniqueId").getAsString();
                String program = info.has("program") ? info.get("program").getAsString() : "?";
                dmtcp.mem.linux.api.ProcessLock.acquire(Path.of(dir), id, program, "dmtcp_restart");
                taken.add(id);
            } catch (IOException | RuntimeException e) {
                taken.forEach(dmtcp.mem.linux.api.ProcessLock::release);
                return i + ": " + (e instanceof IOException ? "cannot take its restart lock in " + dir + "/locks: " : "")
                        + e.getMessage();
            }
        }
        return null;
    }

    /**
     * @return null when every image may be restarted, else one line saying which may not and why
     */
    public static String check(String[] images) {
        String host = Child.hostName();
        for (String i : images) {
            Path image = Path.of(i);
            JsonObject info;
            try {
                info = info(i);
            } catch (IOException e) {
                return e.getMessage();
            }
            int pid = info.get("pid").getAsInt();
            long start = info.has("startTime") ? info.get("startTime").getAsLong() : -1;
            boolean sameHost = !info.has("host") || host.equals(info.get("host").getAsString());
            if (sameHost && start > 0 && start == Child.startTime(pid)) {
                String name = info.has("program") ? info.get("program").getAsString() : "?";
                return image + ": its process " + name + " (pid " + pid + ") is still running; stop it first "
                        + "(dmtcp_command --kill) or restart on another host";
            }
            if (!Files.isReadable(image)) {
                return image + ": not readable";
            }
        }
        return null;
    }
}
