package dmtcp.core.barrier.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The running coordinator, as a service: what the console, the Gogo commands and
 * dmtcp_command act on.
 */
@ProviderType
public interface Coordinator {

    /**
     * Starts a checkpoint round, or joins the one already running.
     *
     * @return completes when the round ends, successfully or not
     */
    CompletableFuture<RoundResult> checkpoint();

    /** The status block DMTCP's {@code dmtcp_command --status} prints, as key/value pairs in order. */
    Map<String, Object> status();

    /** The connected participants and the processes they speak for. */
    List<Map<String, Object>> list();

    /** Kills every process of the computation (the participants stay until their programs are gone). */
    int kill();

    /** Kills the computation and stops the coordinator. */
    void quit();

    /** Sets the automatic checkpoint interval in seconds; 0 turns it off. */
    void setInterval(int seconds);

    /** The TCP port the coordinator listens on. */
    int port();
}
