package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.Child;
import dmtcp.mem.linux.api.FdInfo;
import dmtcp.mem.linux.api.Frozen;
import dmtcp.mem.linux.api.MemorySink;
import dmtcp.mem.linux.api.MemorySource;
import dmtcp.mem.linux.api.ProcessState;
import dmtcp.mem.linux.api.RemoteProcess;
import dmtcp.mem.linux.api.UnsupportedFdException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's tests' own resource hooks (the real handlers live in bundles above mem.native):
 * fds 0-2 stay the restarter's (the stub inherits this JVM's), regular files are reopened by
 * path at their offset; any other fd refuses the checkpoint. One instance per dump or restore.
 */
final class TestFds implements ResourceHooks {
    private static final long SYS_CLOSE = 3, SYS_LSEEK = 8, SYS_DUP3 = 292, SYS_OPENAT = 257;
    private static final int O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000, O_CLOEXEC = 02000000;

    private final List<FdInfo> files = new ArrayList<>();

    /** What each dump saved, for the restores of its state. */
    private static final java.util.Map<ProcessState, TestFds> SAVED = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    static ProcessState dump(Frozen f, MemorySink sink) {
        TestFds h = hooks();
        ProcessState st = Checkpointer.dump(f, sink, h);
        SAVED.put(st, h);
        return st;
    }

    static ProcessState dump(int pid, MemorySink sink) {
        TestFds h = hooks();
        ProcessState st = Checkpointer.dump(pid, sink, h);
        SAVED.put(st, h);
        return st;
    }

    /** The hooks that restore what the dump of {@code st} saved (a state built by a test: those of {@code like}). */
    static TestFds of(ProcessState st) {
        TestFds h = SAVED.get(st);
        return h == null ? new TestFds() : restoring(h);
    }

    static void same(ProcessState copy, ProcessState original) {
        SAVED.put(copy, SAVED.get(original));
    }

    static Child restore(ProcessState st, MemorySource src) {
        return Restorer.restore(st, src, of(st));
    }

    static Restorer.Prepared prepare(ProcessState st, MemorySource src, String uid) {
        Restorer.Prepared p = Restorer.prepare(st, src, uid);
        p.finish(of(st));
        return p;
    }

    /** Fresh hooks, for a dump or for the restore of what a dump with the same instance saved. */
    static TestFds hooks() {
        return new TestFds();
    }

    /** Hooks restoring the files of {@code dumped} (a dump's hooks) in another process. */
    static TestFds restoring(TestFds dumped) {
        TestFds t = new TestFds();
        t.files.addAll(dumped.files);
        return t;
    }

    @Override
    public void claim(List<FdInfo> fds) {
        files.clear();
        for (FdInfo f : fds) {
            if (f.fd() <= 2) {
                continue;
            }
            if (f.target().startsWith("/") && !f.target().endsWith(" (deleted)") && (f.mode() & 0170000) == 0100000) {
                files.add(f);
                continue;
            }
            throw new UnsupportedFdException(f.fd(), "an fd the engine's tests do not save", f.target());
        }
    }

    @Override
    public void beforeThreads(RemoteProcess p) throws IOException {
        for (FdInfo f : files) {
            int flags = f.flags() & ~(O_CREAT | O_TRUNC | O_EXCL | O_CLOEXEC);
            long t = p.check("openat " + f.target(), SYS_OPENAT, -100, p.putString(f.target()), flags, 0);
            if (t != f.fd()) {
                p.check("dup3", SYS_DUP3, t, f.fd(), f.cloexec() ? O_CLOEXEC : 0);
                p.check("close", SYS_CLOSE, t);
            }
            p.check("lseek", SYS_LSEEK, f.fd(), f.pos(), 0);
        }
    }
}
