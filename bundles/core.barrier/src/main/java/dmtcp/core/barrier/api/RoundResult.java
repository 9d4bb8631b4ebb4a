package dmtcp.core.barrier.api;

import java.util.List;

/**
 * How a checkpoint or restart round ended.
 *
 * @param round the round number (1 for the first round of this coordinator)
 * @param ok true when every participant passed every stage
 * @param message one line for people: what was done, or what failed and who caused it
 * @param images the checkpoint images the participants wrote (empty on failure)
 * @param millis how long the round took
 */
public record RoundResult(long round, boolean ok, String message, List<String> images, long millis) {
    public RoundResult {
        images = List.copyOf(images);
    }
}
