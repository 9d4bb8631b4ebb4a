package dmtcp.core.barrier.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Who is at the other end of a TCP connection from this host, for the log line of a
 * refused connection: the kernel lists every socket of this network namespace in
 * /proc/net/tcp and /proc/net/tcp6 with the uid that opened it, and the peer's socket is
 * the one whose local address is our remote one and whose remote address is our local one.
 */
final class LocalPeers {
    private LocalPeers() {}

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    /** Columns of a /proc/net/tcp line (net/ipv4/tcp_ipv4.c get_tcp4_sock). */
    private static final int LOCAL = 1;
    private static final int REMOTE = 2;
    private static final int UID = 7;

    /** {@code addr:port (local user NAME, uid N)}, or {@code addr:port (not from this host)}. */
    static String describe(InetSocketAddress peer, InetSocketAddress us) {
        String who = peer.getAddress().getHostAddress() + ":" + peer.getPort();
        Integer uid = uidOf(peer, us);
        return uid == null ? who + " (not from this host)" : who + " (local user " + userName(uid) + ", uid " + uid + ")";
    }

    /** The uid owning the socket at {@code peer} connected to {@code us}, or null when it is not on this host. */
    static Integer uidOf(InetSocketAddress peer, InetSocketAddress us) {
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue; // no IPv6, or no /proc
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > UID && is(f[LOCAL], peer) && is(f[REMOTE], us)) {
                    return Integer.valueOf(f[UID]);
                }
            }
        }
        return null;
    }

    /** Whether {@code hex} (ADDR:PORT, the address as 32-bit words in this host's byte order) is {@code a}. */
    static boolean is(String hex, InetSocketAddress a) {
        int colon = hex.indexOf(':');
        if (colon < 0 || (colon != 8 && colon != 32)) {
            return false;
        }
        try {
            if (Integer.parseInt(hex.substring(colon + 1), 16) != a.getPort()) {
                return false;
            }
            ByteBuffer b = ByteBuffer.allocate(colon / 2).order(ByteOrder.nativeOrder());
            for (int i = 0; i < colon; i += 8) {
                b.putInt((int) Long.parseLong(hex.substring(i, i + 8), 16));
            }
            // an IPv4-mapped IPv6 address comes back as the IPv4 address, as the socket reports it
            return InetAddress.getByAddress(b.array()).equals(a.getAddress());
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** The login name of {@code uid} from /etc/passwd, or "?" (the log line has the uid anyway). */
    static String userName(int uid) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", 4);
                if (f.length >= 3 && f[2].equals(String.valueOf(uid))) {
                    return f[0];
                }
            }
        } catch (IOException e) {
            // no passwd file to read: the uid stands alone
        }
        return "?";
    }
}
