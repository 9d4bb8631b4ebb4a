/**
 * What a DMTCP command does before the OSGi framework starts ({@link dmtcp.core.boot.Bootstrap}):
 * JDK types only, so that the launcher, which is no bundle, and the bundle that implements it
 * link to the same interface. The launcher has this package on its class path and the system
 * bundle exports it at {@link dmtcp.core.boot.Bootstrap#EXPORT}; see doc/architecture.md.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dmtcp.core.boot;
