package dmtcp.core.barrier.internal;

import java.io.IOException;
import java.net.InetAddress;

/** This host's name as listings show it. */
final class Hosts {
    private Hosts() {}

    static String name() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
