package dmtcp.ckpt.process.internal;

import dmtcp.mem.linux.api.Errno;
import dmtcp.mem.linux.api.FileAccess;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The folder a checkpoint writes its images into: refused by name when images cannot be
 * written there, and cleared of the temporary images that writers which died (a launcher
 * killed during a checkpoint) left behind.
 */
final class CheckpointDir {
    private CheckpointDir() {}

    /**
     * A temporary image as image.format's ImageWriter names it beside its target: {@code
     * .<target>.<writer pid>-<n>.tmp}, the target being one of ours ({@code ckpt_*.dmtcp}).
     * core.barrier gives a replaced image the same kind of name until it has removed it.
     */
    static final Pattern TEMPORARY = Pattern.compile("\\.ckpt_.+\\.dmtcp\\.(\\d+)-\\d+\\.tmp");

    /**
     * Creates {@code dir} if it is missing and checks that this process may create files in
     * it; else an IOException naming the folder and the errno, e.g. {@code cannot write images
     * into /some/dir: Permission denied (EACCES)}.
     */
    static void checkWritable(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(abs);
        } catch (FileSystemException e) {
            throw cannotWrite(abs, e);
        }
        int errno = FileAccess.canCreateIn(abs);
        if (errno != 0) {
            throw new IOException("cannot write images into " + abs + ": " + Errno.describe(errno));
        }
    }

    /**
     * An image write that failed in {@code dir} (a full disk, a quota, a folder made read-only
     * since): the same words as {@link #checkWritable}, with the errno found back from the
     * exception's reason.
     */
    static IOException cannotWrite(Path dir, FileSystemException e) {
        String why;
        if (e instanceof AccessDeniedException) {
            why = Errno.describe(Errno.EACCES);
        } else if (e instanceof NoSuchFileException) {
            why = Errno.describe(Errno.ENOENT);
        } else if (e instanceof java.nio.file.FileAlreadyExistsException) {
            why = Errno.describe(Errno.ENOTDIR); // createDirectories: it is there, but not a directory
        } else {
            int errno = Errno.ofMessage(e.getReason());
            why = errno != 0 ? Errno.describe(errno) : String.valueOf(e.getReason());
        }
        String file = e.getFile() == null || Path.of(e.getFile()).toAbsolutePath().normalize().equals(dir) ? ""
                : " (" + e.getFile() + ")";
        return new IOException("cannot write images into " + dir + ": " + why + file, e);
    }

    /**
     * Removes the temporary images in {@code dir} that writers which are gone left behind:
     * only files named as {@link #TEMPORARY}, regular (not followed through a link), owned
     * by {@code uid}, whose writer pid is not alive. A live pid is left alone when it is a JVM
     * running DMTCP (a writer at work, perhaps another launcher's) or when the process
     * started before the file was last written (it may be the writer); it is taken for a
     * reused pid, the writer dead, only when that process started after it. When unsure,
     * the file stays: leaving it is the safe side.
     *
     * @return the files removed
     */
    static List<Path> removeStale(Path dir, int uid) throws IOException {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> TEMPORARY.matcher(p.getFileName().toString()).matches())) {
            for (Path f : ds) {
                Matcher m = TEMPORARY.matcher(f.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try {
                    if (((Integer) Files.getAttribute(f, "unix:uid", LinkOption.NOFOLLOW_LINKS)) != uid) {
                        continue;
                    }
                    long pid = Long.parseLong(m.group(1));
                    if (writerMayLive(pid, Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS))) {
                        continue;
                    }
                    if (Files.deleteIfExists(f)) {
                        removed.add(f);
                    }
                } catch (NumberFormatException | NoSuchFileException e) {
                    // a pid beyond long, or removed meanwhile: nothing to do
                }
            }
        } catch (NoSuchFileException e) {
            return removed;
        }
        return removed;
    }

    /** Whether the process {@code pid} may be the writer of a file last written at {@code written}. */
    static boolean writerMayLive(long pid, FileTime written) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        ProcessHandle.Info info = h.get().info();
        if (info.commandLine().map(c -> c.contains("java") && c.contains("dmtcp")).orElse(false)) {
            return true;
        }
        Optional<Instant> started = info.startInstant();
        // start times are known to 10 ms and boot time to the second: a second of doubt is the writer's
        return started.isEmpty() || !started.get().isAfter(written.toInstant().plusSeconds(1));
    }

    /** This process's uid (the owner of the temporary images it writes). */
    static int uid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
