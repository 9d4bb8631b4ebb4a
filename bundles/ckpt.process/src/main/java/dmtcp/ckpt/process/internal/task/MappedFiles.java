package dmtcp.ckpt.process.internal.task;

import dmtcp.mem.linux.api.Mman;
import dmtcp.mem.linux.api.MappedFile;
import dmtcp.mem.linux.api.MemoryRegion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The identity of the executable and of every file mapped executable ({@link MappedFile}):
 * recorded at checkpoint, compared at restart. A file rewritten in place keeps its inode,
 * so the inode check of the mapping does not see it; its code changed under the saved
 * pages (the GOT, relocated data, a stack of return addresses into it), which makes a
 * wrong program. Identifying a file costs reading its ELF program headers and notes (a
 * few KiB) for the NT_GNU_BUILD_ID the linker put there, or hashing it whole when it has
 * none; each result is kept for the life of the JVM per (path, inode, size, mtime), so a
 * frozen process pays for it at its first checkpoint only.
 */
final class MappedFiles {
    private MappedFiles() {}

    /** &lt;elf.h&gt; */
    static final int PT_NOTE = 4;
    static final int NT_GNU_BUILD_ID = 3;
    private static final int ELFCLASS64 = 2;
    private static final int ELFDATA2LSB = 1;
    /** More than any linker writes for its notes: a corrupt header must not make us read a file whole. */
    private static final int MAX_NOTES = 64 << 10;

    private record Key(String path, long inode, long size, long mtimeNanos) {}

    private static final Map<Key, MappedFile> CACHE = new ConcurrentHashMap<>();

    /**
     * The files to record for a process: its executable and every file it maps executable,
     * once each, as they are now (a file whose inode is no longer the one mapped was
     * replaced already and is left out: the restart's inode check names it).
     */
    public static List<MappedFile> identify(String exe, List<MemoryRegion> regions) throws IOException {
        Map<String, Long> inodes = new LinkedHashMap<>();
        for (MemoryRegion r : regions) {
            if (r.isFile() && (r.path().equals(exe) || (r.prot() & Mman.PROT_EXEC) != 0)) {
                inodes.putIfAbsent(r.path(), r.inode());
            }
        }
        List<MappedFile> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : inodes.entrySet()) {
            MappedFile f = identify(Path.of(e.getKey()));
            if (f != null && f.inode() == e.getValue()) {
                out.add(f);
            }
        }
        return out;
    }

    /** The identity of the file at {@code path} now, or null when it is gone or not a regular file. */
    static MappedFile identify(Path path) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(path, "unix:ino,size,lastModifiedTime,mode");
        } catch (NoSuchFileException e) {
            return null;
        }
        if (((Integer) a.get("mode") & 0170000) != 0100000) {
            return null;
        }
        Key k = new Key(path.toString(), (Long) a.get("ino"), (Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")));
        MappedFile f = CACHE.get(k);
        if (f == null) {
            String id = buildId(path);
            f = new MappedFile(k.path(), k.inode(), k.size(), k.mtimeNanos(), id, id == null ? sha256(path) : null);
            CACHE.put(k, f);
        }
        return f;
    }

    /**
     * Refuses a restart whose executable or libraries were modified since the checkpoint.
     * A file that is gone or has another inode is left to the mapping's own checks, which
     * name it; an older image records nothing, and nothing is checked.
     *
     * @throws IllegalStateException naming the file, its identity then and now
     */
    public static void verify(String exe, List<MappedFile> files) {
        for (MappedFile then : files) {
            MappedFile now;
            try {
                now = identify(Path.of(then.path()));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + then.path() + " to check it is the file mapped at checkpoint time: "
                        + e.getMessage(), e);
            }
            if (now == null || now.inode() != then.inode()) {
                continue;
            }
            if (now.size() == then.size() && now.mtimeNanos() == then.mtimeNanos()) {
                continue;
            }
            String nowId = then.buildId() != null ? now.identity() : "SHA-256 " + digestOf(now);
            if (!nowId.equals(then.identity())) {
                String kind = then.path().equals(exe) ? "the executable " : "the library ";
                throw new IllegalStateException(kind + then.path() + " was modified since the checkpoint (" + then.identity()
                        + " then, " + nowId + " now): restart with the program that was checkpointed");
            }
        }
    }

    /** The SHA-256 of a file as it is now (computed when it was identified by a build id instead). */
    private static String digestOf(MappedFile f) {
        if (f.sha256() != null) {
            return f.sha256();
        }
        try {
            return sha256(Path.of(f.path()));
        } catch (IOException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    /** The NT_GNU_BUILD_ID of a 64-bit little-endian ELF file in hex; null when it is not one or has none. */
    static String buildId(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer eh = read(ch, 0, 64);
            if (eh.remaining() < 64 || eh.getInt(0) != 0x464c457f || eh.get(4) != ELFCLASS64 || eh.get(5) != ELFDATA2LSB) {
                return null;
            }
            long phoff = eh.getLong(0x20);
            int phentsize = Short.toUnsignedInt(eh.getShort(0x36));
            int phnum = Short.toUnsignedInt(eh.getShort(0x38));
            if (phentsize < 56 || phnum == 0 || phnum >= 0xffff) {
                return null;
            }
            ByteBuffer ph = read(ch, phoff, phentsize * phnum);
            for (int i = 0; i + 56 <= ph.limit(); i += phentsize) {
                if (ph.getInt(i) != PT_NOTE) {
                    continue;
                }
                long off = ph.getLong(i + 8);
                long size = ph.getLong(i + 32);
                if (size <= 0 || size > MAX_NOTES) {
                    continue;
                }
                String id = buildIdNote(read(ch, off, (int) size));
                if (id != null) {
                    return id;
                }
            }
            return null;
        }
    }

    /** Walks the notes of one PT_NOTE segment (namesz, descsz, type, name and desc each padded to 4 bytes). */
    static String buildIdNote(ByteBuffer notes) {
        int p = 0;
        while (p + 12 <= notes.limit()) {
            long namesz = Integer.toUnsignedLong(notes.getInt(p));
            long descsz = Integer.toUnsignedLong(notes.getInt(p + 4));
            int type = notes.getInt(p + 8);
            long name = p + 12L;
            long desc = name + ((namesz + 3) & ~3L);
            long next = desc + ((descsz + 3) & ~3L);
            if (next > notes.limit()) {
                return null;
            }
            if (type == NT_GNU_BUILD_ID && namesz == 4 && notes.get((int) name) == 'G' && notes.get((int) name + 1) == 'N'
                    && notes.get((int) name + 2) == 'U' && notes.get((int) name + 3) == 0 && descsz > 0) {
                byte[] id = new byte[(int) descsz];
                notes.get((int) desc, id);
                return HexFormat.of().formatHex(id);
            }
            p = (int) next;
        }
        return null;
    }

    private static ByteBuffer read(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
            // until n bytes or the end of the file
        }
        return b.flip();
    }

    static String sha256(Path path) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(b) > 0) {
                md.update(b.flip());
                b.clear();
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
