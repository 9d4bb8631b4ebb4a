package dmtcp.fd.events;

import static dmtcp.fd.events.Sys.*;

import dmtcp.ckpt.process.spi.DumpContext;
import dmtcp.ckpt.process.spi.FdHandler;
import dmtcp.ckpt.process.spi.RestoreContext;
import dmtcp.image.format.schema.RecordWriter;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.RemoteProcess;
import dmtcp.mem.linux.api.UnsupportedFdException;
import java.io.IOException;
import java.util.Set;

/**
 * What the handlers of this bundle share: one kind each, claimed by the target of the fd link
 * ({@code anon_inode:[eventfd]} ...), records of version 1, and fds that are one file (a dup,
 * or one inherited twice): the lowest fd of such a group is saved and re-created, every other
 * one is saved as {@code sameAs} that fd and comes back as a dup of it, so that a write to one
 * is read from the other as before. Which fds are one file is asked of the kernel with an
 * injected {@code kcmp(KCMP_FILE)} (anonymous inodes of a kind all have the same inode number),
 * unless fdinfo tells (an eventfd's id).
 */
abstract class EventHandler implements FdHandler {
    static final String SAME_AS = "sameAs";

    final String kind;
    final String target;
    /** The kind in words, for messages: "an eventfd". */
    final String what;

    EventHandler(String kind, String target, String what) {
        this.kind = kind;
        this.target = target;
        this.what = what;
    }

    @Override
    public final Set<String> kinds() {
        return Set.of(kind);
    }

    @Override
    public final boolean claims(FdInfo f, DumpContext ctx) throws IOException {
        if (!f.target().equals(target)) {
            return false;
        }
        if ((f.flags() & O_ASYNC) != 0) {
            throw refuse(f, what + " in O_ASYNC mode (signal-driven I/O, whose owner is not saved)");
        }
        check(f, ctx);
        return true;
    }

    /** Refuses, before anything is injected, what cannot be saved (throw an {@link UnsupportedFdException}). */
    void check(FdInfo f, DumpContext ctx) throws IOException {}

    @Override
    public final String dump(FdInfo f, DumpContext ctx, RecordWriter out) throws IOException {
        Integer same = sameFileAs(f, ctx);
        if (same != null) {
            out.put(SAME_AS, same);
        } else {
            save(f, ctx, out);
        }
        return kind;
    }

    /** Saves the state of a file no lower fd holds. */
    abstract void save(FdInfo f, DumpContext ctx, RecordWriter out) throws IOException;

    @Override
    public void restore(SavedFd f, RestoreContext ctx) throws IOException {
        checkVersion(f, ctx);
        if (!dupOfLower(f, ctx)) {
            ctx.install(create(f, ctx), f);
        }
    }

    /** Creates the file of a saved fd (anywhere: the caller puts it under its number). */
    abstract long create(SavedFd f, RestoreContext ctx) throws IOException;

    void checkVersion(SavedFd f, RestoreContext ctx) throws IOException {
        if (f.version() != 1) {
            throw new IOException(f + " of " + ctx.program() + " was saved with record version " + f.version()
                    + "; this fd.events restores version 1");
        }
    }

    /** A saved fd that is the same file as a lower one becomes a dup of it; false when it is a file of its own. */
    static boolean dupOfLower(SavedFd f, RestoreContext ctx) {
        if (!f.data().has(SAME_AS)) {
            return false;
        }
        int of = f.data().getInt(SAME_AS);
        ctx.process().check("restore of " + f + ": dup3 of fd " + of, SYS_DUP3, of, f.fd(), f.cloexec() ? O_CLOEXEC : 0);
        return true;
    }

    static boolean isDup(SavedFd f) {
        return f.data().has(SAME_AS);
    }

    /**
     * The lowest fd below {@code f} that is the same open file, or null. {@link #sameByFdinfo}
     * answers where /proc tells (an eventfd's id), else the kernel is asked (kcmp KCMP_FILE) for
     * each lower fd of the same kind; where neither can tell, the checkpoint is refused (two fds
     * restored as two files where the program had one would be a silent change).
     */
    Integer sameFileAs(FdInfo f, DumpContext ctx) {
        RemoteProcess p = ctx.process();
        for (FdInfo o : ctx.fds()) {
            if (o.fd() >= f.fd()) {
                break;
            }
            if (!o.target().equals(f.target())) {
                continue;
            }
            Boolean same = sameByFdinfo(o, f);
            if (same == null) {
                long r = p.syscall(SYS_KCMP, p.pid(), p.pid(), KCMP_FILE, o.fd(), f.fd());
                if (r < 0) {
                    throw refuse(f, what + " that cannot be told apart from fd " + o.fd() + " (kcmp(KCMP_FILE) failed with errno " + -r
                            + "): whether they are one file is not known");
                }
                same = r == 0;
            }
            if (same) {
                return o.fd();
            }
        }
        return null;
    }

    /** Whether two fds of this kind are one file by what /proc shows, or null when it cannot tell. */
    Boolean sameByFdinfo(FdInfo a, FdInfo b) {
        return null;
    }

    static UnsupportedFdException refuse(FdInfo f, String why) {
        return new UnsupportedFdException(f.fd(), why, f.target());
    }

    /** The value of fdinfo line {@code key}, or a refusal naming it when the kernel does not show it. */
    String field(FdInfo f, String key) {
        String v = f.field(key);
        if (v == null) {
            throw refuse(f, what + " whose state this kernel does not show (no \"" + key + "\" in /proc/PID/fdinfo/" + f.fd() + ")");
        }
        return v;
    }

    /** The file status flags a new file of this kind is created with: O_NONBLOCK as saved (close-on-exec is the fd's, set by install). */
    static int nonblock(SavedFd f) {
        return f.flags() & O_NONBLOCK;
    }
}
