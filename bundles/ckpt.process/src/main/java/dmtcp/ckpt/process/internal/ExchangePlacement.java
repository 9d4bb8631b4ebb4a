package dmtcp.ckpt.process.internal;

import dmtcp.core.barrier.spi.ImagePlacement;
import dmtcp.mem.linux.api.FileAccess;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Component;

/**
 * Puts images in place by swapping names ({@code renameat2(RENAME_EXCHANGE)}, see {@link
 * FileAccess#exchange}) rather than renaming over the previous image: the round then pays
 * neither for freeing the previous image nor for ext4 allocating the new one's blocks
 * inside the rename. Where the file system cannot swap (EINVAL) the participant renames.
 */
@Component(service = ImagePlacement.class)
public class ExchangePlacement implements ImagePlacement {
    @Override
    public boolean exchange(Path temporary, Path target) {
        return FileAccess.exchange(temporary, target) == 0;
    }
}
