/** The coordinator's public model: stages, round results, the coordinator service. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dmtcp.core.barrier.api;
