/**
 * Java-typed facade over the Linux calls DMTCP needs. Errors are {@link
 * dmtcp.mem.linux.api.NativeException}s naming the call, its arguments and errno.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dmtcp.mem.linux.api;
