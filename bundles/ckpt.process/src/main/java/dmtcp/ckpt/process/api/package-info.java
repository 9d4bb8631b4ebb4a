/** Processes to images and back ({@link dmtcp.ckpt.process.api.ProcessImages}). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dmtcp.ckpt.process.api;
