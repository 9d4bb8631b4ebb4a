package dmtcp.core.barrier.protocol;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class UserKeyTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    public void theHmacIsRfc2104HmacSha256() throws Exception {
        // RFC 4231 test cases 1, 2 and 6 (a key longer than the block is hashed first)
        assertArrayEquals(hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
                UserKey.rfc2104(hex("0b".repeat(20)), s -> s.update("Hi There".getBytes())));
        assertArrayEquals(hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
                UserKey.rfc2104("Jefe".getBytes(), s -> s.update("what do ya want for nothing?".getBytes())));
        assertArrayEquals(hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
                UserKey.rfc2104(hex("aa".repeat(131)),
                        s -> s.update("Test Using Larger Than Block-Size Key - Hash Key First".getBytes())));
        // and javax.crypto.Mac agrees on random keys and messages of every size around the block
        Random r = new Random(7);
        Mac mac = Mac.getInstance("HmacSHA256");
        for (int n = 0; n < 200; n++) {
            byte[] key = new byte[1 + r.nextInt(150)];
            byte[] msg = new byte[r.nextInt(300)];
            r.nextBytes(key);
            r.nextBytes(msg);
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            assertArrayEquals(mac.doFinal(msg), UserKey.rfc2104(key, s -> s.update(msg)));
        }
    }

    @Test
    public void partsAreLengthPrefixedSoTheirBoundariesCount() {
        byte[] k = new byte[32];
        assertFalse(UserKey.same(UserKey.hmacWith(k, "ab".getBytes(), "c".getBytes()),
                UserKey.hmacWith(k, "a".getBytes(), "bc".getBytes())));
    }

    @Test
    public void theKeyIsCreatedOnFirstUsePrivateAndTheSameAfterwards() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("config/dmtcp/key");
        UserKey a = UserKey.loadOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(UserKey.KEY_BYTES, Files.size(file));
        UserKey b = UserKey.loadOrCreate(file);
        assertArrayEquals(a.hmac("x".getBytes()), b.hmac("x".getBytes()));
        try (var s = Files.list(file.getParent())) {
            assertEquals("nothing but the key in its folder", List.of(file), s.toList());
        }
    }

    @Test
    public void processesCreatingTheKeyAtOnceAllEndWithTheSameOne() throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            Path file = tmp.getRoot().toPath().resolve("race" + attempt + "/dmtcp/key");
            int n = 8;
            CyclicBarrier start = new CyclicBarrier(n);
            ExecutorService pool = Executors.newFixedThreadPool(n);
            List<Future<byte[]>> keys = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                keys.add(pool.submit(() -> {
                    start.await();
                    return UserKey.loadOrCreate(file).hmac("probe".getBytes());
                }));
            }
            byte[] first = keys.get(0).get(20, TimeUnit.SECONDS);
            for (Future<byte[]> k : keys) {
                assertArrayEquals("attempt " + attempt, first, k.get(20, TimeUnit.SECONDS));
            }
            pool.shutdown();
            try (var s = Files.list(file.getParent())) {
                assertEquals("no temporary file left", List.of(file), s.toList());
            }
        }
    }

    @Test
    public void aKeyOthersCouldReadIsRefusedNamingTheFileAndTheFix() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("k/key");
        UserKey.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        String m = refusal(file);
        assertTrue(m, m.contains(file + " has mode 0644: others could read the key; chmod 600 it"));
    }

    @Test
    public void aFolderOthersCanWriteIsRefused() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("k/key");
        UserKey.loadOrCreate(file);
        Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        String m = refusal(file);
        assertTrue(m, m.contains("key folder " + file.getParent() + " has mode 0777: others could put another key there"));
        // and so is a key to be created in a shared folder such as /tmp
        Path shared = tmp.newFolder("shared").toPath();
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        String m2 = refusal(shared.resolve("key"));
        assertTrue(m2, m2.contains("key folder " + shared + " has mode 0777"));
        assertFalse(Files.exists(shared.resolve("key")));
    }

    @Test
    public void aSymbolicLinkOrAShortFileIsRefused() throws Exception {
        Path dir = tmp.newFolder("links").toPath();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path real = dir.resolve("real");
        Files.write(real, new byte[32]);
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-------"));
        Path link = Files.createSymbolicLink(dir.resolve("key"), real);
        assertTrue(refusal(link), refusal(link).contains("is not a regular file"));
        Path shortKey = dir.resolve("short");
        Files.write(shortKey, new byte[5]);
        Files.setPosixFilePermissions(shortKey, PosixFilePermissions.fromString("rw-------"));
        assertTrue(refusal(shortKey), refusal(shortKey).contains("holds 5 bytes"));
    }

    @Test
    public void aKeyFileOfAnotherUserIsRefused() throws Exception {
        Assume.assumeTrue("needs root to give a file away", UserKey.currentUid() == 0);
        Path file = tmp.getRoot().toPath().resolve("k/key");
        UserKey.loadOrCreate(file);
        Files.setAttribute(file, "unix:uid", 4242);
        String m = refusal(file);
        assertTrue(m, m.contains("key file " + file + " belongs to uid 4242, not to this user (uid 0)"));
    }

    @Test
    public void theDefaultPlaceIsDmtcpKeyFileThenXdgThenTheRealHome() {
        assertEquals(Path.of("/k/mine"), UserKey.defaultPath(Map.of("DMTCP_KEY_FILE", "/k/mine", "XDG_CONFIG_HOME", "/x"), "/h"));
        assertEquals(Path.of("/x/dmtcp/key"), UserKey.defaultPath(Map.of("XDG_CONFIG_HOME", "/x"), "/h"));
        assertEquals(Path.of("/h/.config/dmtcp/key"), UserKey.defaultPath(Map.of("HOME", "/elsewhere"), "/h"));
        assertEquals("a relative XDG_CONFIG_HOME is ignored, as the XDG spec says",
                Path.of("/h/.config/dmtcp/key"), UserKey.defaultPath(Map.of("XDG_CONFIG_HOME", "rel"), "/h"));
    }

    @Test
    public void theUidIsThisProcesssOwner() throws Exception {
        Path f = tmp.newFile().toPath();
        assertEquals(Files.getAttribute(f, "unix:uid"), UserKey.currentUid());
    }

    private static String refusal(Path file) {
        try {
            UserKey.loadOrCreate(file);
        } catch (UserKey.KeyFileException e) {
            assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
            return e.getMessage();
        } catch (Exception e) {
            throw new AssertionError("not a KeyFileException: " + e, e);
        }
        fail("accepted " + file);
        return null;
    }
}
