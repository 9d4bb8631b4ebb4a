package dmtcp.image.format.schema;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Writes the fields of one record (or of a nested object of one), each under its name, in
 * the order written. Names are the file format: choose them once, never rename them; bump
 * the record's version when their meaning changes.
 */
@ProviderType
public interface RecordWriter {
    RecordWriter put(String name, long value);

    RecordWriter put(String name, boolean value);

    /** A string; null writes nothing (the reader sees the field absent). */
    RecordWriter put(String name, String value);

    /** Bytes (stored as base64 in the JSON of the record); null writes nothing. */
    RecordWriter put(String name, byte[] value);

    /** Numbers (a list of them); null writes nothing. */
    RecordWriter put(String name, long[] values);

    /** Rows of numbers (a list of lists); null writes nothing. */
    RecordWriter put(String name, long[][] values);

    /** Strings (a list of them); null writes nothing. */
    RecordWriter putStrings(String name, java.util.List<String> values);

    /** Byte strings (a list of base64 strings); null writes nothing. */
    RecordWriter putByteArrays(String name, java.util.List<byte[]> values);

    /** A nested object under {@code name}, written through the returned writer. */
    RecordWriter object(String name);

    /** Appends a nested object to the list {@code name} (created by the first call) and returns its writer. */
    RecordWriter add(String name);

    /**
     * Writes the list of objects {@code name}, empty until {@link #add} appends to it (a list
     * written by {@code add} alone is absent while it is empty).
     */
    RecordWriter list(String name);
}
