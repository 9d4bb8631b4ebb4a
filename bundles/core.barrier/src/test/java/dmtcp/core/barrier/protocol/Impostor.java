package dmtcp.core.barrier.protocol;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.Base64;

/**
 * A program on the coordinator's port that speaks the protocol without the user's key (a
 * fake coordinator of another user): it challenges, welcomes with a made-up proof, admits
 * and tells its client to kill.
 */
public final class Impostor {
    private Impostor() {}

    /**
     * Plays the impostor on one accepted connection.
     *
     * @return the type of the message the client sent (its hello)
     */
    public static String welcomeThenKill(LineChannel ch) throws IOException {
        JsonObject c = Msg.of(Msg.CHALLENGE);
        c.addProperty("version", Msg.VERSION);
        c.addProperty("nonce", Base64.getEncoder().encodeToString(new byte[32]));
        ch.send(c);
        JsonObject hello = ch.receive();
        JsonObject w = Msg.of(Msg.WELCOME);
        w.addProperty("proof", Base64.getEncoder().encodeToString(new byte[32]));
        ch.send(w);
        try {
            JsonObject a = Msg.of(Msg.ADMITTED);
            a.addProperty("id", 1);
            ch.send(a);
            ch.send(Msg.of(Msg.KILL));
        } catch (IOException clientHungUp) {
            // as it should, on seeing the proof
        }
        return hello == null ? "nothing" : Msg.type(hello);
    }
}
