package dmtcp.image.format.schema;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads the fields of one record (or of a nested object of one) by name. A missing or
 * mistyped field is an {@link dmtcp.image.format.api.ImageException}-worthy error: the getters
 * without a default throw an IllegalArgumentException naming the field, which the reader of
 * the image turns into a message naming the image and the record.
 */
@ProviderType
public interface RecordReader {
    boolean has(String name);

    long getLong(String name);

    long getLong(String name, long absent);

    int getInt(String name);

    int getInt(String name, int absent);

    boolean getBoolean(String name);

    boolean getBoolean(String name, boolean absent);

    String getString(String name);

    /** The string, or {@code absent} when the field is not there. */
    String getString(String name, String absent);

    /** The bytes, or null when the field is not there. */
    byte[] getBytes(String name);

    /** The numbers of list {@code name}, or null when the field is not there. */
    long[] getLongs(String name);

    /** The rows of numbers of list {@code name}, or null when the field is not there. */
    long[][] getLongRows(String name);

    /** The strings of list {@code name}, or null when the field is not there. */
    List<String> getStrings(String name);

    /** The byte strings of list {@code name}, or null when the field is not there. */
    List<byte[]> getByteArrays(String name);

    /** Where this record is, as errors name it (e.g. "process description.threads[1]"). */
    String where();

    /** The nested object, or null when the field is not there. */
    RecordReader object(String name);

    /** The nested objects of list {@code name}, empty when the field is not there. */
    List<RecordReader> list(String name);
}
