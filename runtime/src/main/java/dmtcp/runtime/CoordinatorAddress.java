package dmtcp.runtime;

import picocli.CommandLine.Option;

/** The coordinator's host and port, as every client tool takes them (a picocli mixin). */
final class CoordinatorAddress {
    @Option(names = {"-h", "--host", "--coord-host"}, paramLabel = "HOST",
            defaultValue = "${env:DMTCP_HOST:-localhost}", description = "Coordinator host (DMTCP_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port", "--coord-port"}, paramLabel = "PORT", converter = Options.Port.class,
            defaultValue = "${env:DMTCP_PORT:-7779}", description = "Coordinator port (DMTCP_PORT; default ${DEFAULT-VALUE}).")
    int port;
}
