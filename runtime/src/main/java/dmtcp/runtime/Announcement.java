package dmtcp.runtime;

import com.google.gson.JsonObject;
import dmtcp.core.barrier.protocol.Handshake;
import dmtcp.core.barrier.protocol.LineChannel;
import dmtcp.core.barrier.protocol.Msg;
import dmtcp.core.barrier.protocol.UserKey;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * dmtcp_checkpoint tells the coordinator, before it spawns the program, that it is about to
 * join ({@link Msg#ROLE_ANNOUNCE}): a checkpoint asked for from then on waits for this
 * launcher's participant, so a {@code dmtcp_command -bc} typed as soon as the program's first
 * line shows checkpoints it rather than answering "no processes to checkpoint". The
 * participant joins ~0.5 s later, once the framework runs, with the same token in its hello.
 * The coordinator forgets the announcement when the participant joins (and closes the
 * connection) or when the connection ends (this JVM exits); a coordinator that cannot be
 * reached just means no announcement: the participant reports that itself.
 */
final class Announcement {
    private final String token;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile LineChannel channel;

    private Announcement(String token) {
        this.token = token;
    }

    /** Starts announcing to {@code host:port} in the background. */
    static Announcement start(String host, int port) {
        Announcement a = new Announcement(newToken());
        Thread t = new Thread(() -> a.run(host, port), "dmtcp-announce");
        t.setDaemon(true);
        t.start();
        return a;
    }

    String token() {
        return token;
    }

    /** Waits (at most {@code millis}) until the coordinator has the announcement, or it failed. */
    void await(long millis) throws InterruptedException {
        done.await(millis, TimeUnit.MILLISECONDS);
    }

    private void run(String host, int port) {
        try {
            LineChannel ch = LineChannel.connect(host, port, 2000);
            UserKey key = UserKey.loadOrCreate(UserKey.defaultPath()); // DMTCP_KEY_FILE, or this user's own
            JsonObject hello = Msg.of(Msg.HELLO);
            hello.addProperty("role", Msg.ROLE_ANNOUNCE);
            hello.addProperty("announce", token);
            hello.addProperty("pid", ProcessHandle.current().pid());
            Handshake.join(ch, key, hello, 5000);
            channel = ch; // kept reachable (its cleaner would close it) until the coordinator ends it or this JVM exits
        } catch (IOException | RuntimeException e) {
            // no announcement: the participant, joining later, says what is wrong
        } finally {
            done.countDown();
        }
    }

    /** Ends the announcement (the agent: its participant will not join after all); the coordinator forgets it. */
    void close() {
        LineChannel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    /** A token unique per launcher: its pid, start time and a clock reading. */
    private static String newToken() {
        long pid = ProcessHandle.current().pid();
        long start = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        return pid + "-" + start + "-" + Long.toHexString(System.nanoTime());
    }
}
