package dmtcp.core.barrier.internal;

import com.google.gson.JsonObject;
import dmtcp.core.barrier.protocol.LineChannel;
import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the coordinator sends one participant, written by a thread of its own: the engine's
 * thread only queues, so a participant that stops reading (stopped with ^Z, or broken)
 * cannot block it, and with it every other participant, on a full socket. When more than
 * {@link #LIMIT} bytes wait, the participant is disconnected (doc/barrier-protocol.md).
 */
final class Outbox {
    static final long LIMIT = 8L << 20;

    private record Pending(JsonObject message, long size) {}

    private static final Pending END = new Pending(null, 0);

    private final LineChannel channel;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final AtomicLong waiting = new AtomicLong();

    Outbox(LineChannel channel) {
        this.channel = channel;
        Thread t = new Thread(this::drain, "dmtcp-coordinator-send");
        t.setDaemon(true);
        t.start();
    }

    /** Queues a message; never blocks. A peer that lets more than LIMIT bytes pile up is disconnected. */
    void send(JsonObject m) {
        long size = m.toString().length();
        if (waiting.addAndGet(size) > LIMIT) {
            channel.close(); // its reader sees the end and reports the disconnect
            return;
        }
        queue.add(new Pending(m, size));
    }

    /** Stops the writer once what is queued went out (or the channel closed). */
    void close() {
        queue.add(END);
    }

    private void drain() {
        try {
            for (;;) {
                Pending p = queue.take();
                if (p == END) {
                    return;
                }
                channel.send(p.message());
                waiting.addAndGet(-p.size());
            }
        } catch (IOException e) {
            channel.close(); // the reader reports the disconnect
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
