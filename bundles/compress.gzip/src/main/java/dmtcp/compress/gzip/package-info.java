/**
 * The gzip stream codec (Commons Compress), parallel per block. Empty until the image
 * format lands (issue 3); it registers no services yet.
 */
package dmtcp.compress.gzip;
