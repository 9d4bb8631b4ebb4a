/** Writing and reading checkpoint images: {@link dmtcp.image.format.api.ImageWriter}, {@link dmtcp.image.format.api.ImageReader}. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dmtcp.image.format.api;
