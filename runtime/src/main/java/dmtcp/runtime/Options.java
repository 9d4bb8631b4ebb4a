package dmtcp.runtime;

import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option pieces shared by the command line tools. */
final class Options {
    private Options() {}

    /** The environment variables every tool honours, for --help footers. */
    static final String ENV_HOST = "  DMTCP_HOST                 coordinator host (default: localhost)";
    static final String ENV_PORT = "  DMTCP_PORT                 coordinator port (default: 7779)";
    static final String ENV_CKPT = "  DMTCP_CHECKPOINT_DIR       where images and the restart script go (default: ./)";
    static final String ENV_TMP = "  DMTCP_TMPDIR               runtime files go to its private DIR/dmtcp-USER (default:"
            + " $XDG_RUNTIME_DIR/dmtcp, else ~/.cache/dmtcp)";
    static final String ENV_LOG = "  DMTCP_LOG_LEVEL            error, warn, info (default) or debug";
    static final String ENV_KEY = "  DMTCP_KEY_FILE             this user's key, proved by every connection"
            + "%n                             (default: ~/.config/dmtcp/key, made on first use)";
    static final String ENV_JVM = "  DMTCP_CDS                  0: no class-data sharing archive (default: the build's)"
            + "%n  DMTCP_JAVA_OPTS            extra JVM options (after the project's own)";
    static final String ENV_AGENT = "  DMTCP_AGENT                1: programs launched by this user's agent (default: 0, a launcher JVM each)"
            + "%n  DMTCP_AGENT_IDLE           seconds an agent with no program stays (default: 60)"
            + "%n  DMTCP_AGENT_RESTART        1: dmtcp_restart of one image through the agent (default: 0)";
    static final String ENV_PLUGINS = "  DMTCP_PLUGIN_DIR           plugin jars watched at run time (default: <install>/plugins)";

    /** A TCP port: 0 to 65535. */
    static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int p;
            try {
                p = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a port number (0-65535)");
            }
            if (p < 0 || p > 65535) {
                throw new TypeConversionException("port " + p + " is out of range (0-65535)");
            }
            return p;
        }
    }

    /** A count of seconds, 0 or more. */
    static final class Seconds implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int s;
            try {
                s = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a number of seconds");
            }
            if (s < 0) {
                throw new TypeConversionException("seconds must be 0 or more, got " + s);
            }
            return s;
        }
    }

    /**
     * Parses and runs a picocli command object, DMTCP style: errors are one line naming
     * the tool and what was wrong, followed by a pointer to --help; exit status 2.
     */
    static int execute(Object command, String[] args) {
        return execute(command, args, false);
    }

    /**
     * As {@link #execute(Object, String[])}; {@code stopAtPositional}: everything after the
     * first positional parameter belongs to it (dmtcp_checkpoint PROG ARGS).
     */
    static int execute(Object command, String[] args, boolean stopAtPositional) {
        CommandLine cl = new CommandLine(command);
        cl.setStopAtPositional(stopAtPositional);
        cl.setParameterExceptionHandler((ex, a) -> {
            String tool = ex.getCommandLine().getCommandName();
            System.err.println(tool + ": " + ex.getMessage());
            System.err.println("Try '" + tool + " --help' for more information.");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            System.err.println(c.getCommandName() + ": " + (ex.getMessage() != null ? ex.getMessage() : ex));
            return 1;
        });
        return cl.execute(args);
    }
}
