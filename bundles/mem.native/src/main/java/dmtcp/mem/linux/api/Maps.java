package dmtcp.mem.linux.api;

import dmtcp.mem.linux.api.MemoryRegion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Parses /proc/PID/maps: {@code start-end perms offset major:minor inode   path}. */
public final class Maps {
    private Maps() {}

    public static List<MemoryRegion> read(int pid) {
        try {
            List<MemoryRegion> l = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "maps"))) {
                l.add(parse(line));
            }
            return l;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static MemoryRegion parse(String line) {
        int i = 0;
        String[] f = new String[5];
        int pos = 0;
        for (; i < 5; i++) {
            while (pos < line.length() && line.charAt(pos) == ' ') {
                pos++;
            }
            int end = line.indexOf(' ', pos);
            if (end < 0) {
                end = line.length();
            }
            f[i] = line.substring(pos, end);
            pos = end;
        }
        while (pos < line.length() && line.charAt(pos) == ' ') {
            pos++;
        }
        String path = pos < line.length() ? line.substring(pos) : "";
        int dash = f[0].indexOf('-');
        long start = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
        long end = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
        String perms = f[1];
        int prot = (perms.charAt(0) == 'r' ? Mman.PROT_READ : 0) | (perms.charAt(1) == 'w' ? Mman.PROT_WRITE : 0)
                | (perms.charAt(2) == 'x' ? Mman.PROT_EXEC : 0);
        boolean shared = perms.charAt(3) == 's';
        long offset = Long.parseUnsignedLong(f[2], 16);
        int colon = f[3].indexOf(':');
        int major = Integer.parseInt(f[3].substring(0, colon), 16);
        int minor = Integer.parseInt(f[3].substring(colon + 1), 16);
        long inode = Long.parseLong(f[4]);
        return new MemoryRegion(start, end, prot, shared, offset, major, minor, inode, path, List.of());
    }
}
