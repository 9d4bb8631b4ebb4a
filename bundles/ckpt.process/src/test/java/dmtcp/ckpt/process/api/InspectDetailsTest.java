package dmtcp.ckpt.process.api;

import static org.junit.Assert.assertEquals;

import com.google.gson.JsonParser;
import org.junit.Test;

/** dmtcp_inspect's one line per handler record, for kinds it has no handler of. */
public class InspectDetailsTest {
    private static String details(String json) {
        return Inspect.details(JsonParser.parseString(json).getAsJsonObject());
    }

    @Test
    public void thePathComesFirstAndTheModeIsOctal() {
        assertEquals("/etc/hostname mode=0100644 offset=12", details("{\"mode\":33188,\"offset\":12,\"path\":\"/etc/hostname\"}"));
    }

    @Test
    public void everyMemberOfAnotherKindIsShownByName() {
        assertEquals("count=5 semaphore=true", details("{\"count\":5,\"semaphore\":true}"));
        assertEquals("entries=[{\"fd\":5,\"events\":25,\"data\":42}]", details("{\"entries\":[{\"fd\":5,\"events\":25,\"data\":42}]}"));
        assertEquals("end=\"read\" content=\"YWJj\"", details("{\"end\":\"read\",\"content\":\"YWJj\"}"));
    }

    @Test
    public void longValuesAreShownByTheirSize() {
        String big = "A".repeat(100);
        assertEquals("content=(100 chars) list=[40 items]",
                details("{\"content\":\"" + big + "\",\"list\":[" + "1,".repeat(39) + "1]}"));
    }
}
