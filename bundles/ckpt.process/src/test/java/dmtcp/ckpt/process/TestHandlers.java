package dmtcp.ckpt.process;

import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.RemoteProcess;
import java.util.List;
import java.util.Set;

/**
 * A resource handler for this bundle's tests (the real ones live in the fd.* bundles, which
 * depend on this one): fds 0-2 become the restarter's, regular files are reopened by path at
 * their offset; nothing else is claimed.
 */
final class TestHandlers implements FdHandler {
    static final List<FdHandler> LIST = List.of(new TestHandlers());

    @Override
    public Set<String> kinds() {
        return Set.of("test-std", "test-file");
    }

    private static boolean isFile(FdInfo f) {
        return f.target().startsWith("/") && !f.target().endsWith(" (deleted)") && (f.mode() & 0170000) == 0100000;
    }

    @Override
    public boolean claims(FdInfo f, DumpContext ctx) {
        return f.fd() <= 2 || isFile(f);
    }

    @Override
    public String dump(FdInfo f, DumpContext ctx, RecordWriter out) {
        if (f.fd() <= 2) {
            return "test-std";
        }
        out.put("path", f.target()).put("offset", f.pos());
        return "test-file";
    }

    @Override
    public void restore(SavedFd f, RestoreContext ctx) {
        RemoteProcess p = ctx.process();
        if (f.kind().equals("test-std")) {
            if (ctx.restarterStream(f.fd()) >= 0) {
                p.check("dup3", 292, ctx.restarterStream(f.fd()), f.fd(), 0);
            }
            return;
        }
        int flags = f.flags() & ~(0100 | 01000 | 0200 | 02000000);
        long t = p.check("openat", 257, -100, p.putString(f.data().getString("path")), flags, 0);
        ctx.install(t, f);
        p.check("lseek", 8, f.fd(), f.data().getLong("offset"), 0);
    }
}
