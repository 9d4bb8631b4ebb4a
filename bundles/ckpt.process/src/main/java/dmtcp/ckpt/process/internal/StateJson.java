package dmtcp.ckpt.process.internal;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import dmtcp.mem.linux.api.ProcessState;
import java.io.IOException;
import java.util.Base64;

/** The process description (mem.native's records) as the JSON of an image's PROC record; byte arrays as base64. */
public final class StateJson {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping()
            .registerTypeAdapter(byte[].class, new TypeAdapter<byte[]>() {
                @Override
                public void write(JsonWriter out, byte[] value) throws IOException {
                    if (value == null) {
                        out.nullValue();
                    } else {
                        out.value(Base64.getEncoder().encodeToString(value));
                    }
                }

                @Override
                public byte[] read(JsonReader in) throws IOException {
                    if (in.peek() == com.google.gson.stream.JsonToken.NULL) {
                        in.nextNull();
                        return null; // FdState.content of every fd but a deleted file
                    }
                    return Base64.getDecoder().decode(in.nextString());
                }
            }).create();

    private StateJson() {}

    /** (null: only loads Gson and its adapters, for a warm-up.) */
    public static JsonObject toJson(ProcessState state) {
        if (state == null) {
            GSON.getAdapter(ProcessState.class);
            return new JsonObject();
        }
        return GSON.toJsonTree(state).getAsJsonObject();
    }

    public static ProcessState fromJson(JsonObject json) {
        return GSON.fromJson(json, ProcessState.class);
    }
}
