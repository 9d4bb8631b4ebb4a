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

    /**
     * A copy of the JSON object a reader of {@link #reader} reads: a record shown as it is
     * (dmtcp_inspect shows a handler's record it does not know the fields of).
     *
     * @throws IllegalArgumentException for a reader of another kind
     */
    public static JsonObject json(RecordReader r) {
        if (r instanceof Reader x) {
            return x.o().deepCopy();
        }
        throw new IllegalArgumentException("not a reader of a JSON record: " + r.getClass().getName());
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
        public RecordWriter put(String name, long[] values) {
            if (values != null) {
                o.add(name, numbers(values));
            }
            return this;
        }

        @Override
        public RecordWriter put(String name, long[][] values) {
            if (values != null) {
                JsonArray a = new JsonArray();
                for (long[] row : values) {
                    a.add(numbers(row));
                }
                o.add(name, a);
            }
            return this;
        }

        private static JsonArray numbers(long[] values) {
            JsonArray a = new JsonArray(values.length);
            for (long v : values) {
                a.add(v);
            }
            return a;
        }

        @Override
        public RecordWriter putStrings(String name, List<String> values) {
            if (values != null) {
                JsonArray a = new JsonArray(values.size());
                values.forEach(a::add);
                o.add(name, a);
            }
            return this;
        }

        @Override
        public RecordWriter putByteArrays(String name, List<byte[]> values) {
            if (values != null) {
                JsonArray a = new JsonArray(values.size());
                for (byte[] b : values) {
                    a.add(Base64.getEncoder().encodeToString(b));
                }
                o.add(name, a);
            }
            return this;
        }

        @Override
        public RecordWriter list(String name) {
            if (!(o.has(name) && o.get(name).isJsonArray())) {
                o.add(name, new JsonArray());
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
        public String where() {
            return where;
        }

        @Override
        public boolean getBoolean(String name) {
            JsonPrimitive p = prim(name);
            if (!p.isBoolean()) {
                throw new IllegalArgumentException(where + ": field " + name + " is not a boolean");
            }
            return p.getAsBoolean();
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

        /** The elements of list {@code name}, or null when it is not there. */
        private JsonArray array(String name) {
            if (!present(name)) {
                return null;
            }
            JsonElement e = o.get(name);
            if (!e.isJsonArray()) {
                throw new IllegalArgumentException(where + ": field " + name + " is not a list");
            }
            return e.getAsJsonArray();
        }

        private long[] longs(JsonArray a, String name) {
            long[] out = new long[a.size()];
            for (int i = 0; i < out.length; i++) {
                JsonElement x = a.get(i);
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                    throw new IllegalArgumentException(where + ": " + name + " is not a list of numbers");
                }
                try {
                    out[i] = x.getAsBigDecimal().longValueExact();
                } catch (ArithmeticException e) {
                    throw new IllegalArgumentException(where + ": " + name + "[" + i + "] is not a 64-bit integer");
                }
            }
            return out;
        }

        @Override
        public long[] getLongs(String name) {
            JsonArray a = array(name);
            return a == null ? null : longs(a, name);
        }

        @Override
        public long[][] getLongRows(String name) {
            JsonArray a = array(name);
            if (a == null) {
                return null;
            }
            long[][] out = new long[a.size()][];
            for (int i = 0; i < out.length; i++) {
                if (!a.get(i).isJsonArray()) {
                    throw new IllegalArgumentException(where + ": " + name + "[" + i + "] is not a list");
                }
                out[i] = longs(a.get(i).getAsJsonArray(), name + "[" + i + "]");
            }
            return out;
        }

        @Override
        public List<String> getStrings(String name) {
            JsonArray a = array(name);
            if (a == null) {
                return null;
            }
            List<String> out = new ArrayList<>(a.size());
            for (JsonElement x : a) {
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
                    throw new IllegalArgumentException(where + ": " + name + " is not a list of strings");
                }
                out.add(x.getAsString());
            }
            return out;
        }

        @Override
        public List<byte[]> getByteArrays(String name) {
            List<String> s = getStrings(name);
            if (s == null) {
                return null;
            }
            List<byte[]> out = new ArrayList<>(s.size());
            for (String x : s) {
                try {
                    out.add(Base64.getDecoder().decode(x));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": " + name + " is not a list of base64 strings");
                }
            }
            return out;
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
