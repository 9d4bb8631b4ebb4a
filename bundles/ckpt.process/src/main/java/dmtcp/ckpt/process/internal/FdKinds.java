package dmtcp.ckpt.process.internal;

import dmtcp.mem.linux.api.FdInfo;

/** An fd's kind in words, for the message that refuses a checkpoint of an fd no handler saves. */
public final class FdKinds {
    private FdKinds() {}

    private static final int S_IFMT = 0170000;

    public static String describe(FdInfo f) {
        String target = f.target();
        if (target.startsWith("/memfd:")) {
            return "a memfd";
        }
        if (target.startsWith("/")) {
            String type = typeName(f.mode() & S_IFMT);
            return target.endsWith(" (deleted)") ? "a deleted " + type.substring(type.indexOf(' ') + 1) : type;
        }
        return anonName(target);
    }

    static String typeName(int type) {
        switch (type) {
            case 0010000: return "a FIFO (named pipe)";
            case 0140000: return "a socket";
            case 0060000: return "a block device";
            case 0020000: return "a character device";
            case 0040000: return "a directory";
            case 0100000: return "a regular file";
            default: return "a file of type 0" + Integer.toOctalString(type);
        }
    }

    /** socket:[N], pipe:[N], anon_inode:[eventfd] ... as words. */
    static String anonName(String target) {
        if (target.startsWith("socket:")) {
            return "a socket";
        }
        if (target.startsWith("pipe:")) {
            return "a pipe";
        }
        if (target.startsWith("anon_inode:")) {
            String k = target.substring("anon_inode:".length()).replace("[", "").replace("]", "");
            switch (k) {
                case "eventfd": return "an eventfd";
                case "eventpoll": return "an epoll instance";
                case "signalfd": return "a signalfd";
                case "timerfd": return "a timerfd";
                case "inotify": return "an inotify instance";
                case "pidfd": return "a pidfd";
                case "userfaultfd": return "a userfaultfd";
                case "io_uring": return "an io_uring";
                default: return "an anonymous inode (" + k + ")";
            }
        }
        return "an unsupported kind of file";
    }
}
