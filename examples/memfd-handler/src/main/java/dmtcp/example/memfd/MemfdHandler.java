package dmtcp.example.memfd;

import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.image.format.schema.RecordReader;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.RemoteProcess;
import dmtcp.mem.linux.api.UnsupportedFdException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * Kind {@value #KIND}: a memfd ({@code memfd_create(2)}) that the process holds only as an fd,
 * which the product does not save yet (its memfd support is to come in bundles/ipc.shm).
 * Record, version 1: {@code name} (as given to memfd_create), {@code offset}, {@code seals}
 * (F_GET_SEALS) and {@code content} (at most {@value #MAX_BYTES} bytes). At restore: {@code
 * memfd_create} under the same name, the bytes written, the offset, O_APPEND/O_NONBLOCK and
 * the seals put back, then the fd installed under its number.
 *
 * <p>Refused at checkpoint, by fd and reason, before anything is injected: a memfd that is also
 * mapped (the mapping and the fd would come back as two copies), one open at two fds (they
 * would come back as two files), one not open read-write, one above the size cap.
 */
@Component(property = "service.ranking:Integer=0")
public class MemfdHandler implements FdHandler {
    /** Named so that it cannot meet the product's own "memfd" kind in an image. */
    static final String KIND = "example-memfd";
    /** Cap on the bytes of one memfd kept in the image. */
    static final int MAX_BYTES = 1 << 20;

    // x86-64 syscall numbers and <fcntl.h>, <linux/memfd.h> constants
    private static final long SYS_LSEEK = 8, SYS_FCNTL = 72, SYS_MEMFD_CREATE = 319;
    private static final int F_SETFL = 4, F_ADD_SEALS = 1033, F_GET_SEALS = 1034, F_SEAL_SEAL = 1;
    private static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    private static final int O_ACCMODE = 03, O_RDWR = 02, O_NONBLOCK = 04000, O_APPEND = 02000;
    private static final String PREFIX = "/memfd:", DELETED = " (deleted)";

    @Override
    public Set<String> kinds() {
        return Set.of(KIND);
    }

    /** Looks at /proc only: the process is frozen, nothing is injected yet. */
    @Override
    public boolean claims(FdInfo f, DumpContext ctx) throws IOException {
        if (!f.target().startsWith(PREFIX)) {
            return false;
        }
        if ((f.flags() & O_ACCMODE) != O_RDWR) {
            throw refuse(f, "a memfd not open read-write (reopened through /proc)");
        }
        for (FdInfo other : ctx.fds()) {
            if (other.fd() != f.fd() && other.inode() == f.inode() && other.target().equals(f.target())) {
                throw refuse(f, "a memfd also open at fd " + other.fd());
            }
        }
        for (String map : Files.readAllLines(Path.of("/proc", Integer.toString(f.pid()), "maps"))) {
            String[] m = map.split("\\s+", 6); // address perms offset dev inode path
            if (m.length == 6 && m[4].equals(Long.toString(f.inode())) && m[5].startsWith(PREFIX)) {
                throw refuse(f, "a memfd that is also mapped (shared memory)");
            }
        }
        long size = Files.size(f.link());
        if (size > MAX_BYTES) {
            throw refuse(f, "a memfd of " + size + " bytes, above the " + MAX_BYTES + " this example saves");
        }
        return true;
    }

    private static UnsupportedFdException refuse(FdInfo f, String what) {
        return new UnsupportedFdException(f.fd(), what, f.target());
    }

    /** The process is frozen: one injected fcntl reads the seals, this JVM reads the bytes through /proc. */
    @Override
    public String dump(FdInfo f, DumpContext ctx, RecordWriter out) throws IOException {
        String t = f.target();
        String name = t.substring(PREFIX.length(), t.endsWith(DELETED) ? t.length() - DELETED.length() : t.length());
        long seals = ctx.process().check("fcntl(" + f.fd() + ", F_GET_SEALS)", SYS_FCNTL, f.fd(), F_GET_SEALS);
        byte[] content;
        try (FileChannel ch = FileChannel.open(f.link(), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size(), MAX_BYTES));
            while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
                // the program is frozen: nothing changes it meanwhile
            }
            content = java.util.Arrays.copyOf(b.array(), b.position());
        }
        out.put("name", name).put("offset", f.pos()).put("seals", seals).put("content", content);
        return KIND;
    }

    /** Before the threads exist (the default phase): nothing else refers to the fd. */
    @Override
    public void restore(SavedFd f, RestoreContext ctx) throws IOException {
        if (f.version() != 1) {
            throw new IOException(f + " of " + ctx.program() + ": a record of version " + f.version()
                    + ", which this memfd example does not read (it writes version 1)");
        }
        RecordReader d = f.data();
        RemoteProcess p = ctx.process();
        String what = "restore of " + f + " \"" + d.getString("name") + "\"";
        int seals = d.getInt("seals");
        // a memfd made without MFD_ALLOW_SEALING reads back exactly F_SEAL_SEAL
        int mfd = MFD_CLOEXEC | (seals == F_SEAL_SEAL ? 0 : MFD_ALLOW_SEALING);
        long fd = p.check(what + ": memfd_create", SYS_MEMFD_CREATE, p.putString(d.getString("name")), mfd);
        byte[] content = d.getBytes("content");
        try (FileChannel ch = FileChannel.open(Path.of("/proc", Integer.toString(p.pid()), "fd", Long.toString(fd)),
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(content == null ? new byte[0] : content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        p.check(what + ": lseek", SYS_LSEEK, fd, d.getLong("offset"), 0);
        if ((f.flags() & (O_APPEND | O_NONBLOCK)) != 0) {
            p.check(what + ": fcntl(F_SETFL)", SYS_FCNTL, fd, F_SETFL, f.flags() & (O_APPEND | O_NONBLOCK));
        }
        if (seals != 0 && seals != F_SEAL_SEAL) {
            // last: F_SEAL_WRITE, F_SEAL_GROW would refuse the bytes written above
            p.check(what + ": fcntl(F_ADD_SEALS, 0x" + Integer.toHexString(seals) + ")", SYS_FCNTL, fd, F_ADD_SEALS, seals);
        }
        ctx.install(fd, f);
    }
}
