package dmtcp.mem.linux.api;

/**
 * How a process ended: an exit code, or the signal that killed it.
 *
 * @param code exit code (0-255), or -1 when killed by a signal
 * @param signal the terminating signal, or 0 when it exited
 */
public record ExitStatus(int code, int signal) {

    /**
     * The end of a process this JVM is not the parent of (a program the agent adopted): its
     * parent, the user's shell, gets the status; here it is only known to have ended.
     */
    public static final ExitStatus UNKNOWN = new ExitStatus(-1, 0);

    /** Decodes a {@code waitpid} status word. */
    public static ExitStatus fromWaitStatus(int status) {
        int sig = status & 0x7f;
        if (sig == 0) {
            return new ExitStatus((status >> 8) & 0xff, 0);
        }
        return new ExitStatus(-1, sig);
    }

    /** The status a shell would report: the exit code, or 128 + signal. */
    public int shellCode() {
        return signal == 0 ? code : 128 + signal;
    }

    @Override
    public String toString() {
        if (code == -1 && signal == 0) {
            return "ended";
        }
        return signal == 0 ? "exit " + code : "killed by signal " + signal;
    }
}
