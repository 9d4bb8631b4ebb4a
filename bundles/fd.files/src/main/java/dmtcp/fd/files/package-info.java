/**
 * Resource handlers ({@link dmtcp.ckpt.process.spi.FdHandler}) for the fds that are files:
 * regular files and directories (reopened by path at their offset), the harmless devices, files
 * deleted while open (their bytes saved, re-created unlinked), terminals and the standard
 * streams (the restarter's own). Nothing here is exported: the handlers are DS services.
 */
package dmtcp.fd.files;
