/**
 * The resource handler ({@link dmtcp.ckpt.process.spi.FdHandler}) for pipes and FIFOs whose
 * both ends the process holds: each end with its flags and dups, the capacity, and the bytes
 * in flight, read at checkpoint without being taken out and written into the new pipe at
 * restart before the program runs. See doc/pipes.md. Nothing here is exported: the handler
 * is a DS service.
 */
package dmtcp.fd.pipes;
