package dmtcp.mem.linux.api;

import dmtcp.mem.linux.internal.Terminals;
import java.nio.file.Path;

/** A terminal's settings read from a program's fd and given to the terminal another fd holds (TCGETS, TIOCGWINSZ, TCSETS). */
public final class Terminal {
    private Terminal() {}

    /** A terminal's termios and window size; either null when it cannot be read. */
    public record Settings(Termios termios, WinSize winsize) {}

    /**
     * The settings of the terminal a program's fd holds, through a fresh open of its link
     * {@code /proc/PID/fd/N} (O_NOCTTY, O_NONBLOCK); nulls when the terminal's other side is gone.
     */
    public static Settings read(Path link) {
        Terminals.Settings s = Terminals.read(link);
        return new Settings(s.termios(), s.winsize());
    }

    /**
     * Gives the terminal another process's fd holds ({@code link}, /proc/PID/fd/N) the saved
     * termios, and the saved window size when it has none; nothing when it is no terminal or
     * {@code program} runs in its background.
     *
     * @return null when applied, else why not ("is no terminal", ...)
     */
    public static String applyTo(Path link, int program, Termios termios, WinSize winsize) {
        return Terminals.applyTo(link, program, termios, winsize);
    }

    /** Whether a path names a terminal (a pty, /dev/tty, a console or a serial line). */
    public static boolean isTerminal(String path) {
        return path.matches("/dev/pts/[0-9]+") || path.equals("/dev/tty") || path.equals("/dev/console")
                || path.matches("/dev/tty[0-9]+") || path.matches("/dev/ttyS[0-9]+");
    }
}
