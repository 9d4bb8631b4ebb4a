package dmtcp.core.barrier.spi;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A faster way to put a round's image in place of the previous one, offered by a bundle
 * that can reach the platform (ckpt.process, through mem.native's {@code renameat2}). When
 * no such service is there, or it declines, the participant renames the image over the old
 * one as before; either way the name holds a whole image at every moment.
 */
@ConsumerType
public interface ImagePlacement {

    /**
     * Swaps the two names atomically, if this file system lets it: {@code target} then holds
     * the new image and {@code temporary} the previous one, which the participant removes
     * after the round.
     *
     * @return whether the names were swapped (false: nothing was changed)
     */
    boolean exchange(Path temporary, Path target);
}
