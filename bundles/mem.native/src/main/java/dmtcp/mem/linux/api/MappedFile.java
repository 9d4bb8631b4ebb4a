package dmtcp.mem.linux.api;

/**
 * What a checkpoint recorded about the executable and every file mapped executable (the
 * libraries): at restart the same inode is not enough, since a file rewritten in place
 * ({@code cat new > prog}, {@code cp} over it) keeps its inode while its code changed
 * under the saved pages. Size and modification time equal: the same file. Otherwise the
 * build id (or digest) decides: equal, it was only touched; different, it was modified
 * and the restart is refused by name.
 *
 * @param path the file as /proc/PID/maps named it
 * @param inode its inode at checkpoint time
 * @param size its size in bytes
 * @param mtimeNanos its modification time, nanoseconds since the epoch
 * @param buildId the ELF NT_GNU_BUILD_ID note in hex, or null when it has none
 * @param sha256 the SHA-256 of its content in hex when it has no build id, else null
 */
public record MappedFile(String path, long inode, long size, long mtimeNanos, String buildId, String sha256) {

    /** How the file is identified beyond size and time: {@code build id a1b2...} or {@code SHA-256 c3d4...}. */
    public String identity() {
        return buildId != null ? "build id " + buildId : sha256 != null ? "SHA-256 " + sha256 : "no build id";
    }
}
