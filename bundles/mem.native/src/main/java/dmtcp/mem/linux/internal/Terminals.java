package dmtcp.mem.linux.internal;

import dmtcp.mem.linux.api.Fds;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import dmtcp.mem.linux.api.Termios;
import dmtcp.mem.linux.api.WinSize;

/**
 * A terminal's settings (termios) and window size, read at checkpoint and given to the
 * terminal that takes its place at restore. Both from this JVM: reading needs no injected
 * call (a frozen program stays as it was, and its fd table is read before anything is
 * injected, see {@link Fds}), and at restore the new terminal is the restarter's own.
 */
public final class Terminals {
    private Terminals() {}

    private static final int O_NONBLOCK = 04000;
    private static final int ENOTTY = 25;

    /** A terminal's termios and window size; either null when it cannot be read. */
    public record Settings(Termios termios, WinSize winsize) {}

    /**
     * The settings of the terminal a program's fd holds, through a fresh open of its link
     * {@code /proc/PID/fd/N} (O_NOCTTY: it never becomes this JVM's controlling terminal;
     * O_NONBLOCK: a serial line does not wait for its carrier). A terminal whose other side is
     * gone (EIO) gives nulls. /dev/tty opens this JVM's controlling terminal, which is the
     * program's in the usual case (the launcher runs in the program's session).
     */
    public static Settings read(java.nio.file.Path link) {
        int t = Uio.open(link.toString(), Uio.O_RDONLY | Fds.O_NOCTTY | O_NONBLOCK | Uio.O_CLOEXEC, 0);
        if (t < 0) {
            return new Settings(null, null);
        }
        try {
            return new Settings(termios(t), winsize(t));
        } finally {
            Uio.close(t);
        }
    }

    static Termios termios(int fd) {
        Memory m = new Memory(Ioctl.TERMIOS_SIZE);
        if (Ioctl.ioctl(fd, Ioctl.TCGETS, m) != 0) {
            return null;
        }
        return new Termios(m.getInt(0), m.getInt(4), m.getInt(8), m.getInt(12), m.getByte(16) & 0xff,
                m.getByteArray(17, Ioctl.NCCS));
    }

    static WinSize winsize(int fd) {
        Memory m = new Memory(Ioctl.WINSIZE_SIZE);
        if (Ioctl.ioctl(fd, Ioctl.TIOCGWINSZ, m) != 0) {
            return null;
        }
        return new WinSize(m.getShort(0) & 0xffff, m.getShort(2) & 0xffff, m.getShort(4) & 0xffff, m.getShort(6) & 0xffff);
    }

    /**
     * Gives the terminal on this JVM's fd {@code fd} the saved settings of {@code saved}: its
     * termios (TCSETS), and its window size only when the terminal has none (0x0; a sized one
     * is the window the user now sees). Nothing is done when the fd is no terminal, or when
     * it is this JVM's controlling terminal but this JVM runs in the background there (a
     * TCSETS would stop it with SIGTTOU; the program's own tcsetattr would stop it too).
     *
     * @return null when the settings were applied (the program then gets a SIGWINCH), else why not
     */
    public static String apply(int fd, Termios t, WinSize w) {
        if (termios(fd) == null) {
            return "is no terminal";
        }
        Memory pg = new Memory(4);
        if (Ioctl.ioctl(fd, Ioctl.TIOCGPGRP, pg) == 0) {
            if (pg.getInt(0) != Libc.getpgrp()) {
                return "is a terminal this restarter runs in the background of";
            }
        } else if (Native.getLastError() != ENOTTY) {
            return "cannot be asked for its foreground process group (errno " + Native.getLastError() + ")";
        }
        return set(fd, t, w);
    }

    /**
     * As {@link #apply}, to the terminal another process's fd holds, opened afresh through its
     * link {@code /proc/PID/fd/N} (O_NOCTTY: never this JVM's controlling terminal), when
     * {@code program} is not in the background of its controlling terminal (its process group
     * is the terminal's foreground one, /proc/PROGRAM/stat): the agent, which is in no session
     * of the user's terminals, applies a restored program's settings this way.
     */
    public static String applyTo(java.nio.file.Path link, int program, Termios t, WinSize w) {
        int fd = Uio.open(link.toString(), Uio.O_RDWR | Fds.O_NOCTTY | O_NONBLOCK | Uio.O_CLOEXEC, 0);
        if (fd < 0) {
            return "cannot be opened (errno " + Native.getLastError() + ")";
        }
        try {
            if (termios(fd) == null) {
                return "is no terminal";
            }
            try {
                String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Integer.toString(program), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // state ppid pgrp session tty_nr tpgid: a controlling terminal whose foreground is another group
                if (!f[4].equals("0") && !f[5].equals("-1") && !f[5].equals(f[2])) {
                    return "is a terminal the program runs in the background of";
                }
            } catch (java.io.IOException | RuntimeException e) {
                return "cannot tell whether the program is in its foreground (" + e.getMessage() + ")";
            }
            return set(fd, t, w);
        } finally {
            Uio.close(fd);
        }
    }

    private static String set(int fd, Termios t, WinSize w) {
        if (t == null) {
            return "has no saved settings";
        }
        Memory m = new Memory(Ioctl.TERMIOS_SIZE);
        m.clear();
        m.setInt(0, t.iflag());
        m.setInt(4, t.oflag());
        m.setInt(8, t.cflag());
        m.setInt(12, t.lflag());
        m.setByte(16, (byte) t.line());
        m.write(17, t.cc(), 0, Math.min(Ioctl.NCCS, t.cc().length));
        if (Ioctl.ioctl(fd, Ioctl.TCSETS, m) != 0) {
            return "refused TCSETS (errno " + Native.getLastError() + ")";
        }
        WinSize now = winsize(fd);
        if (w != null && !w.none() && now != null && now.none()) {
            Memory ws = new Memory(Ioctl.WINSIZE_SIZE);
            ws.setShort(0, (short) w.rows());
            ws.setShort(2, (short) w.cols());
            ws.setShort(4, (short) w.xpixel());
            ws.setShort(6, (short) w.ypixel());
            Ioctl.ioctl(fd, Ioctl.TIOCSWINSZ, ws);
        }
        return null;
    }
}
