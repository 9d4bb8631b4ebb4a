/**
 * What plugins implement: {@link dmtcp.core.barrier.spi.BarrierHook} services, found on
 * the OSGi service whiteboard and called at every stage.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dmtcp.core.barrier.spi;
