package dmtcp.core.barrier.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;

/**
 * This user's secret, the one thing that lets a connection into a coordinator
 * (doc/security.md): 32 random bytes in a file only the user can read, in a folder only
 * the user can write, created on first use. Both sides of the handshake use it: the
 * client proves it holds the key, the coordinator proves it back, and both derive the keys
 * that authenticate every later line, all with HMAC-SHA256. The key itself never leaves
 * the file.
 *
 * <p>HMAC is built here from the JDK's SHA-256 ({@code MessageDigest}, RFC 2104) rather
 * than with {@code javax.crypto.Mac}, and nonces come from {@code /dev/urandom} rather
 * than {@code SecureRandom}: loading the JCE provider and seeding a SecureRandom cost
 * dmtcp_command 30-60 ms at every call, the construction is ten lines, and the unit test
 * checks it against {@code Mac} (RFC 4231's vectors).
 */
public final class UserKey {
    /** The environment variable naming the key file, for hosts that share it some other way. */
    public static final String ENV = "DMTCP_KEY_FILE";
    /** Bytes of a key this class creates; a key file holds at least this many. */
    public static final int KEY_BYTES = 32;
    /** Bytes of every nonce of the handshake. */
    public static final int NONCE_BYTES = 32;
    private static final int MAX_KEY_BYTES = 4096;
    private static final int SHA256_BLOCK = 64;

    private final Path file;
    private final byte[] key;

    private UserKey(Path file, byte[] key) {
        this.file = file;
        this.key = key;
    }

    /**
     * Where this user's key lives: {@code $DMTCP_KEY_FILE}, else
     * {@code $XDG_CONFIG_HOME/dmtcp/key}, else {@code ~/.config/dmtcp/key} where ~ is the
     * home directory of the passwd entry of the user this process runs as (the JVM's
     * {@code user.home}), not {@code $HOME}, which sudo and runuser may leave at another
     * user's home.
     */
    public static Path defaultPath() {
        return defaultPath(System.getenv(), System.getProperty("user.home"));
    }

    static Path defaultPath(Map<String, String> env, String home) {
        String explicit = env.get(ENV);
        if (explicit != null && !explicit.isEmpty()) {
            return Path.of(explicit).toAbsolutePath().normalize();
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path config = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(home, ".config");
        return config.resolve("dmtcp").resolve("key");
    }

    /**
     * Reads the key at {@code file}, creating it (and its folder, mode 0700) if there is
     * none yet. Two processes creating it at once end with the same key: each writes a
     * temporary file and links it to the name, which only one link can take, then both read
     * what the name holds.
     *
     * @throws IOException with a one-line message naming the file when it cannot be read or
     *     created, or when another user could read it or put another key in its place
     */
    public static UserKey loadOrCreate(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            create(dir, file);
        }
        return load(file);
    }

    /** Reads an existing key file after checking who could have read or replaced it. */
    public static UserKey load(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        int uid = currentUid();
        checkOwner(dir, uid, true);
        checkOwner(file, uid, false);
        byte[] key;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            key = in.readNBytes(MAX_KEY_BYTES + 1);
        } catch (IOException e) {
            throw new KeyFileException("cannot read the key file " + display(file) + ": " + reason(e));
        }
        if (key.length < KEY_BYTES || key.length > MAX_KEY_BYTES) {
            throw new KeyFileException("key file " + display(file) + " holds " + key.length + " bytes, not "
                    + KEY_BYTES + " to " + MAX_KEY_BYTES + " (remove it and a new one is made)");
        }
        return new UserKey(file, key);
    }

    private static void create(Path dir, Path file) throws IOException {
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException raced) {
                    // another process made it: its owner and mode are checked below
                }
            }
            checkOwner(dir, currentUid(), true);
            Path tmp = Files.createTempFile(dir, ".key-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.write(tmp, randomBytes(KEY_BYTES), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.SYNC);
                Files.createLink(file, tmp);
            } catch (FileAlreadyExistsException raced) {
                // another process linked its key first: everyone uses that one
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (KeyFileException e) {
            throw e;
        } catch (IOException e) {
            throw new KeyFileException("cannot create the key file " + display(file) + ": " + reason(e));
        }
    }

    /**
     * Refuses a key file or folder another user could read, replace or write into: it must
     * be owned by this user, be what it claims (a directory, or a regular file and not a
     * symbolic link), and give no permission to group or others (the folder may let them
     * in, never write).
     */
    private static void checkOwner(Path p, int uid, boolean directory) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new KeyFileException("no key file " + display(p) + " (it is created on first use; "
                    + ENV + " names another place)");
        } catch (IOException e) {
            throw new KeyFileException("cannot read the key file " + display(p) + ": " + reason(e));
        }
        int owner = (Integer) a.get("uid");
        int mode = (Integer) a.get("mode");
        int type = mode & 0170000;
        String what = directory ? "key folder" : "key file";
        if (type != (directory ? 0040000 : 0100000)) {
            throw new KeyFileException(what + " " + display(p) + " is not a " + (directory ? "directory" : "regular file")
                    + "; refusing it");
        }
        if (owner != uid) {
            throw new KeyFileException(what + " " + display(p) + " belongs to uid " + owner + ", not to this user (uid "
                    + uid + "): another user could read or replace the key; refusing it");
        }
        int forbidden = directory ? 0022 : 0077;
        if ((mode & forbidden) != 0) {
            throw new KeyFileException(what + " " + display(p) + " has mode " + String.format("%04o", mode & 07777)
                    + ": others could " + (directory ? "put another key there" : "read the key")
                    + "; chmod " + (directory ? "700" : "600") + " it");
        }
    }

    /** The key file as messages show it: with ~ for the user's home. */
    public String display() {
        return display(file);
    }

    public Path file() {
        return file;
    }

    static String display(Path p) {
        String home = System.getProperty("user.home");
        String s = p.toString();
        return home != null && home.length() > 1 && s.startsWith(home + "/") ? "~" + s.substring(home.length()) : s;
    }

    /** The file and the errno's text. */
    private static String reason(IOException e) {
        String file = e instanceof java.nio.file.FileSystemException f && f.getFile() != null ? f.getFile() + ": " : "";
        return file + FileErrors.reason(e);
    }

    // ------------------------------------------------------------------ HMAC

    /**
     * HMAC-SHA256 of the parts, each prefixed with its length so that no two different
     * lists of parts hash the same (the domain separation of doc/security.md).
     */
    byte[] hmac(byte[]... parts) {
        return hmacWith(key, parts);
    }

    static byte[] hmacWith(byte[] key, byte[]... parts) {
        return rfc2104(key, sha -> {
            for (byte[] p : parts) {
                sha.update(new byte[] {(byte) (p.length >>> 24), (byte) (p.length >>> 16), (byte) (p.length >>> 8),
                    (byte) p.length});
                sha.update(p);
            }
        });
    }

    /** RFC 2104: H((K ^ opad) || H((K ^ ipad) || message)), the message fed by {@code message}. */
    static byte[] rfc2104(byte[] key, java.util.function.Consumer<MessageDigest> message) {
        MessageDigest sha = sha256();
        byte[] pad = Arrays.copyOf(key.length > SHA256_BLOCK ? sha.digest(key) : key, SHA256_BLOCK);
        for (int i = 0; i < pad.length; i++) {
            pad[i] ^= 0x36;
        }
        sha.update(pad);
        message.accept(sha);
        byte[] inner = sha.digest();
        for (int i = 0; i < pad.length; i++) {
            pad[i] ^= 0x36 ^ 0x5c;
        }
        sha.update(pad);
        return sha.digest(inner);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Constant-time comparison: how long it takes says nothing about where a forged proof differs. */
    static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes from the kernel's random generator (what SecureRandom's NativePRNG reads too). */
    static byte[] randomBytes(int n) {
        try (InputStream in = Files.newInputStream(Path.of("/dev/urandom"))) {
            byte[] b = in.readNBytes(n);
            if (b.length != n) {
                throw new IOException("short read");
            }
            return b;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /dev/urandom: " + e.getMessage(), e);
        }
    }

    /**
     * The effective uid of this process, which must own the key file (and, at the
     * coordinator, every image the restart script names). From /proc/self/status: the JDK
     * has no getuid, and only mem.native may use JNA.
     */
    public static int currentUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read this process's uid from /proc/self/status: " + e, e);
        }
        throw new IllegalStateException("no Uid line in /proc/self/status");
    }

    /** A key file that is missing, unreadable, or that another user could read or replace. */
    public static final class KeyFileException extends IOException {
        private static final long serialVersionUID = 1L;

        KeyFileException(String message) {
            super(message);
        }
    }
}
