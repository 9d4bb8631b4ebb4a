package dmtcp.runtime;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import org.junit.Test;

public class CommandQuickParseTest {
    private static CommandCli.Quick parse(Map<String, String> env, String... args) {
        return CommandCli.Quick.parse(args, env);
    }

    private static CommandCli.Quick parse(String... args) {
        return parse(Map.of(), args);
    }

    @Test
    public void theCommonLinesAreReadWithTheirDefaults() {
        CommandCli.Quick q = parse("-s");
        assertEquals("localhost", q.host);
        assertEquals(7779, q.port);
        assertFalse(q.json);
        assertArrayEquals(new String[] {"status", ""}, q.cmd);
        assertArrayEquals(new String[] {"bcheckpoint", ""}, parse("bc").cmd);
        assertArrayEquals(new String[] {"bcheckpoint", ""}, parse("--bcheckpoint").cmd);
        assertArrayEquals(new String[] {"list", ""}, parse("l").cmd);
        assertArrayEquals(new String[] {"interval", "30"}, parse("i", "30").cmd);
        assertArrayEquals(new String[] {"interval", "5"}, parse("--interval=5").cmd);
        assertArrayEquals(new String[] {"kill", ""}, parse("-k").cmd);
        assertArrayEquals(new String[] {"quit", ""}, parse("q").cmd);
    }

    @Test
    public void hostAndPortComeFromTheEnvironmentOrTheOptions() {
        Map<String, String> env = Map.of("DMTCP_HOST", "node7", "DMTCP_PORT", "4000");
        CommandCli.Quick q = parse(env, "-c");
        assertEquals("node7", q.host);
        assertEquals(4000, q.port);
        q = parse(env, "-p", "5000", "--coord-host=h2", "--json", "c");
        assertEquals("h2", q.host);
        assertEquals(5000, q.port);
        assertTrue(q.json);
        assertArrayEquals(new String[] {"checkpoint", ""}, q.cmd);
    }

    @Test
    public void everythingElseIsLeftToPicocliForItsMessages() {
        assertNull("help", parse("--help"));
        assertNull("help letter", parse("h"));
        assertNull("no command", parse());
        assertNull("two commands", parse("-s", "-l"));
        assertNull("an option and a letter", parse("-s", "l"));
        assertNull("unknown letter", parse("x"));
        assertNull("unknown option", parse("--frobnicate"));
        assertNull("a value missing", parse("-s", "-p"));
        assertNull("a bad port", parse("-p", "99999", "-s"));
        assertNull("a port that is no number", parse("-p", "x", "-s"));
        assertNull("a bad port in the environment", parse(Map.of("DMTCP_PORT", "x"), "-s"));
        assertNull("negative seconds", parse("i", "-1"));
        assertNull("seconds missing", parse("i"));
        assertNull("a letter with an extra argument", parse("s", "3"));
        assertNull("--json=yes", parse("--json=yes", "-s"));
    }
}
