package dmtcp.example.stagelogger;

import dmtcp.core.barrier.spi.BarrierHook;
import dmtcp.core.barrier.spi.StageContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.osgi.service.component.annotations.Component;

/**
 * Appends one line per hook call, "round R STAGE participant P pids [..]", to the file
 * named by the environment variable DMTCP_STAGE_LOG (nothing when it is unset).
 */
@Component(property = {BarrierHook.LAYER + ":Integer=100", BarrierHook.NAME + "=stage-logger"})
public class StageLogger implements BarrierHook {

    private static void log(StageContext ctx) throws IOException {
        String file = System.getenv("DMTCP_STAGE_LOG");
        if (file == null || file.isEmpty()) {
            return;
        }
        String pids = ctx.processes().stream().map(p -> String.valueOf(p.pid())).reduce((a, b) -> a + "," + b).orElse("");
        String line = "round " + ctx.round() + " " + ctx.stage() + " participant " + ctx.participantId() + " pids [" + pids + "]\n";
        Files.writeString(Path.of(file), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public void suspend(StageContext ctx) throws IOException {
        log(ctx);
    }

    @Override
    public void electLeaders(StageContext ctx) throws IOException {
        log(ctx);
    }

    @Override
    public void drain(StageContext ctx) throws IOException {
        log(ctx);
    }

    @Override
    public void checkpoint(StageContext ctx) throws IOException {
        log(ctx);
    }

    @Override
    public void refill(StageContext ctx) throws IOException {
        log(ctx);
    }

    @Override
    public void resume(StageContext ctx) throws IOException {
        log(ctx);
    }

    @Override
    public void restart(StageContext ctx) throws IOException {
        log(ctx);
    }
}
