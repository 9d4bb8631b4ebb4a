/**
 * Processes spawned on other hosts through ssh, tracked into the computation. Empty until
 * its issue lands; it registers no services yet.
 */
package dmtcp.ssh.spawn;
