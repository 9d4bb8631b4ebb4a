/**
 * File descriptors: per-type dump/restore services, socket drain and refill, and fd
 * leader election. Empty until the issues that fill it land; it registers no hooks, so
 * it takes no part in rounds yet.
 */
package dmtcp.fd.sockets;
