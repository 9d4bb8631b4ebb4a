package dmtcp.mem.linux.api;

/**
 * A terminal's window size ({@code struct winsize}, TIOCGWINSZ), saved with a
 * terminal fd. At restore it is given to the new terminal only when that one has
 * none (0x0, e.g. a pty nobody sized); a terminal with a size keeps it, since that is the
 * window the user now looks at, and the program learns it from the SIGWINCH it gets.
 */
public record WinSize(int rows, int cols, int xpixel, int ypixel) {
    /** No size at all: what a pty has until someone sets one. */
    public boolean none() {
        return rows == 0 && cols == 0;
    }

    @Override
    public String toString() {
        return rows + "x" + cols;
    }
}
