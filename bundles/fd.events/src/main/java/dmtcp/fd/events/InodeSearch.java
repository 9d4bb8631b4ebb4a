package dmtcp.fd.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds a path for inodes known only by device and inode number (what an inotify watch shows of
 * the file it watches). The kernel's file handle in fdinfo would name it exactly, but
 * open_by_handle_at needs CAP_DAC_READ_SEARCH; so the likely places are searched, nearest first,
 * breadth first across all of them: the process's working directory (and the folders above it),
 * the folders of its open files and of its mapped files, its $HOME and this user's, /tmp,
 * /var/tmp and /dev/shm, each to a bounded depth, within a bounded time and number of entries.
 * Symbolic links are not followed (a watch is of the inode itself); /proc and /sys are skipped.
 */
final class InodeSearch {
    private InodeSearch() {}

    /** An inode: st_dev as stat gives it, st_ino. */
    record Key(long dev, long ino) {
        @Override
        public String toString() {
            // gnu_dev_major / gnu_dev_minor of glibc's encoding
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL), minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            return "inode " + ino + " on device " + major + ":" + minor;
        }
    }

    /** A folder to search, to {@code depth} levels below it (0: its own entries only, -1: itself only). */
    record Root(Path dir, int depth) {}

    /** At most this long and this many entries looked at, for one checkpoint of one process. */
    static final long BUDGET_NANOS = 3_000_000_000L;
    static final int MAX_ENTRIES = 400_000;

    /** The key of {@code p} itself (not following a last symbolic link), or null when it cannot be stat'ed. */
    static Key keyOf(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
            return new Key(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The places to search for the files process {@code pid} watches, nearest first. */
    static List<Root> roots(int pid, List<String> openPaths) {
        Map<Path, Integer> m = new LinkedHashMap<>();
        Path proc = Path.of("/proc", Integer.toString(pid));
        try {
            Path cwd = Files.readSymbolicLink(proc.resolve("cwd"));
            add(m, cwd, 4);
            for (Path up = cwd.getParent(); up != null; up = up.getParent()) {
                add(m, up, -1);
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not ours: the other places still
        }
        for (String t : openPaths) {
            if (t.startsWith("/") && !t.endsWith(" (deleted)")) {
                Path p = Path.of(t);
                boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                add(m, dir ? p : p.getParent(), dir ? 2 : 0);
            }
        }
        try {
            for (String l : Files.readAllLines(proc.resolve("maps"))) {
                int i = l.indexOf('/');
                if (i > 0 && !l.endsWith(" (deleted)")) {
                    add(m, Path.of(l.substring(i)).getParent(), 0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // as above
        }
        try {
            for (String v : new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8).split("\0")) {
                if (v.startsWith("HOME=/")) {
                    add(m, Path.of(v.substring(5)), 3);
                }
            }
        } catch (IOException | RuntimeException e) {
            // as above
        }
        add(m, Path.of(System.getProperty("user.home", "/")), 3);
        add(m, Path.of("/tmp"), 3);
        add(m, Path.of("/var/tmp"), 2);
        add(m, Path.of("/dev/shm"), 2);
        List<Root> l = new ArrayList<>();
        m.forEach((p, d) -> l.add(new Root(p, d)));
        return l;
    }

    private static void add(Map<Path, Integer> m, Path p, int depth) {
        if (p != null) {
            m.merge(p.normalize(), depth, Math::max);
        }
    }

    /** A path for each of {@code wanted} that is found in {@code roots}; those not found are missing from the map. */
    static Map<Key, Path> find(Set<Key> wanted, List<Root> roots) {
        Map<Key, Path> found = new LinkedHashMap<>();
        Set<Key> visited = new HashSet<>();
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int entries = 0;
        List<Root> level = new ArrayList<>();
        for (Root r : roots) {
            Key k = keyOf(r.dir());
            if (k != null && wanted.contains(k)) {
                found.putIfAbsent(k, r.dir());
            }
            if (r.depth() >= 0) {
                level.add(r);
            }
        }
        while (!level.isEmpty() && found.size() < wanted.size()) {
            List<Root> next = new ArrayList<>();
            for (Root r : level) {
                Key dk = keyOf(r.dir());
                if (dk == null || !visited.add(dk) || skipped(r.dir())) {
                    continue;
                }
                try (DirectoryStream<Path> s = Files.newDirectoryStream(r.dir())) {
                    for (Path p : s) {
                        if (++entries > MAX_ENTRIES || System.nanoTime() > deadline) {
                            return found;
                        }
                        Key k = keyOf(p);
                        if (k == null) {
                            continue;
                        }
                        if (wanted.contains(k)) {
                            found.putIfAbsent(k, p);
                            if (found.size() == wanted.size()) {
                                return found;
                            }
                        }
                        if (r.depth() > 0 && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                            next.add(new Root(p, r.depth() - 1));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // unreadable: go on with the others
                }
            }
            level = next;
        }
        return found;
    }

    private static boolean skipped(Path p) {
        return p.startsWith("/proc") || p.startsWith("/sys");
    }
}
