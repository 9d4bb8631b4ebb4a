/**
 * The records of an image's schema as their writers and readers see them: named, typed
 * fields written one by one ({@link RecordWriter}) and read back the same way ({@link
 * RecordReader}), never a rendering of Java classes by reflection, so that renaming a field
 * in the code never changes the file format silently.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dmtcp.image.format.schema;
