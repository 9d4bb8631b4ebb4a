package dmtcp.runtime;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * dmtcp_inspect: what a checkpoint image holds (like DMTCP's readdmtcp and CRIU's crit):
 * format and codec, the program and when it was checkpointed, threads, memory regions,
 * file descriptors and sizes. It reads the whole image, so it also verifies every record's
 * checksum, the inventory and the trailer. The process plugin reads the image (as a restore
 * does, before the framework starts): the framework is initialised, not started.
 */
@Command(name = "dmtcp_inspect", sortOptions = false,
        description = {"Shows what checkpoint images hold, and verifies them (every record's checksum, the inventory, the trailer).",
            "Exit status: 0 when every image is intact, 1 when one is not (the message names the image and the problem)."},
        footerHeading = "%nEnvironment variables:%n", footer = {"  (none of its own; images are read as named)", Options.ENV_JVM})
final class InspectCli implements Callable<Integer> {

    @Option(names = "--json", description = "Print each image's description as JSON.")
    boolean json;

    @Option(names = {"-r", "--regions"}, description = "List every memory region (default: only a summary).")
    boolean regions;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Images (ckpt_*.dmtcp).")
    List<Path> images;

    static int run(String[] args) {
        return Options.execute(new InspectCli(), args);
    }

    @Override
    public Integer call() {
        Session s = new Session("dmtcp_inspect", "localhost", 0, true, false, 0, 0, Path.of("."));
        s.init(new java.util.HashMap<>());
        int status = 0;
        JsonArray all = new JsonArray();
        for (Path image : images) {
            try {
                if (json) {
                    all.add(JsonParser.parseString(s.bootstrap().inspect(image, true, false)));
                } else {
                    System.out.print(s.bootstrap().inspect(image, false, regions));
                }
            } catch (Exception e) {
                System.err.println("dmtcp_inspect: " + e.getMessage());
                status = 1;
            }
        }
        if (json) {
            System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(images.size() == 1 && all.size() == 1 ? all.get(0) : all));
        }
        return status;
    }
}
