package dmtcp.itests.plugin;

import dmtcp.core.barrier.spi.BarrierHook;
import dmtcp.core.barrier.spi.StageContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The plugin that {@code PluginBundleIT} packs into a bundle of its own at test time (with
 * a DS descriptor, see {@code PluginBundles}) and installs into the running framework.
 * Every hook call appends one line {@code "<round> <method> <stage>"} to the file named by
 * the system property {@value #LOG_PROPERTY}. It is not used from the test probe directly.
 */
public class FilePluginHook implements BarrierHook {
    public static final String LOG_PROPERTY = "dmtcp.itest.pluginLog";

    private final Path log = Path.of(System.getProperty(LOG_PROPERTY, "plugin-calls.log"));

    private void record(String method, StageContext ctx) {
        try {
            Files.writeString(log, ctx.round() + " " + method + " " + ctx.stage() + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
