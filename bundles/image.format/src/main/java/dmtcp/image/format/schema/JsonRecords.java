package dmtcp.image.format.schema;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** {@link RecordWriter} and {@link RecordReader} over the JSON object of a record. */
public final class JsonRecords {
    private JsonRecords() {}

    /** Writes into {@code into}. */
    public static RecordWriter writer(JsonObject into) {
        return new Writer(into);
    }

    /** Reads {@code from}; {@code where} names it in errors (e.g. "fd 3"). */
    public static RecordReader reader(JsonObject from, String where) {
        return new Reader(from, where);
    }

    private record Writer(JsonObject o) implements RecordWriter {
        @Override
        public RecordWriter put(String name, long value) {
            o.addProperty(name, value);
            return this;
        }

        @Override
        public RecordWriter put(String name, boolean value) {
            o.addProperty(name, value);
            return this;
        }

        @Override
        public RecordWriter put(String name, String value) {
            if (value != null) {
                o.addProperty(name, value);
            }
            return this;
        }

        @Override
        public RecordWriter put(String name, byte[] value) {
            if (value != null) {
                o.addProperty(name, Base64.getEncoder().encodeToString(value));
            }
            return this;
        }

        @Override
        public RecordWriter object(String name) {
            JsonObject c = new JsonObject();
            o.add(name, c);
            return new Writer(c);
        }

        @Override
        public RecordWriter add(String name) {
            JsonArray a = o.has(name) && o.get(name).isJsonArray() ? o.getAsJsonArray(name) : new JsonArray();
            o.add(name, a);
            JsonObject c = new JsonObject();
            a.add(c);
            return new Writer(c);
        }
    }

    private record Reader(JsonObject o, String where) implements RecordReader {
        private JsonPrimitive prim(String name) {
            JsonElement e = o.get(name);
            if (e == null || e.isJsonNull()) {
                throw new IllegalArgumentException(where + ": field " + name + " is missing");
            }
            if (!e.isJsonPrimitive()) {
                throw new IllegalArgumentException(where + ": field " + name + " is not a value");
            }
            return e.getAsJsonPrimitive();
        }

        private boolean present(String name) {
            JsonElement e = o.get(name);
            return e != null && !e.isJsonNull();
        }

        @Override
        public boolean has(String name) {
            return present(name);
        }

        @Override
        public long getLong(String name) {
            JsonPrimitive p = prim(name);
            if (!p.isNumber()) {
                throw new IllegalArgumentException(where + ": field " + name + " is not a number");
            }
            try {
                return p.getAsBigDecimal().longValueExact();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(where + ": field " + name + " is not a 64-bit integer");
            }
        }

        @Override
        public long getLong(String name, long absent) {
            return present(name) ? getLong(name) : absent;
        }

        @Override
        public int getInt(String name) {
            long v = getLong(name);
            if (v != (int) v) {
                throw new IllegalArgumentException(where + ": field " + name + " (" + v + ") is out of range");
            }
            return (int) v;
        }

        @Override
        public int getInt(String name, int absent) {
            return present(name) ? getInt(name) : absent;
        }

        @Override
        public boolean getBoolean(String name, boolean absent) {
            if (!present(name)) {
                return absent;
            }
            JsonPrimitive p = prim(name);
            if (!p.isBoolean()) {
                throw new IllegalArgumentException(where + ": field " + name + " is not a boolean");
            }
            return p.getAsBoolean();
        }

        @Override
        public String getString(String name) {
            JsonPrimitive p = prim(name);
            if (!p.isString()) {
                throw new IllegalArgumentException(where + ": field " + name + " is not a string");
            }
            return p.getAsString();
        }

        @Override
        public String getString(String name, String absent) {
            return present(name) ? getString(name) : absent;
        }

        @Override
        public byte[] getBytes(String name) {
            if (!present(name)) {
                return null;
            }
            try {
                return Base64.getDecoder().decode(getString(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": field " + name + " is not base64");
            }
        }

        @Override
        public RecordReader object(String name) {
            if (!present(name)) {
                return null;
            }
            JsonElement e = o.get(name);
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException(where + ": field " + name + " is not an object");
            }
            return new Reader(e.getAsJsonObject(), where + "." + name);
        }

        @Override
        public List<RecordReader> list(String name) {
            List<RecordReader> out = new ArrayList<>();
            if (!present(name)) {
                return out;
            }
            JsonElement e = o.get(name);
            if (!e.isJsonArray()) {
                throw new IllegalArgumentException(where + ": field " + name + " is not a list");
            }
            int i = 0;
            for (JsonElement x : e.getAsJsonArray()) {
                if (!x.isJsonObject()) {
                    throw new IllegalArgumentException(where + ": " + name + "[" + i + "] is not an object");
                }
                out.add(new Reader(x.getAsJsonObject(), where + "." + name + "[" + i + "]"));
                i++;
            }
            return out;
        }
    }
}
