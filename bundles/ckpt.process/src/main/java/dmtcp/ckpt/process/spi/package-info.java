/**
 * The resource-handler SPI: a {@link dmtcp.ckpt.process.spi.FdHandler} registered as an OSGi
 * service saves the file descriptors of a kind into its own record of the process image and
 * re-creates them at restart. See doc/plugin-sdk.md.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dmtcp.ckpt.process.spi;
