/**
 * The coordinator's wire protocol (JSON lines over TCP), shared by the coordinator,
 * the participants and the plain dmtcp_command client.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dmtcp.core.barrier.protocol;
