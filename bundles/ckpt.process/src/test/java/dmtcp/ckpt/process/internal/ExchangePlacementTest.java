package dmtcp.ckpt.process.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ExchangePlacementTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theTwoNamesAreSwappedInOneStep() throws Exception {
        Path target = tmp.newFile("ckpt_a_1.dmtcp").toPath();
        Files.writeString(target, "old");
        Path fresh = tmp.newFile(".ckpt_a_1.dmtcp.1-1.tmp").toPath();
        Files.writeString(fresh, "new");
        long oldInode = (Long) Files.getAttribute(target, "unix:ino");
        assertTrue(new ExchangePlacement().exchange(fresh, target));
        assertEquals("new", Files.readString(target));
        assertEquals("old", Files.readString(fresh));
        assertEquals(oldInode, Files.getAttribute(fresh, "unix:ino"));
    }

    @Test
    public void aMissingImageIsDeclinedAndNothingChanges() throws Exception {
        Path fresh = tmp.newFile(".ckpt_b_1.dmtcp.1-2.tmp").toPath();
        Files.writeString(fresh, "new");
        Path target = tmp.getRoot().toPath().resolve("ckpt_b_1.dmtcp");
        assertFalse(new ExchangePlacement().exchange(fresh, target));
        assertEquals("new", Files.readString(fresh));
        assertFalse(Files.exists(target));
    }
}
