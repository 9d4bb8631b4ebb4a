package dmtcp.mem.linux.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * File descriptors across checkpoint/kill/restore (fds.c: a regular file read at an offset
 * and O_CLOEXEC, an O_APPEND log, a file deleted while open, /dev/null, /dev/urandom, a
 * directory read one entry at a time), and the refusal of what cannot be restored
 * (fdholder.c: a pipe, a socket or an eventfd on fd 5).
 */
public class FdsTest {
    private final List<Child> children = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        for (Child c : children) {
            c.signal(9);
            c.onExit().get(10, TimeUnit.SECONDS);
        }
        for (Path p : files) {
            if (Files.isDirectory(p)) {
                try (var s = Files.list(p)) {
                    for (Path q : s.toList()) {
                        Files.deleteIfExists(q);
                    }
                }
            }
            Files.deleteIfExists(p);
        }
    }

    private Path temp(String suffix) throws Exception {
        Path p = Files.createTempFile("fds", suffix);
        files.add(p);
        return p;
    }

    @Test
    public void everyKindOfFdWorksThroughThreeRestores() throws Exception {
        Path log = temp(".log");
        Path data = temp(".data");
        byte[] d = new byte[1 << 20];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (i * 7 + 3);
        }
        Files.write(data, d);
        Path dir = Files.createTempDirectory("fds-dir");
        for (String n : List.of("a", "b", "c", "e", "f")) {
            Files.createFile(dir.resolve(n));
        }
        files.add(0, dir); // deleted after its entries (cleanUp deletes in list order)
        Child c = Processes.spawn(List.of(CPrograms.build("fds").toString(), log.toString(), data.toString(), dir.toString()));
        children.add(c);
        CPrograms.awaitLines(log, 20, 10_000);
        for (int round = 0; round < 3; round++) {
            int n = CPrograms.lines(log).size();
            Path img = temp(".img");
            try (FileImage image = new FileImage(img)) {
                Frozen f = Freezer.freeze(c.pid());
                if (round == 0) {
                    f = atDirectoryEnd(c, f);
                }
                long t0 = System.nanoTime();
                ProcessState st;
                try {
                    st = Checkpointer.dump(f, image);
                } catch (RuntimeException e) {
                    f.kill();
                    throw e;
                }
                long dumpUs = (System.nanoTime() - t0) / 1000;
                f.kill();
                c.onExit().get(10, TimeUnit.SECONDS);
                Map<String, FdState> byKind = new HashMap<>();
                for (FdState s : st.fds()) {
                    byKind.put(s.kind() + (s.kind().equals(FdState.DEVICE) || s.kind().equals(FdState.FILE) ? ":" + s.path() : ""), s);
                }
                assertEquals(st.fds().toString(), 9, st.fds().size()); // 0-2 + six
                FdState dataFd = byKind.get(FdState.FILE + ":" + data);
                assertTrue(st.fds().toString(), dataFd != null && dataFd.cloexec() && dataFd.offset() >= 100);
                FdState logFd = byKind.get(FdState.FILE + ":" + log);
                assertTrue(st.fds().toString(), logFd != null && !logFd.cloexec() && (logFd.flags() & 02000) != 0);
                FdState victim = byKind.get(FdState.DELETED);
                assertTrue(st.fds().toString(), victim != null && victim.content().length == 100000 && victim.offset() == 1234);
                assertTrue(st.fds().toString(), byKind.containsKey(FdState.DIR));
                assertTrue(st.fds().toString(), byKind.containsKey(FdState.DEVICE + ":/dev/null"));
                assertTrue(st.fds().toString(), byKind.containsKey(FdState.DEVICE + ":/dev/urandom"));
                t0 = System.nanoTime();
                c = Restorer.restore(st, image);
                long restoreUs = (System.nanoTime() - t0) / 1000;
                children.add(c);
                System.out.println(st.fds());
                System.out.printf("fds round %d: %d fds, dump %d us, restore %d us -> pid %d%n", round, st.fds().size(), dumpUs,
                        restoreUs, c.pid());
                CPrograms.awaitLines(log, n + 30, 10_000);
                // the restored process's fds, seen from outside
                Path pfd = Path.of("/proc", Integer.toString(c.pid()), "fd");
                String v = Files.readSymbolicLink(pfd.resolve(Integer.toString(victim.fd()))).toString();
                assertTrue(v, v.endsWith(" (deleted)"));
                assertEquals(data.toString(), Files.readSymbolicLink(pfd.resolve(Integer.toString(dataFd.fd()))).toString());
                for (int std = 0; std <= 2; std++) {
                    Path mine = Path.of("/proc/self/fd/" + std);
                    if (Files.exists(mine, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        // DMTCP semantics: the restarter's own standard streams
                        assertEquals("fd " + std, Files.readSymbolicLink(mine), Files.readSymbolicLink(pfd.resolve(Integer.toString(std))));
                    }
                }
            }
        }
        List<String> l = CPrograms.lines(log);
        int cycles = 0;
        for (int i = 0; i < l.size(); i++) {
            String[] f = l.get(i).split(" ");
            assertEquals("line " + i + ": " + l.get(i), String.valueOf(i + 1), f[0]);
            assertEquals("line " + i + ": " + l.get(i), "ok", f[1]);
            cycles = Integer.parseInt(f[2]);
            assertEquals("data offset advances 16 bytes a round", 100 + 16L * (i + 1), Long.parseLong(f[3]));
        }
        assertTrue("the directory was read to its end and rewound several times: " + cycles, cycles >= 3);
    }

    @Test
    public void aDeletedReadOnlyFileWhoseDirectoryIsGoneComesBackInTmp() throws Exception {
        Path log = temp(".log");
        Path dir = Files.createTempDirectory("fds-gone");
        files.add(0, dir);
        Child c = Processes.spawn(List.of(CPrograms.build("deleted").toString(), log.toString(), dir.toString()));
        children.add(c);
        CPrograms.awaitLines(log, 5, 10_000);
        assertFalse(Files.exists(dir));
        for (int round = 0; round < 2; round++) {
            int n = CPrograms.lines(log).size();
            Path img = temp(".img");
            try (FileImage image = new FileImage(img)) {
                Frozen f = Freezer.freeze(c.pid());
                ProcessState st = Checkpointer.dump(f, image);
                f.kill();
                c.onExit().get(10, TimeUnit.SECONDS);
                FdState del = st.fds().stream().filter(x -> x.kind().equals(FdState.DELETED)).findFirst().orElseThrow();
                assertEquals(del.toString(), 20000, del.content().length);
                c = Restorer.restore(st, image);
                children.add(c);
                CPrograms.awaitLines(log, n + 10, 10_000);
                String target = Files.readSymbolicLink(Path.of("/proc", Integer.toString(c.pid()), "fd", Integer.toString(del.fd())))
                        .toString();
                assertTrue(target, target.startsWith("/tmp/") && !target.startsWith(dir.toString()) && target.endsWith(" (deleted)"));
            }
        }
        List<String> l = CPrograms.lines(log);
        for (int i = 0; i < l.size(); i++) {
            assertEquals("line " + i, (i + 1) + " ok", l.get(i));
        }
    }

    /**
     * Thaws and freezes again until the directory fd (5) sits at ext4's end-of-directory
     * cookie (LONG_MAX), which a plain lseek at restore gets wrong (see Restorer.restoreFds);
     * gives up quietly on another file system.
     */
    private static Frozen atDirectoryEnd(Child c, Frozen f) throws Exception {
        Path info = Path.of("/proc", Integer.toString(c.pid()), "fdinfo", "5");
        for (int i = 0; i < 400; i++) {
            if (Files.readAllLines(info).get(0).equals("pos:\t" + Long.MAX_VALUE)) {
                System.out.println("directory at its end after " + i + " tries");
                return f;
            }
            f.thaw();
            Thread.sleep(1);
            f = Freezer.freeze(c.pid());
        }
        System.out.println("directory never seen at LONG_MAX (not ext4?)");
        return f;
    }

    private static final MemorySink NO_SINK = new MemorySink() {
        @Override
        public void write(MemoryRegion region, long offset, ByteBuffer data) {
            throw new AssertionError("memory written although the dump was refused");
        }

        @Override
        public void describe(ProcessState state) {
            throw new AssertionError("state described although the dump was refused");
        }
    };

    private void refused(String kind, String what, String linkPrefix, boolean convenience) throws Exception {
        Path log = temp(".log");
        Child c = Processes.spawn(List.of(CPrograms.build("fdholder").toString(), log.toString(), kind));
        children.add(c);
        CPrograms.awaitLines(log, 5, 10_000);
        try {
            if (convenience) {
                Checkpointer.dump(c.pid(), NO_SINK); // freezes and thaws itself
            } else {
                Frozen f = Freezer.freeze(c.pid());
                try {
                    Checkpointer.dump(f, NO_SINK);
                } finally {
                    f.thaw();
                }
            }
            fail("a dump of a process holding " + what + " on fd 5 succeeded");
        } catch (UnsupportedFdException e) {
            System.out.println(e.getMessage());
            assertEquals(5, e.fd());
            assertTrue(e.getMessage(), e.getMessage().startsWith("fd 5 is " + what + " (" + linkPrefix));
            assertTrue(e.getMessage(), e.getMessage().endsWith("not supported yet; checkpoint refused, the program runs on"));
        }
        int n = CPrograms.lines(log).size();
        CPrograms.awaitLines(log, n + 20, 10_000);
        assertFalse(c.onExit().isDone());
    }

    @Test
    public void aPipeOnFd5RefusesTheCheckpointAndTheProgramRunsOn() throws Exception {
        refused("pipe", "a pipe", "pipe:[", false);
    }

    @Test
    public void aSocketOnFd5RefusesTheCheckpointAndTheProgramRunsOn() throws Exception {
        refused("socket", "a socket", "socket:[", true);
    }

    @Test
    public void anEventfdOnFd5RefusesTheCheckpoint() throws Exception {
        refused("eventfd", "an eventfd", "anon_inode:[eventfd]", false);
    }
}
