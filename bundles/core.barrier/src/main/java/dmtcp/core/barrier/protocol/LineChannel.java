package dmtcp.core.barrier.protocol;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * One TCP connection speaking the coordinator protocol: one JSON object per line, UTF-8
 * (doc/barrier-protocol.md lists the messages). Sending is thread-safe; one thread reads.
 *
 * <p>A line is at most {@link #MAX_LINE} bytes: a peer that sends more (or never a
 * newline) is cut off after that much, so one connection never holds more than one such
 * buffer. Once the handshake is done ({@link #authenticate}) every line in each direction
 * starts with its HMAC under that direction's session key over a sequence number and the
 * JSON text: a line that was altered, replayed, reordered or injected by anyone without
 * the user's key is refused (doc/security.md).
 */
public final class LineChannel implements Closeable {
    /** The longest line either side accepts, newline excluded. */
    public static final int MAX_LINE = 1 << 20;
    /** Characters of the base64 (unpadded) HMAC-SHA256 that starts an authenticated line. */
    private static final int MAC_CHARS = 43;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int end;
    /** Session keys once authenticated (null before), with each direction's next sequence number. */
    private byte[] sendKey;
    private long sendSeq;
    private volatile byte[] receiveKey;
    private long receiveSeq;

    public LineChannel(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to a coordinator, failing after {@code timeoutMillis}. */
    public static LineChannel connect(String host, int port, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new LineChannel(s);
    }

    /**
     * From now on every line sent carries its HMAC under {@code sendKey}, and every line
     * received must carry a valid one under {@code receiveKey}.
     */
    public void authenticate(byte[] sendKey, byte[] receiveKey) {
        synchronized (out) {
            this.sendKey = sendKey.clone();
        }
        this.receiveKey = receiveKey.clone();
    }

    public void send(JsonObject message) throws IOException {
        byte[] json = message.toString().getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            if (sendKey != null) {
                out.write(B64.encode(UserKey.hmacWith(sendKey, sequence(sendSeq++), json)));
                out.write(' ');
            }
            out.write(json);
            out.write('\n');
            out.flush();
        }
    }

    /**
     * Reads the next message.
     *
     * @return the message, or null at end of stream
     * @throws ProtocolException on a line that is too long, not a JSON object, or (once
     *     authenticated) without a valid HMAC
     * @throws IOException on a broken connection
     */
    public JsonObject receive() throws IOException {
        byte[] line = readLine();
        if (line == null) {
            return null;
        }
        int start = 0;
        byte[] key = receiveKey;
        if (key != null) {
            if (line.length <= MAC_CHARS || line[MAC_CHARS] != ' ') {
                throw new ProtocolException("a line without its authentication code: " + abbreviate(line, 0));
            }
            byte[] mac;
            try {
                mac = Base64.getDecoder().decode(Arrays.copyOf(line, MAC_CHARS));
            } catch (IllegalArgumentException e) {
                throw new ProtocolException("a line whose authentication code is not base64: " + abbreviate(line, 0));
            }
            start = MAC_CHARS + 1;
            byte[] json = Arrays.copyOfRange(line, start, line.length);
            if (!UserKey.same(mac, UserKey.hmacWith(key, sequence(receiveSeq++), json))) {
                throw new ProtocolException("a line whose authentication code is wrong (altered, replayed, or not"
                        + " from the holder of the key)");
            }
        }
        String text = new String(line, start, line.length - start, StandardCharsets.UTF_8);
        try {
            return JsonParser.parseString(text).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new ProtocolException("not a protocol message: " + abbreviate(line, start));
        }
    }

    /** The next line without its newline, or null at the end of the stream before any byte of one. */
    private byte[] readLine() throws IOException {
        ByteArrayOutputStream line = null;
        for (;;) {
            if (pos == end) {
                int n = in.read(buf, 0, buf.length);
                if (n < 0) {
                    if (line == null) {
                        return null;
                    }
                    throw new EOFException("the connection ended inside a line");
                }
                pos = 0;
                end = n;
            }
            int nl = pos;
            while (nl < end && buf[nl] != '\n') {
                nl++;
            }
            int have = line == null ? 0 : line.size();
            if (have + (nl - pos) > MAX_LINE) {
                throw new ProtocolException("a line longer than " + (MAX_LINE >> 20) + " MiB");
            }
            if (nl < end && line == null) {
                byte[] whole = Arrays.copyOfRange(buf, pos, nl);
                pos = nl + 1;
                return whole;
            }
            if (line == null) {
                line = new ByteArrayOutputStream(Math.max(256, 2 * (nl - pos)));
            }
            line.write(buf, pos, nl - pos);
            if (nl < end) {
                pos = nl + 1;
                return line.toByteArray();
            }
            pos = end;
        }
    }

    private static byte[] sequence(long n) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) n;
            n >>>= 8;
        }
        return b;
    }

    public void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    public String remote() {
        return String.valueOf(socket.getRemoteSocketAddress());
    }

    public String remoteHost() {
        return socket.getInetAddress().getHostAddress();
    }

    /** The peer's address and port (for finding its owner in /proc/net/tcp). */
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) socket.getRemoteSocketAddress();
    }

    /** This end's address and port. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a broken socket
        }
    }

    private static String abbreviate(byte[] line, int start) {
        int n = Math.min(line.length - start, 80);
        String s = new String(line, start, n, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?");
        return line.length - start > 80 ? s + "..." : s;
    }

    /** The peer broke the protocol: a line too long, not JSON, or failing authentication. */
    public static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        public ProtocolException(String message) {
            super(message);
        }
    }
}
