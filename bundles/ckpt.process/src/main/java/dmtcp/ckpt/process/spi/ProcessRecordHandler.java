package dmtcp.ckpt.process.spi;

import dmtcp.image.format.schema.RecordReader;
import dmtcp.image.format.schema.RecordWriter;
import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A plugin's own record in each process image: registered as an OSGi service, it is asked at
 * every checkpoint of every process (frozen: after its fds were saved) to write a record, and
 * at restart gets that record back while the rebuilt process is held (every fd and thread
 * exists, nothing has run). The record is stored in the process's PROC record under "records"
 * as {@code {name, version, required, data}}.
 *
 * <p>A restart whose image holds a {@linkplain #required() required} record of a plugin that is
 * not installed stops before the process ever ran, naming the plugin; an optional one is skipped
 * with a warning.
 */
@ConsumerType
public interface ProcessRecordHandler {
    /** The record's name in the image, unique among the installed plugins (e.g. the bundle's symbolic name). */
    String name();

    /** The version of the records written now; {@link #restore} gets the version a record was written with. */
    default int version() {
        return 1;
    }

    /** Whether a restart without this plugin must be refused (default) or may go on without the record. */
    default boolean required() {
        return true;
    }

    /**
     * Writes this plugin's record for the frozen process; returns false to write none for it.
     * Calls may be injected through {@code ctx.process()} but must leave the program as it was.
     */
    boolean save(DumpContext ctx, RecordWriter out) throws IOException;

    /** Reads the record back into the process being rebuilt, held stopped. */
    void restore(RecordReader in, int version, RestoreContext ctx) throws IOException;
}
