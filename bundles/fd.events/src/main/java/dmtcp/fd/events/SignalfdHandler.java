package dmtcp.fd.events;

import static dmtcp.fd.events.Sys.*;

import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.RemoteProcess;
import org.osgi.service.component.annotations.Component;

/**
 * Kind {@code signalfd}: its signal mask ({@code mask}, 64 bits, bit N-1 for signal N, as
 * fdinfo's {@code sigmask:} shows it); SFD_NONBLOCK is the saved O_NONBLOCK. A signalfd holds no
 * queue of its own: the signals it reports are the pending signals of the process and its
 * threads, which the engine saves and queues again; re-created with signalfd4(-1, mask).
 */
@Component(service = FdHandler.class, property = "service.ranking:Integer=0")
public class SignalfdHandler extends EventHandler {
    static final String KIND = "signalfd";

    public SignalfdHandler() {
        super(KIND, "anon_inode:[signalfd]", "a signalfd");
    }

    @Override
    void check(FdInfo f, DumpContext ctx) {
        field(f, "sigmask:");
    }

    @Override
    void save(FdInfo f, DumpContext ctx, RecordWriter out) {
        out.put("mask", Long.parseUnsignedLong(field(f, "sigmask:"), 16));
    }

    @Override
    long create(SavedFd f, RestoreContext ctx) {
        RemoteProcess p = ctx.process();
        long mask = f.data().getLong("mask");
        long buf = p.scratch(8);
        p.write(buf, longs(mask));
        return p.check("restore of " + f + ": signalfd4(-1, {0x" + Long.toHexString(mask) + "})", SYS_SIGNALFD4, -1, buf, 8,
                nonblock(f));
    }
}
