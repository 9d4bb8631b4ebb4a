package dmtcp.image.format.schema;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import org.junit.Test;

/** Every kind of field written and read back, absent fields, and mistyped ones named by where they are. */
public class JsonRecordsTest {
    @Test
    public void everyKindOfFieldRoundTrips() {
        JsonObject o = new JsonObject();
        RecordWriter w = JsonRecords.writer(o);
        w.put("n", Long.MIN_VALUE).put("b", true).put("s", "ü\n").put("bytes", new byte[] {0, (byte) 0xff})
                .put("longs", new long[] {-1, Long.MAX_VALUE}).put("rows", new long[][] {{1, 2}, {}})
                .putStrings("strings", List.of("a", "")).putByteArrays("blobs", List.of(new byte[] {7}, new byte[0])).list("empty")
                .put("nothing", (String) null).put("noBytes", (byte[]) null).put("noLongs", (long[]) null);
        w.object("o").put("x", 1);
        w.add("l").put("i", 0);
        w.add("l").put("i", 1);
        RecordReader r = JsonRecords.reader(JsonParser.parseString(o.toString()).getAsJsonObject(), "rec");
        assertEquals(Long.MIN_VALUE, r.getLong("n"));
        assertTrue(r.getBoolean("b"));
        assertEquals("ü\n", r.getString("s"));
        assertArrayEquals(new byte[] {0, (byte) 0xff}, r.getBytes("bytes"));
        assertArrayEquals(new long[] {-1, Long.MAX_VALUE}, r.getLongs("longs"));
        assertArrayEquals(new long[][] {{1, 2}, {}}, r.getLongRows("rows"));
        assertEquals(List.of("a", ""), r.getStrings("strings"));
        assertArrayEquals(new byte[] {7}, r.getByteArrays("blobs").get(0));
        assertEquals(0, r.getByteArrays("blobs").get(1).length);
        assertTrue(r.has("empty"));
        assertTrue(r.list("empty").isEmpty());
        assertFalse(r.has("nothing") || r.has("noBytes") || r.has("noLongs"));
        assertNull(r.getLongs("absent"));
        assertNull(r.getLongRows("absent"));
        assertNull(r.getStrings("absent"));
        assertNull(r.getByteArrays("absent"));
        assertEquals(1, r.object("o").getInt("x"));
        assertEquals("rec.o", r.object("o").where());
        assertEquals(1, r.list("l").get(1).getInt("i"));
        assertEquals("rec.l[1]", r.list("l").get(1).where());
    }

    @Test
    public void aMistypedOrMissingFieldIsNamed() {
        RecordReader r = JsonRecords.reader(JsonParser.parseString(
                "{\"s\":\"x\",\"longs\":[1,\"2\"],\"rows\":[[1],3],\"big\":[1e30],\"strings\":[1]}").getAsJsonObject(), "rec");
        assertThrows("rec: field b is missing", () -> r.getBoolean("b"));
        assertThrows("rec: field s is not a boolean", () -> r.getBoolean("s"));
        assertThrows("rec: longs is not a list of numbers", () -> r.getLongs("longs"));
        assertThrows("rec: rows[1] is not a list", () -> r.getLongRows("rows"));
        assertThrows("rec: big[0] is not a 64-bit integer", () -> r.getLongs("big"));
        assertThrows("rec: field s is not a list", () -> r.getStrings("s"));
        assertThrows("rec: strings is not a list of strings", () -> r.getStrings("strings"));
    }

    private static void assertThrows(String message, Runnable r) {
        try {
            r.run();
            fail("accepted: " + message);
        } catch (IllegalArgumentException e) {
            assertEquals(message, e.getMessage());
        }
    }
}
