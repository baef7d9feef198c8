package io.xraydrift.platform.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decoding an untrusted PNG or JPEG without trusting its size: the dimensions the file declares are
 * read from its header first, and a file that declares more than {@value #MAX_DECLARED_SIDE} pixels
 * a side or {@value #MAX_DECLARED_PIXELS} pixels is refused unread (a decompression bomb would
 * otherwise take the heap). The one place ingest's normaliser and the embedder's preprocessing
 * decode images. Decodes in flight share one budget of {@value #MAX_DECLARED_PIXELS} declared
 * pixels per process: many small images decode in parallel, a near-maximal one waits until it can
 * have the budget to itself, so a batch of large 16-bit films decoded on every core cannot take the
 * heap together.
 */
public final class ImageLimits {

    public static final int MAX_DECLARED_SIDE = 16_384;
    public static final long MAX_DECLARED_PIXELS = 50_000_000L;

    /** An image whose header declares more pixels than are decoded. */
    public static final class TooLarge extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    /** Work done on a decoded image while its pixels are held against the budget. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T apply(BufferedImage image) throws E;
    }

    /** Kilopixels decodes in flight may declare together. */
    private static final Semaphore BUDGET = new Semaphore((int) (MAX_DECLARED_PIXELS / 1000), true);

    private ImageLimits() {}

    /** Kilopixels of the budget free now (tests). */
    static int budgetLeft() {
        return BUDGET.availablePermits();
    }

    /**
     * Decodes as {@link #decode} does, then runs {@code work} on the image while its declared pixels
     * are held against the process-wide budget (waiting for room first); releases them after.
     */
    public static <T, E extends Exception> T withDecoded(byte[] bytes, String format, Work<T, E> work) throws E {
        int[] size = declared(bytes, format);
        int permits = (int) Math.max(1, Math.min(MAX_DECLARED_PIXELS / 1000, (long) size[0] * size[1] / 1000));
        BUDGET.acquireUninterruptibly(permits);
        try {
            return work.apply(decode(bytes, format));
        } finally {
            BUDGET.release(permits);
        }
    }

    /** Width and height the header declares (checked against the limits). */
    private static int[] declared(byte[] bytes, String format) {
        return read(bytes, format, false).size();
    }

    private record Read(int[] size, BufferedImage image) {}

    /** Reads the header (checking the declared size) and, if {@code pixels}, the image. */
    private static Read read(byte[] bytes, String format, boolean pixels) {
        // In memory, never ImageIO's file cache, whose streams ImageIO's shutdown hook closes under a
        // decode in progress when the service stops (the film would be dead-lettered for it).
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers =
                    format != null ? ImageIO.getImageReadersByFormatName(format) : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException(
                        format != null
                                ? "no decoder for " + format
                                : "not a PNG or JPEG image (" + bytes.length + " bytes)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int[] size = {reader.getWidth(0), reader.getHeight(0)};
                check(size[0], size[1]);
                if (!pixels) {
                    return new Read(size, null);
                }
                BufferedImage img = reader.read(0);
                if (img == null) {
                    throw new IllegalArgumentException(reader.getFormatName() + " decoder returned no image");
                }
                return new Read(size, img);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot decode the " + (format == null ? "image" : format.toUpperCase(Locale.ROOT) + " image")
                            + " (" + bytes.length + " bytes): " + e.getMessage(),
                    e);
        }
    }

    private static void check(int w, int h) {
        if (w > MAX_DECLARED_SIDE || h > MAX_DECLARED_SIDE || (long) w * h > MAX_DECLARED_PIXELS) {
            throw new TooLarge("image declares " + w + "x" + h + " pixels; at most " + MAX_DECLARED_SIDE
                    + " per side and " + MAX_DECLARED_PIXELS + " pixels are decoded");
        }
    }

    /**
     * Decodes {@code bytes} as {@code format} ("png", "jpeg", or null to let ImageIO find the
     * format); throws {@link TooLarge} for a declared size over the limits and
     * {@link IllegalArgumentException} for bytes that do not decode, naming what is wrong.
     */
    public static BufferedImage decode(byte[] bytes, String format) {
        return read(bytes, format, true).image();
    }
}
