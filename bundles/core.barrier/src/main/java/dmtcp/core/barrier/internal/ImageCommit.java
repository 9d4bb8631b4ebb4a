package dmtcp.core.barrier.internal;

import dmtcp.core.barrier.spi.ImagePlacement;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Puts a round's new image in place of the previous one without making the round wait for
 * the previous one's blocks to be freed. A rename over an existing file frees the file it
 * replaces inside the rename: for a 515 MB image on this machine's ext4 (mounted with
 * discard) that is ~0.5 s, taken while every program of the computation is still frozen.
 * So the previous image gets a second name first (a hard link, in the same folder), the new
 * one is renamed over the old name (atomic: the name always holds a whole image, the old one
 * or the new one), and the second name is removed afterwards, off the round.
 *
 * When an {@link ImagePlacement} can swap the two names ({@code renameat2} with
 * RENAME_EXCHANGE), that is done instead: it also spares the rename ext4's auto_da_alloc,
 * which allocates a replacing file's delayed blocks inside the rename (~0.2 s for 515 MB,
 * ~0.4 s for 1 GB); the temporary name then holds the previous image until it is removed.
 *
 * <p>The second name is {@code .<target name>.<this pid>-<n>.tmp}, the convention of the
 * temporary images the writers leave when they die: a launcher killed before it removed it
 * leaves a file the next checkpoint in that folder removes as stale (see ckpt.process's
 * CheckpointDir). Where hard links cannot be made (a file system without them), the rename
 * replaces the file directly, as before.
 */
final class ImageCommit {
    private static final AtomicLong NAMES = new AtomicLong();
    /** Previous images kept under their second name, not yet removed (removed at exit at the latest). */
    private static final ConcurrentLinkedQueue<Path> PENDING = new ConcurrentLinkedQueue<>();
    private static final Executor BACKGROUND = r -> {
        Thread t = new Thread(r, "dmtcp-old-images");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    };

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ImageCommit::removePending, "dmtcp-old-images-at-exit"));
    }

    private final Executor remover;
    private final Supplier<ImagePlacement> placement;

    /** @param placement the swap a bundle offers, or null (asked at each image) */
    ImageCommit(Supplier<ImagePlacement> placement) {
        this(BACKGROUND, placement);
    }

    /** @param remover runs the removal of each previous image (a test holds it back) */
    ImageCommit(Executor remover, Supplier<ImagePlacement> placement) {
        this.remover = remover;
        this.placement = placement;
    }

    /**
     * Renames {@code temporary} to {@code target} atomically; the image {@code target} held
     * before, if any, is removed by the remover.
     */
    void replace(Path temporary, Path target) throws IOException {
        Path old;
        ImagePlacement swap = placement.get();
        if (swap != null && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && swap.exchange(temporary, target)) {
            old = temporary;
        } else {
            old = secondName(target);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        if (old != null) {
            PENDING.add(old);
            remover.execute(ImageCommit::removePending);
        }
    }

    /** A hard link to the regular file {@code target} beside it, or null: no such file, or no hard links here. */
    private static Path secondName(Path target) {
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        long pid = ProcessHandle.current().pid();
        for (;;) {
            Path old = target.resolveSibling("." + target.getFileName() + "." + pid + "-" + (1_000_000 + NAMES.incrementAndGet()) + ".tmp");
            try {
                return Files.createLink(old, target);
            } catch (FileAlreadyExistsException e) {
                // left by an earlier process with this pid: take the next name
            } catch (NoSuchFileException e) {
                return null; // removed meanwhile: nothing to keep
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return null; // no hard links on this file system: the rename replaces the file itself
            }
        }
    }

    /** Removes every previous image still waiting; safe to run from several threads at once. */
    static void removePending() {
        for (Path p; (p = PENDING.poll()) != null;) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // left for the next checkpoint's removal of stale temporaries
            }
        }
    }
}
