/** The gzip codec for code that runs before the OSGi framework starts: {@link dmtcp.compress.gzip.api.Gzip}. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dmtcp.compress.gzip.api;
