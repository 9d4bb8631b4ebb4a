package dmtcp.runtime;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dmtcp.core.boot.Probe;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** dmtcp_check: whether checkpointing works for this user on this machine, and what to do if not. */
@Command(name = "dmtcp_check", sortOptions = false,
        description = {"Checks that checkpoint and restart work here for this user (like criu check):",
            "ptrace scope, pagemap, and a real checkpoint and restore of a test process.",
            "Exit status: 0 when everything is OK, 1 when something failed."},
        footerHeading = "%nEnvironment variables:%n", footer = {Options.ENV_CKPT, Options.ENV_TMP, Options.ENV_JVM})
final class CheckCli implements Callable<Integer> {

    @Option(names = {"-c", "--ckptdir", "--checkpoint-dir"}, paramLabel = "DIR",
            defaultValue = "${env:DMTCP_CHECKPOINT_DIR:-.}", description = "Checkpoint directory to test (DMTCP_CHECKPOINT_DIR; default ./).")
    Path checkpointDir;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    static int run(String[] args) {
        return Options.execute(new CheckCli(), args);
    }

    @Override
    public Integer call() throws Exception {
        Session s = new Session("dmtcp_check", "localhost", 0, true, false, 0, 0, checkpointDir);
        s.init(new HashMap<>());
        boolean ok = true;
        JsonArray out = new JsonArray();
        for (Probe p : s.bootstrap().check(checkpointDir, Env.runtimeDir())) {
            String[] r = {p.name(), p.status().name(), p.detail(), p.advice()};
            ok &= !"FAIL".equals(r[1]);
            JsonObject o = new JsonObject();
            o.addProperty("check", r[0]);
            o.addProperty("status", r[1]);
            o.addProperty("detail", r[2]);
            o.addProperty("advice", r[3]);
            out.add(o);
            if (!json) {
                System.out.printf("%-5s %-16s %s%n", r[1], r[0], r[2]);
                if (!r[3].isEmpty() && !"OK".equals(r[1])) {
                    System.out.printf("%-22s -> %s%n", "", r[3]);
                }
            }
        }
        if (json) {
            System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(out));
        } else {
            System.out.println(ok ? "Looks good: checkpoint and restart work here." : "Checkpointing will not work here: see FAIL above.");
        }
        return ok ? 0 : 1;
    }
}
