/**
 * Java-typed facade over the Linux primitives DMTCP needs, and nothing above them: spawning,
 * waiting and signals ({@link dmtcp.mem.linux.api.Processes}, {@link dmtcp.mem.linux.api.Child},
 * {@link dmtcp.mem.linux.api.ProcessTree}, {@link dmtcp.mem.linux.api.ProcessLock}); the one
 * tracer thread ({@link dmtcp.mem.linux.api.Tracer}); tracee control ({@link
 * dmtcp.mem.linux.api.Freezer}, {@link dmtcp.mem.linux.api.ThreadControl}); remote memory
 * ({@link dmtcp.mem.linux.api.ProcessMemory}); syscall injection ({@link
 * dmtcp.mem.linux.api.Injector}) and scratch memory ({@link dmtcp.mem.linux.api.Scratch}) in a
 * tracee; /proc reading ({@link dmtcp.mem.linux.api.Maps}, {@link dmtcp.mem.linux.api.Pagemap},
 * {@link dmtcp.mem.linux.api.Fds}, {@link dmtcp.mem.linux.api.Rlimits}); pipes and terminals
 * of another process; and the records of a process's core task state. The dump and restore
 * sequences built from these are dmtcp.ckpt.process's. No signature here names a JNA type.
 * Errors are {@link dmtcp.mem.linux.api.NativeException}s naming the call, its arguments and errno.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dmtcp.mem.linux.api;
