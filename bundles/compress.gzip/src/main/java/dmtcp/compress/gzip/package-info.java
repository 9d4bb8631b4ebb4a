/**
 * The gzip stream codec: a DS component registering
 * {@link dmtcp.image.format.spi.StreamCodec} with {@code dmtcp.codec=gzip}. Blocks are
 * deflated in parallel and written as concatenated gzip members; incompressible segments are
 * stored (see README.md). All classes are in the private {@code internal} package.
 */
package dmtcp.compress.gzip;
