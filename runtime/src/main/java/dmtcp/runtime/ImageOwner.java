package dmtcp.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Images are data, not authority: restarting an image runs what it holds (code, registers,
 * open files) as the user who restarts it. So dmtcp_restart takes only images of its own
 * user, in folders nobody else could have put them into or swapped them in (the rules of
 * {@link PrivateDir#replaceable}); anything else needs {@code --allow-foreign-images} and
 * is then restarted with a warning.
 */
final class ImageOwner {
    private ImageOwner() {}

    /**
     * @param allow --allow-foreign-images: warn on {@code err} instead of refusing
     * @return null when every image may be restarted, else one line naming the image, its owner or folder
     */
    static String check(Iterable<Path> images, boolean allow, PrintStream err) {
        int me = PrivateDir.uid();
        for (Path image : images) {
            String bad;
            try {
                Path real = image.toRealPath();
                int owner = PrivateDir.attr(real, "unix:uid");
                if (owner != me) {
                    bad = image + " belongs to " + Files.getOwner(real).getName() + " (uid " + owner + "), not to you";
                } else {
                    String why = PrivateDir.replaceable(real.getParent());
                    bad = why == null ? null : image + " " + why;
                }
            } catch (IOException | RuntimeException e) {
                return image + ": cannot tell who owns it (" + e.getMessage() + ")";
            }
            if (bad == null) {
                continue;
            }
            if (!allow) {
                return bad + ": a restarted image runs as you, so it is refused (--allow-foreign-images restarts it anyway)";
            }
            err.println("dmtcp_restart: warning: " + bad + "; restarting it as you (--allow-foreign-images)");
        }
        return null;
    }
}
