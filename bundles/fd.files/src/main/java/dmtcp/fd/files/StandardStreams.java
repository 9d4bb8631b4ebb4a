package dmtcp.fd.files;

import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.FdInfo;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * Kind {@code stdio}: fd 0, 1 or 2 holding something no other handler saves (a pipe from the
 * launching shell, a socket, a deleted FIFO...): at restore the restarter's same fd, as DMTCP
 * does for the standard streams. Asked last (the lowest service.ranking), so that a handler
 * that can save the thing itself (a pipe whose both ends the process holds) comes first.
 */
@Component(property = "service.ranking:Integer=-1000")
public class StandardStreams implements FdHandler {
    static final String STDIO = "stdio";

    @Override
    public Set<String> kinds() {
        return Set.of(STDIO);
    }

    @Override
    public boolean claims(FdInfo f, DumpContext ctx) {
        return f.fd() >= 0 && f.fd() <= 2;
    }

    @Override
    public String dump(FdInfo f, DumpContext ctx, RecordWriter out) {
        out.put("path", f.target()).put("mode", f.mode());
        return STDIO;
    }

    @Override
    public void restore(SavedFd f, RestoreContext ctx) {
        int have = ctx.restarterStream(f.fd());
        if (have < 0) {
            System.err.println("dmtcp restore: fd " + f.fd() + " (" + f.data().getString("path", "?")
                    + ") should become the restarter's fd " + f.fd() + ", which is closed: left closed");
            return;
        }
        ctx.process().check("restore of fd " + f.fd() + " (stdio): dup3", Sys.SYS_DUP3, have, f.fd(), f.cloexec() ? Sys.O_CLOEXEC : 0);
    }

    /**
     * Which of the restarter's fds 0-2 stands for a terminal or standard stream: the same number
     * for fds 0-2; for a terminal above 2, fd 0 if it was read-only, 1 if write-only, else 2.
     */
    static int restarterFdFor(SavedFd f) {
        if (f.fd() <= 2) {
            return f.fd();
        }
        int acc = f.flags() & Sys.O_ACCMODE;
        return acc == Sys.O_RDONLY ? 0 : acc == Sys.O_WRONLY ? 1 : 2;
    }
}
