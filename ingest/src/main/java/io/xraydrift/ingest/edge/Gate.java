package io.xraydrift.ingest.edge;

import io.xraydrift.events.ViewPosition;
import java.util.Locale;

/**
 * Lets through only what can be a frontal chest radiograph: PA, AP or unknown view, and an image
 * whose size, aspect and intensity statistics fit one. Each refusal names the measured value and
 * the bound it broke.
 */
public final class Gate {

    public static final int MIN_SIDE = 256;
    public static final double MIN_ASPECT = 0.6;
    public static final double MAX_ASPECT = 1.67;
    public static final double MIN_STD = 8;
    public static final double MIN_MEAN = 15;
    public static final double MAX_MEAN = 240;

    private Gate() {}

    public static void check(ViewPosition view, NormalisedImage image) throws Rejected {
        int originalWidth = image.originalWidth();
        int originalHeight = image.originalHeight();
        if (view == ViewPosition.LATERAL) {
            throw Rejected.invalid("view", "view LATERAL is not a frontal chest radiograph (PA or AP only)");
        }
        if (Math.min(originalWidth, originalHeight) < MIN_SIDE) {
            throw Rejected.invalid(
                    "image",
                    "image is " + originalWidth + "x" + originalHeight + " pixels, the shorter "
                            + "side must be at least " + MIN_SIDE);
        }
        double aspect = image.width() / (double) image.height();
        if (aspect < MIN_ASPECT || aspect > MAX_ASPECT) {
            throw Rejected.invalid(
                    "image",
                    String.format(
                            Locale.ROOT,
                            "image aspect ratio %.2f (%dx%d) is outside " + "[%.2f, %.2f] for a chest radiograph",
                            aspect,
                            image.width(),
                            image.height(),
                            MIN_ASPECT,
                            MAX_ASPECT));
        }
        if (image.stdDev() < MIN_STD) {
            throw Rejected.invalid(
                    "image",
                    String.format(
                            Locale.ROOT,
                            "image is nearly uniform (intensity standard " + "deviation %.1f, minimum %.0f)",
                            image.stdDev(),
                            MIN_STD));
        }
        if (image.mean() < MIN_MEAN || image.mean() > MAX_MEAN) {
            throw Rejected.invalid(
                    "image",
                    String.format(
                            Locale.ROOT,
                            "image mean intensity %.1f is outside " + "[%.0f, %.0f]: over- or under-exposed beyond use",
                            image.mean(),
                            MIN_MEAN,
                            MAX_MEAN));
        }
    }
}
