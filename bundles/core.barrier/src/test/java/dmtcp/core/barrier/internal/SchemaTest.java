package dmtcp.core.barrier.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.Test;

public class SchemaTest {
    private static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    private static String participant(String s) {
        return Schema.participant(json(s));
    }

    private static String hello(String s) {
        return Schema.hello(json(s));
    }

    @Test
    public void theMessagesParticipantsSendPass() {
        assertNull(participant("{\"type\":\"plan\",\"round\":3,\"barriers\":[\"a:B\"]}"));
        assertNull(participant("{\"type\":\"stage-done\",\"round\":3,\"stage\":\"CHECKPOINTED\",\"ok\":true,"
                + "\"images\":[\"/c/ckpt_a_1.dmtcp\"]}"));
        assertNull(participant("{\"type\":\"stage-done\",\"round\":3,\"stage\":\"DRAINED\",\"ok\":false,\"error\":\"x\"}"));
        assertNull(participant("{\"type\":\"barrier\",\"round\":1,\"name\":\"a:B\"}"));
        assertNull(participant("{\"type\":\"progress\",\"round\":1,\"done\":5,\"total\":10}"));
        assertNull(participant("{\"type\":\"publish\",\"key\":\"k\",\"value\":null}"));
        assertNull(participant("{\"type\":\"query\",\"req\":0,\"key\":\"k\"}"));
        assertNull(participant("{\"type\":\"procs\",\"procs\":[{\"pid\":4711,\"name\":\"a\",\"uid\":\"u\"}]}"));
        assertNull(hello("{\"type\":\"hello\",\"role\":\"restart\",\"name\":\"a\",\"host\":\"h\",\"pid\":9,"
                + "\"procs\":[],\"images\":2,\"expect\":2,\"uids\":[\"u1\",\"u2\"]}"));
        assertNull("a command client's hello has nothing else to check", hello("{\"type\":\"hello\",\"role\":\"command\"}"));
        assertNull(Schema.command(json("{\"type\":\"command\",\"verb\":\"status\",\"value\":\"\"}")));
    }

    @Test
    public void everyFieldTheEngineReadsIsCheckedForTypeAndRange() {
        assertEquals("field 'procs[0].pid' must be a whole number from 1 to 2147483647, got 0",
                hello("{\"type\":\"hello\",\"role\":\"launch\",\"procs\":[{\"pid\":0}]}"));
        assertEquals("field 'procs[1].pid' must be a whole number from 1 to 2147483647, got \"abc\"",
                hello("{\"type\":\"hello\",\"role\":\"launch\",\"procs\":[{\"pid\":5},{\"pid\":\"abc\"}]}"));
        assertEquals("field 'procs[0]' must be a process object, got 1",
                hello("{\"type\":\"hello\",\"role\":\"launch\",\"procs\":[1]}"));
        assertEquals("field 'procs' must be an array of processes, got {}",
                hello("{\"type\":\"hello\",\"role\":\"launch\",\"procs\":{}}"));
        assertEquals("field 'pid' must be a whole number from 1 to 2147483647, got 4.5",
                hello("{\"type\":\"hello\",\"role\":\"launch\",\"pid\":4.5}"));
        assertEquals("field 'pid' must be a whole number from 1 to 2147483647, got 99999999999",
                hello("{\"type\":\"hello\",\"role\":\"launch\",\"pid\":99999999999}"));
        assertEquals("field 'images' must be a whole number from 0 to 2147483647, got -1",
                hello("{\"type\":\"hello\",\"role\":\"restart\",\"images\":-1}"));
        assertEquals("field 'uids[1]' must be a string, got 7",
                hello("{\"type\":\"hello\",\"role\":\"restart\",\"uids\":[\"a\",7]}"));
        assertEquals("field 'name' must be a string, got [\"a\"]",
                hello("{\"type\":\"hello\",\"role\":\"launch\",\"name\":[\"a\"]}"));
        assertEquals("field 'pid' must be a whole number from 1 to 2147483647, got 1e400000",
                hello("{\"type\":\"hello\",\"role\":\"launch\",\"pid\":1e400000}"));
        assertEquals("stage-done: field 'stage' must name a stage, got \"BOGUS\"",
                participant("{\"type\":\"stage-done\",\"round\":1,\"stage\":\"BOGUS\",\"ok\":true}"));
        assertEquals("stage-done: field 'ok' must be true or false, got \"yes\"",
                participant("{\"type\":\"stage-done\",\"round\":1,\"stage\":\"DRAINED\",\"ok\":\"yes\"}"));
        assertEquals("stage-done: field 'ok' is missing",
                participant("{\"type\":\"stage-done\",\"round\":1,\"stage\":\"DRAINED\"}"));
        assertEquals("plan: field 'round' must be a whole number from 0 to 9223372036854775807, got -2",
                participant("{\"type\":\"plan\",\"round\":-2}"));
        assertEquals("query: field 'req' is missing", participant("{\"type\":\"query\",\"key\":\"k\"}"));
        assertEquals("publish: field 'value' must be a string, got {\"a\":1}",
                participant("{\"type\":\"publish\",\"key\":\"k\",\"value\":{\"a\":1}}"));
        assertEquals("procs: field 'procs[0].pid' is missing", participant("{\"type\":\"procs\",\"procs\":[{}]}"));
    }

    @Test
    public void unknownTypesAndRolesAreRefused() {
        assertEquals("message type \"command\" is not one of barrier, plan, procs, progress, publish, query, stage-done",
                participant("{\"type\":\"command\",\"verb\":\"kill\"}"));
        assertEquals("message type nothing is not one of barrier, plan, procs, progress, publish, query, stage-done",
                participant("{\"round\":1}"));
        assertEquals("message type \"plan\" is not one of command", Schema.command(json("{\"type\":\"plan\",\"round\":1}")));
        assertEquals("field 'announce' is missing", Schema.hello(json("{\"type\":\"hello\",\"role\":\"announce\"}")));
        assertNull(Schema.hello(json("{\"type\":\"hello\",\"role\":\"announce\",\"announce\":\"12-34-ab\",\"pid\":12}")));
        assertEquals("role \"admin\" is not one of announce, command, launch, restart",
                Schema.helloHeader(json("{\"type\":\"hello\",\"version\":2,\"role\":\"admin\"}")));
        assertEquals("protocol version 1 is not this coordinator's (2)",
                Schema.helloHeader(json("{\"type\":\"hello\",\"version\":1,\"role\":\"launch\"}")));
        assertEquals("expected hello, got \"command\"", Schema.helloHeader(json("{\"type\":\"command\"}")));
        assertNull(Schema.helloHeader(json("{\"type\":\"hello\",\"version\":2,\"role\":\"launch\"}")));
    }
}
