/**
 * HBICT-style rolling-hash delta images against the previous checkpoint (Bouncy Castle
 * digests). Empty until its issue lands; it registers no services yet.
 */
package dmtcp.compress.delta;
