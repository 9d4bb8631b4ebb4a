package dmtcp.itests;

import dmtcp.core.barrier.spi.BarrierHook;
import dmtcp.core.barrier.spi.StageContext;
import java.util.List;

/**
 * A hook registered from the test probe: appends {@code "<name>:<method>@<stage>"} to a
 * shared journal at every call, and throws in the one method named by {@code failIn}.
 */
final class RecordingHook implements BarrierHook {
    private final String name;
    private final List<String> journal;
    private final String failIn;

    RecordingHook(String name, List<String> journal) {
        this(name, journal, null);
    }

    RecordingHook(String name, List<String> journal, String failIn) {
        this.name = name;
        this.journal = journal;
        this.failIn = failIn;
    }

    static String entry(String name, String method, Object stage) {
        return name + ":" + method + "@" + stage;
    }

    private void record(String method, StageContext ctx) {
        journal.add(entry(name, method, ctx.stage()));
        if (method.equals(failIn)) {
            throw new IllegalStateException("boom in " + method + " (deliberate test failure)");
        }
    }

    @Override
    public void suspend(StageContext ctx) {
        record("suspend", ctx);
    }

    @Override
    public void electLeaders(StageContext ctx) {
        record("electLeaders", ctx);
    }

    @Override
    public void drain(StageContext ctx) {
        record("drain", ctx);
    }

    @Override
    public void checkpoint(StageContext ctx) {
        record("checkpoint", ctx);
    }

    @Override
    public void refill(StageContext ctx) {
        record("refill", ctx);
    }

    @Override
    public void resume(StageContext ctx) {
        record("resume", ctx);
    }

    @Override
    public void restart(StageContext ctx) {
        record("restart", ctx);
    }
}
