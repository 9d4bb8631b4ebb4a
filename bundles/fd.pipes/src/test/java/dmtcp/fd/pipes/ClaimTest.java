package dmtcp.fd.pipes;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dmtcp.ckpt.process.internal.FdTable;
import dmtcp.fd.files.FilesHandler;
import dmtcp.fd.files.StandardStreams;
import dmtcp.image.format.schema.JsonRecords;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.UnsupportedFdException;
import java.io.IOException;
import java.util.List;
import org.junit.Test;

/**
 * Which pipes and FIFOs the handler claims, from what /proc would show (no process needed):
 * both ends here, an O_RDWR FIFO, a one-ended standard stream left to the standard-stream
 * handler, a one-ended pipe or FIFO above fd 2 refused with its reason; the saved packets.
 */
public class ClaimTest {
    private static final int RD = 0, WR = 01, RDWR = 02, FIFO = 0010640;

    private static FdInfo fd(int n, String target, int flags, int mode, long ino) {
        return new FdInfo(1, n, target, flags, 0, mode, ino, List.of());
    }

    private static FdInfo pipe(int n, long id, int flags) {
        return fd(n, "pipe:[" + id + "]", flags, 0010600, id);
    }

    /** The fds the dispatcher with every handler accepts; else the refusal's message. */
    private static String claim(FdInfo... fds) {
        FdTable t = new FdTable(List.of(new PipesHandler(), new FilesHandler(), new StandardStreams()));
        try {
            t.claim(List.of(fds));
            return "accepted";
        } catch (UnsupportedFdException e) {
            return e.getMessage();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    public void bothEndsHereAreClaimedWhicheverFdsTheyAreOn() {
        assertEquals("accepted", claim(pipe(3, 7, RD), pipe(4, 7, WR)));
        assertEquals("accepted", claim(pipe(0, 7, RD), pipe(9, 7, WR | FdInfo.O_CLOEXEC), pipe(12, 7, RD)));
        assertEquals("a FIFO opened O_RDWR holds both ends", "accepted", claim(fd(3, "/tmp/f", RDWR, FIFO, 5)));
        assertEquals("accepted", claim(fd(3, "/tmp/f", RD, FIFO, 5), fd(4, "/tmp/f", WR, FIFO, 5)));
        assertEquals("a deleted FIFO", "accepted", claim(fd(3, "/tmp/f (deleted)", RDWR, FIFO, 5)));
    }

    @Test
    public void aOneEndedStandardStreamIsTheStandardStreamHandlers() throws Exception {
        FdInfo out = pipe(1, 7, WR);
        try {
            new FdTable(List.of(new PipesHandler())).claim(List.of(out));
            fail("claimed");
        } catch (UnsupportedFdException e) {
            assertEquals("not claimed, and not refused by the pipe handler either",
                    "fd 1 is a pipe (pipe:[7]): not supported yet; checkpoint refused, the program runs on", e.getMessage());
        }
        assertEquals("a shell pipeline's end: the restarter's", "accepted", claim(pipe(0, 6, RD), out, fd(2, "/tmp/f", WR, FIFO, 5)));
    }

    @Test
    public void aOneEndedPipeOrFifoAboveFd2IsRefusedWithItsReason() throws Exception {
        assertEquals("fd 4 is the write end of a pipe whose read end is not in this process: pipes between processes come with "
                + "process trees (pipe:[7]): not supported yet; checkpoint refused, the program runs on", claim(pipe(4, 7, WR)));
        assertTrue(claim(pipe(3, 7, RD), pipe(5, 7, RD)).startsWith("fd 3 is the read end of a pipe whose write end is not in this process"));
        // two pipes, one end each: not one pipe
        assertTrue(claim(pipe(3, 7, RD), pipe(4, 8, WR)).startsWith("fd 3 is the read end of a pipe"));
        assertTrue(claim(fd(6, "/tmp/f", RD, FIFO, 5)).startsWith("fd 6 is the read end of a FIFO (named pipe) whose write end is not in "
                + "this process: FIFOs between processes come with process trees (/tmp/f)"));
        // the same path but another inode (re-created meanwhile): not the same FIFO
        assertTrue(claim(fd(3, "/tmp/f", RD, FIFO, 5), fd(4, "/tmp/f", WR, FIFO, 6)).startsWith("fd 3 is the read end of a FIFO"));
        assertTrue(claim(pipe(3, 7, RD | 020000), pipe(4, 7, WR)).startsWith("fd 3 is a pipe in O_ASYNC mode"));
        // a FIFO is no file: without this handler it is refused by kind, as before
        assertFalse(new FilesHandler().claims(fd(3, "/tmp/f", RDWR, FIFO, 5), null));
    }

    @Test
    public void savedPacketsAreSplitBySizeAndMustAddUp() throws Exception {
        JsonObject d = new JsonObject();
        d.addProperty("content", java.util.Base64.getEncoder().encodeToString("abcdef".getBytes()));
        assertEquals(1, PipesHandler.content(JsonRecords.reader(d, "fd")).size());
        JsonArray sizes = new JsonArray();
        for (int n : new int[] {1, 2, 3}) {
            JsonObject s = new JsonObject();
            s.addProperty("size", n);
            sizes.add(s);
        }
        d.add("packets", sizes);
        List<byte[]> p = PipesHandler.content(JsonRecords.reader(d, "fd"));
        assertEquals(List.of("a", "bc", "def"), p.stream().map(String::new).toList());
        sizes.get(2).getAsJsonObject().addProperty("size", 4);
        try {
            PipesHandler.content(JsonRecords.reader(d, "fd"));
            fail("packets of 7 bytes taken from 6");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("the image is corrupt"));
        }
    }
}
