package dmtcp.fd.files;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dmtcp.ckpt.process.internal.FdTable;
import dmtcp.ckpt.process.spi.FdHandler.SavedFd;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.UnsupportedFdException;
import java.util.List;
import org.junit.Test;

/**
 * Which handler claims which fd, and the dispatcher's refusal of what none claims, from what
 * /proc would show (no process needed); the standard-stream rule of terminals above fd 2.
 */
public class ClassifyTest {
    private static FdInfo fd(int n, String target, int flags, int mode) {
        return new FdInfo(1, n, target, flags, 0, mode, 0, List.of());
    }

    private static String kind(int n, String target, int flags, int mode) throws Exception {
        FdInfo f = fd(n, target, flags, mode);
        String k = FilesHandler.kindOf(f);
        if (k == null && new StandardStreams().claims(f, null)) {
            return StandardStreams.STDIO;
        }
        return k;
    }

    private static String refusal(int n, String target, int mode) throws Exception {
        FdTable t = new FdTable(List.of(new FilesHandler(), new StandardStreams()));
        try {
            t.claim(List.of(fd(n, target, 0, mode)));
        } catch (UnsupportedFdException e) {
            assertEquals(n, e.fd());
            return e.getMessage();
        }
        throw new AssertionError(target + " on fd " + n + " was accepted");
    }

    @Test
    public void classifiesFileDescriptors() throws Exception {
        assertEquals("file", kind(3, "/tmp/x", 02, 0100644));
        assertEquals("dir", kind(3, "/tmp", 0200000, 0040755));
        assertEquals("device", kind(3, "/dev/urandom", 0, 0020666));
        assertEquals("terminal", kind(0, "/dev/pts/3", 02, 0020620));
        assertEquals("terminal", kind(7, "/dev/tty", 02, 0020666));
        assertEquals("deleted", kind(4, "/tmp/v (deleted)", 02, 0100600));
        assertTrue(fd(4, "/tmp/x", 02000002, 0100644).cloexec());
        // the standard streams become the restarter's, whatever they were
        assertEquals("stdio", kind(1, "pipe:[12]", 01, 0));
        assertEquals("stdio", kind(2, "socket:[12]", 02, 0));
        assertEquals("stdio", kind(0, "/dev/sda", 0, 0060660));
        assertEquals("fd 5 is a socket (socket:[12345]): not supported yet; checkpoint refused, the program runs on",
                refusal(5, "socket:[12345]", 0));
        assertTrue(refusal(3, "pipe:[1]", 0).startsWith("fd 3 is a pipe (pipe:[1])"));
        assertTrue(refusal(3, "anon_inode:[eventpoll]", 0).startsWith("fd 3 is an epoll instance"));
        assertTrue(refusal(3, "anon_inode:[signalfd]", 0).startsWith("fd 3 is a signalfd"));
        assertTrue(refusal(3, "anon_inode:[timerfd]", 0).startsWith("fd 3 is a timerfd"));
        assertTrue(refusal(3, "anon_inode:inotify", 0).startsWith("fd 3 is an inotify instance"));
        assertTrue(refusal(3, "/memfd:x (deleted)", 0100777).startsWith("fd 3 is a memfd"));
        assertTrue(refusal(3, "/tmp/fifo", 0010644).startsWith("fd 3 is a FIFO"));
        assertTrue(refusal(3, "/dev/sda", 0060660).startsWith("fd 3 is a block device"));
        assertTrue(refusal(3, "/dev/ptmx", 0020666).startsWith("fd 3 is a character device"));
        assertTrue(refusal(3, "/dev/pts/ptmx", 0020666).startsWith("fd 3 is a character device"));
        assertTrue(refusal(3, "/tmp/gone-dir (deleted)", 0040755).startsWith("fd 3 is a deleted directory"));
    }

    @Test
    public void terminalsAboveTwoTakeAStandardStreamByAccessMode() {
        assertEquals(1, StandardStreams.restarterFdFor(new SavedFd(1, "terminal", 1, 02, false, null)));
        assertEquals(0, StandardStreams.restarterFdFor(new SavedFd(5, "terminal", 1, 0, false, null)));
        assertEquals(1, StandardStreams.restarterFdFor(new SavedFd(5, "terminal", 1, 01, false, null)));
        assertEquals(2, StandardStreams.restarterFdFor(new SavedFd(5, "terminal", 1, 02, false, null)));
    }

    @Test
    public void deletedFilesAboveWhatAnImageHoldsAreRefusedBeforeTheDump() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("big", ".del");
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(FilesHandler.MAX_DELETED_BYTES / 2 + 1); // sparse: its size is what counts
            java.nio.file.Files.delete(f);
            int self = (int) ProcessHandle.current().pid();
            List<FdInfo> fds = new java.util.ArrayList<>();
            try (var l = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
                for (java.nio.file.Path p : l.toList()) {
                    try {
                        if (java.nio.file.Files.readSymbolicLink(p).toString().equals(f + " (deleted)")) {
                            int n = Integer.parseInt(p.getFileName().toString());
                            fds.add(new FdInfo(self, n, f + " (deleted)", 02, 0, 0100600, 0, List.of()));
                        }
                    } catch (java.io.IOException e) {
                        // an fd closed meanwhile
                    }
                }
            }
            assertEquals(1, fds.size());
            new FdTable(List.of(new FilesHandler())).claim(fds); // half the cap: saved
            FdInfo again = fds.get(0);
            try {
                // two such files in one process: the second is refused, naming it
                new FdTable(List.of(new FilesHandler())).claim(List.of(again, new FdInfo(self, again.fd(), again.target(), 02, 0, 0100600, 0,
                        List.of())));
                throw new AssertionError("deleted files beyond the cap were accepted");
            } catch (UnsupportedFdException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("MiB that are saved of a process's deleted files"));
            }
        }
    }
}
