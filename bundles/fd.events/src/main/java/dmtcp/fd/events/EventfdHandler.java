package dmtcp.fd.events;

import static dmtcp.fd.events.Sys.*;

import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.RemoteProcess;
import java.util.Objects;
import org.osgi.service.component.annotations.Component;

/**
 * Kind {@code eventfd}: the counter ({@code count}, 64 bits, as fdinfo's {@code eventfd-count:}
 * shows it in hex) and EFD_SEMAPHORE ({@code semaphore}); EFD_NONBLOCK is the saved O_NONBLOCK.
 * Re-created with eventfd2(0, flags) and the count written into it (an injected write of 8
 * bytes: eventfd2's initial value is only 32 bits).
 */
@Component(service = FdHandler.class, property = "service.ranking:Integer=0")
public class EventfdHandler extends EventHandler {
    static final String KIND = "eventfd";

    public EventfdHandler() {
        super(KIND, "anon_inode:[eventfd]", "an eventfd");
    }

    @Override
    void check(FdInfo f, DumpContext ctx) {
        field(f, "eventfd-count:");
        field(f, "eventfd-semaphore:"); // recent kernels only; without it EFD_SEMAPHORE cannot be known
    }

    @Override
    void save(FdInfo f, DumpContext ctx, RecordWriter out) {
        out.put("count", Long.parseUnsignedLong(field(f, "eventfd-count:"), 16));
        out.put("semaphore", !"0".equals(field(f, "eventfd-semaphore:")));
    }

    @Override
    Boolean sameByFdinfo(FdInfo a, FdInfo b) {
        String ia = a.field("eventfd-id:"), ib = b.field("eventfd-id:");
        return ia == null || ib == null ? null : Objects.equals(ia, ib);
    }

    @Override
    long create(SavedFd f, RestoreContext ctx) {
        RemoteProcess p = ctx.process();
        long count = f.data().getLong("count");
        int flags = nonblock(f) | (f.data().getBoolean("semaphore", false) ? EFD_SEMAPHORE : 0);
        long fd = p.check("restore of " + f + ": eventfd2(0, 0" + Integer.toOctalString(flags) + ")", SYS_EVENTFD2, 0, flags);
        if (count != 0) {
            long buf = p.scratch(8);
            p.write(buf, longs(count));
            long n = p.check("restore of " + f + ": write of its count " + Long.toUnsignedString(count), SYS_WRITE, fd, buf, 8);
            if (n != 8) {
                throw new IllegalStateException("restore of " + f + ": write of its count wrote " + n + " bytes");
            }
        }
        return fd;
    }
}
