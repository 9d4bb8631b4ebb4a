package dmtcp.runtime.e2e;

import static dmtcp.runtime.e2e.Tools.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Another local user against a user's computation (doc/security.md): a second ordinary
 * user, {@value #OTHER}, tries dmtcp_command --kill, --list and --quit on a computation of
 * root and on one of {@code dmtcptest}, and joins one as a fake participant speaking the
 * protocol with a key of its own; every attempt is refused and logged with its uid, and the
 * program runs on and is checkpointed again. A program on the port that does not hold the
 * key cannot make a launcher obey kill. A key file others could read is refused.
 */
public class SecurityIT {
    /** The second ordinary user (.ci/run creates it, beside dmtcptest). */
    static final String OTHER = System.getProperty("dmtcp.e2e.other", "dmtcpother");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public Tools.Cleanup cleanup = new Tools.Cleanup();

    /** A counter program of {@code owner} under dmtcp_checkpoint, joined to a coordinator of {@code owner}. */
    private record Computation(Tools.Coordinator coord, String port, Path ticks) {
        static Computation start(Tools owner) throws Exception {
            Path counter = owner.compile("counter");
            Path ticks = owner.workDir.resolve("ticks");
            Tools.Coordinator coord = owner.coordinator("coord");
            String p = String.valueOf(coord.port);
            owner.start("launch", "dmtcp_checkpoint", "-p", p, "--join", counter.toString(), ticks.toString());
            Tools.waitFor("the participant", 30, () -> owner.status(p).contains("NUM_PEERS=1"));
            return new Computation(coord, p, ticks);
        }
    }

    private static boolean userExists(String user) throws Exception {
        return new ProcessBuilder("id", user).start().waitFor() == 0;
    }

    private static int uid(String user) throws Exception {
        Process p = new ProcessBuilder("id", "-u", user).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor());
        return Integer.parseInt(out);
    }

    private static void assumeRootAndUsers(String... users) throws Exception {
        Assume.assumeTrue("needs root to run tools as other users", "root".equals(System.getProperty("user.name")));
        for (String u : users) {
            Assume.assumeTrue("user " + u + " exists (.ci/run creates it)", userExists(u));
        }
    }

    /** A folder everyone may write, like /tmp (each user's tools keep their private folder under it). */
    private Path shared(String name) throws IOException {
        Files.setPosixFilePermissions(tmp.getRoot().toPath(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path d = tmp.newFolder(name).toPath();
        Tools.sharedLikeTmp(d);
        return d;
    }

    @Test
    public void anotherUserCannotKillListOrQuitRootsComputation() throws Exception {
        assumeRootAndUsers(OTHER);
        refusedAgainst(new Tools(null, shared("owner")));
    }

    @Test
    public void anotherUserCannotKillListOrQuitAnOrdinaryUsersComputation() throws Exception {
        assumeRootAndUsers(OTHER, CommandLineIT.USER);
        refusedAgainst(new Tools(CommandLineIT.USER, shared("owner")));
    }

    private void refusedAgainst(Tools owner) throws Exception {
        Tools other = new Tools(OTHER, shared("other"));
        Computation c = Computation.start(owner);
        Path ticks = c.ticks();
        Tools.Coordinator coord = c.coord();
        String p = c.port();

        int otherUid = uid(OTHER);
        for (String verb : List.of("--kill", "--list", "--quit", "--bcheckpoint", "--status")) {
            Tools.Result r = other.run("dmtcp_command", "-p", p, verb);
            assertEquals(verb + ": " + r.err(), 1, r.exit());
            assertEquals("one line: " + r.err(), "dmtcp_command: the coordinator at localhost:" + p
                    + " refused: authentication failed (this user's key ~/.config/dmtcp/key is not the coordinator's)",
                    r.err().strip());
            assertEquals("nothing on stdout", "", r.out());
        }
        // the coordinator logged who each was
        Matcher m = Pattern.compile("refused 127\\.0\\.0\\.1:\\d+ \\(local user " + OTHER + ", uid " + otherUid
                + "\\): bad key").matcher(owner.output("coord", "err"));
        int refusals = 0;
        while (m.find()) {
            refusals++;
        }
        assertEquals(owner.output("coord", "err"), 5, refusals);

        // the program ran on, and its owner checkpoints it again
        int before = Tools.lines(ticks);
        Tools.waitFor("the program to go on", 20, () -> Tools.lines(ticks) > before + 3);
        assertTrue(coord.process.isAlive());
        Tools.Result bc = owner.run("dmtcp_command", "-p", p, "-bc").ok();
        assertContains(bc.out(), "1 participant(s), 1 image(s)");
        int after = Tools.lines(ticks);
        Tools.waitFor("the program to go on after the checkpoint", 20, () -> Tools.lines(ticks) > after + 3);
        owner.run("dmtcp_command", "-p", p, "-q").ok();
        assertTrue(coord.process.waitFor(20, TimeUnit.SECONDS));
    }

    @Test
    public void aFakeParticipantWithAnotherKeyIsRefusedAndLoggedWithItsUid() throws Exception {
        assumeRootAndUsers(OTHER);
        Tools owner = new Tools(null, shared("owner"));
        Computation c = Computation.start(owner);
        Path ticks = c.ticks();
        String p = c.port();

        // the other user's client speaks the protocol by hand (bash's /dev/tcp), proving a key
        // it does not have, and claims the processes of a real participant (pid 1 among them)
        String zeros = Base64.getEncoder().encodeToString(new byte[32]);
        String hello = "{\"type\":\"hello\",\"version\":2,\"role\":\"launch\",\"name\":\"fake\",\"pid\":1,"
                + "\"procs\":[{\"pid\":1,\"name\":\"init\",\"uid\":\"x\"}],\"nonce\":\"" + zeros + "\",\"proof\":\"" + zeros + "\"}";
        String script = "exec 3<>/dev/tcp/127.0.0.1/" + p + " || exit 9\n"
                + "read -r challenge <&3\n"
                + "printf '%s\\n' \"$challenge\"\n"
                + "printf '%s\\n' '" + hello + "' >&3\n"
                + "read -r reply <&3\n"
                + "printf '%s\\n' \"$reply\"\n";
        Process fake = new ProcessBuilder("runuser", "-u", OTHER, "--", "bash", "-c", script).start();
        assertTrue(fake.waitFor(30, TimeUnit.SECONDS));
        List<String> seen = new String(fake.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(seen.toString(), 2, seen.size());
        assertContains(seen.get(0), "\"type\":\"challenge\"");
        assertContains(seen.get(1), "\"type\":\"refused\"");
        assertContains(seen.get(1), "authentication failed");
        Tools.waitFor("the refusal in the coordinator's log", 10, () -> {
            try {
                return owner.output("coord", "err").matches("(?s).*refused 127\\.0\\.0\\.1:\\d+ \\(local user " + OTHER
                        + ", uid " + uid(OTHER) + "\\): bad key.*");
            } catch (Exception e) {
                return false;
            }
        });
        // no ghost: one participant, and rounds succeed
        assertContains(owner.status(p), "NUM_PEERS=1");
        for (int i = 0; i < 2; i++) {
            assertContains(owner.run("dmtcp_command", "-p", p, "-bc").ok().out(), "1 participant(s), 1 image(s)");
        }
        int after = Tools.lines(ticks);
        Tools.waitFor("the program to go on", 20, () -> Tools.lines(ticks) > after + 3);
        owner.run("dmtcp_command", "-p", p, "-q").ok();
    }

    /**
     * What another user can run on a port: a coordinator without the key (python3, as that
     * user), which welcomes its client with a made-up proof and tells it to kill; prints
     * its port, then what the client sent first.
     */
    private static final String IMPOSTOR = String.join("\n",
            "import base64, json, socket",
            "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(5)",
            "print(s.getsockname()[1], flush=True)",
            "zero = base64.b64encode(bytes(32)).decode()",
            "said = False",
            // every connection: the launcher's probe (closed at once), its announcement, its participant
            "while True:",
            "    c, _ = s.accept(); f = c.makefile('rw')",
            "    def send(m): f.write(json.dumps(m) + '\\n'); f.flush()",
            "    try:",
            "        send({'type': 'challenge', 'version': 2, 'nonce': zero})",
            "        line = f.readline()",
            "        if not line:",
            "            continue",
            "        if not said:",
            "            print(json.loads(line)['type'], flush=True); said = True",
            "        send({'type': 'welcome', 'proof': zero}); send({'type': 'admitted', 'id': 1}); send({'type': 'kill'})",
            "    except OSError:",
            "        continue",
            "");

    @Test
    public void aProgramOfAnotherUserOnThePortCannotMakeALauncherObeyKill() throws Exception {
        assumeRootAndUsers(OTHER);
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path counter = t.compile("counter");
        Path ticks = t.workDir.resolve("ticks");
        Process impostor = new ProcessBuilder("runuser", "-u", OTHER, "--", "/usr/bin/python3", "-c", IMPOSTOR).start();
        try {
            java.io.BufferedReader said = new java.io.BufferedReader(new java.io.InputStreamReader(
                    impostor.getInputStream(), StandardCharsets.UTF_8));
            String port = said.readLine();
            assertTrue("the impostor's port: " + port, port != null && port.matches("\\d+"));
            Process launcher = t.start("launch", "dmtcp_checkpoint", "-p", port, "--join", counter.toString(),
                    ticks.toString());
            assertEquals("hello", said.readLine());
            String expected = "localhost:" + port + " is not this user's coordinator: it could not prove it holds this"
                    + " user's key ~/.config/dmtcp/key (another user's coordinator, or another program on that port); the"
                    + " program runs on without checkpoints";
            Tools.waitFor("the launcher to say so", 30, () -> {
                try {
                    return t.output("launch", "err").contains(expected);
                } catch (IOException e) {
                    return false;
                }
            });
            int seen = Tools.lines(ticks);
            Tools.waitFor("the program to run on", 20, () -> Tools.lines(ticks) > seen + 5);
            assertTrue("the launcher and its program still run", launcher.isAlive());
            assertFalse(t.output("launch", "err"), t.output("launch", "err").contains("Exception"));
        } finally {
            impostor.destroyForcibly();
        }
    }

    @Test
    public void aKeyFileOthersCouldReadIsRefusedByEveryTool() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path dir = tmp.newFolder("keys").toPath();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path key = dir.resolve("key");
        Files.write(key, new byte[32]);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        t.env.put("DMTCP_KEY_FILE", key.toString());
        String why = "key file " + key + " has mode 0644: others could read the key; chmod 600 it";

        Tools.Result coord = t.run("dmtcp_coordinator", "-p", "0", "--exit-on-last");
        assertEquals(coord.err(), 1, coord.exit());
        assertContains(coord.err(), "dmtcp_coordinator: " + why);
        assertFalse(coord.err(), coord.err().contains("Exception"));

        // against a coordinator of this user with a good key, the bad one is refused before connecting further
        Tools good = new Tools(null, tmp.newFolder("good").toPath());
        Tools.Coordinator c = good.coordinator("coord");
        Tools.Result cmd = t.run("dmtcp_command", "-p", String.valueOf(c.port), "-s");
        assertEquals(1, cmd.exit());
        assertEquals("dmtcp_command: " + why, cmd.err().strip());
        good.run("dmtcp_command", "-p", String.valueOf(c.port), "-q").ok();
    }

    @Test
    public void theKeyIsCreatedOnFirstUseInThePlaceDmtcpKeyFileNames() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        Path key = tmp.getRoot().toPath().resolve("fresh/dmtcp/key");
        t.env.put("DMTCP_KEY_FILE", key.toString());
        Tools.Coordinator c = t.coordinator("coord");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())));
        assertEquals(32, Files.size(key));
        t.run("dmtcp_command", "-p", String.valueOf(c.port), "-s").ok();
        // a client without DMTCP_KEY_FILE uses the default key: not this coordinator's
        Tools plain = new Tools(null, tmp.getRoot().toPath());
        Tools.Result r = plain.run("dmtcp_command", "-p", String.valueOf(c.port), "-s");
        assertEquals(1, r.exit());
        assertContains(r.err(), "refused: authentication failed");
        t.run("dmtcp_command", "-p", String.valueOf(c.port), "-q").ok();
    }

    @Test
    public void theHelpOfEveryToolThatConnectsNamesDmtcpKeyFile() throws Exception {
        Tools t = new Tools(null, tmp.getRoot().toPath());
        for (String tool : List.of("dmtcp_command", "dmtcp_coordinator", "dmtcp_checkpoint", "dmtcp_launch", "dmtcp_restart")) {
            assertContains(t.run(tool, "--help").ok().out(), "DMTCP_KEY_FILE             this user's key");
        }
    }
}
