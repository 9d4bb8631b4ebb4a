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
