package dmtcp.mem.linux.api;

/**
 * A terminal's line settings as the kernel keeps them ({@code struct termios} of
 * &lt;asm-generic/termbits.h&gt;, read with TCGETS): raw or canonical input, echo, signals,
 * output processing, the special characters. Saved with a terminal fd and
 * applied (TCSETS) to the terminal that takes its place at restore.
 *
 * @param iflag c_iflag (input modes: ICRNL, IXON...)
 * @param oflag c_oflag (output modes: OPOST, ONLCR...)
 * @param cflag c_cflag (control modes, the baud rate among them)
 * @param lflag c_lflag (local modes: ICANON, ECHO, ISIG...)
 * @param line c_line (the line discipline)
 * @param cc c_cc, the 19 special characters (VINTR, VMIN, VTIME...; read-only: do not modify)
 */
public record Termios(int iflag, int oflag, int cflag, int lflag, int line, byte[] cc) {
    /** c_lflag ICANON: line-by-line input (off in raw mode, as vim and less set it). */
    public static final int ICANON = 0000002;
    /** c_lflag ECHO. */
    public static final int ECHO = 0000010;

    @Override
    public String toString() {
        return "termios iflag 0" + Integer.toOctalString(iflag) + " oflag 0" + Integer.toOctalString(oflag) + " cflag 0"
                + Integer.toOctalString(cflag) + " lflag 0" + Integer.toOctalString(lflag) + ((lflag & ICANON) == 0 ? " (-icanon)" : "");
    }
}
