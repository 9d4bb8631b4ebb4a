package dmtcp.core.barrier.protocol;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One TCP connection speaking the coordinator protocol: one JSON object per line, UTF-8
 * (doc/barrier-protocol.md lists the messages). Sending is thread-safe; one thread reads.
 */
public final class LineChannel implements Closeable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    public LineChannel(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
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

    public void send(JsonObject message) throws IOException {
        byte[] line = (message.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            out.write(line);
            out.flush();
        }
    }

    /**
     * Reads the next message.
     *
     * @return the message, or null at end of stream
     * @throws IOException on a broken connection or a line that is not a JSON object
     */
    public JsonObject receive() throws IOException {
        String line = in.readLine();
        if (line == null) {
            return null;
        }
        try {
            return JsonParser.parseString(line).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException("not a protocol message: " + abbreviate(line), e);
        }
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

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a broken socket
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
