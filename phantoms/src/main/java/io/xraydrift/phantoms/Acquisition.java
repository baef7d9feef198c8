package io.xraydrift.phantoms;

import java.util.SplittableRandom;

/**
 * How one scan was taken: exposure and contrast, a small rotation and shift, quantum noise and
 * blur, and optionally the AP/portable look (magnified heart, flatter contrast, more noise).
 *
 * @param gain       overall brightness
 * @param contrast   steepness of the attenuation-to-intensity curve
 * @param rotation   radians, about the image centre
 * @param shiftX     fraction of the width
 * @param shiftY     fraction of the height
 * @param noise      quantum noise level
 * @param blur       blur passes at 512 px (scaled with size)
 * @param portable   AP/portable look
 * @param noiseSeed  seed of this scan's quantum noise
 */
public record Acquisition(
        double gain,
        double contrast,
        double rotation,
        double shiftX,
        double shiftY,
        double noise,
        int blur,
        boolean portable,
        long noiseSeed) {

    /** The acquisition of the scan with this seed; {@code portable} gives the AP bedside look. */
    public static Acquisition of(long scanSeed, boolean portable) {
        SplittableRandom r = new SplittableRandom(scanSeed ^ 0x9E3779B97F4A7C15L);
        double rotation = Math.toRadians(r.nextDouble(-2.0, 2.0) * (portable ? 1.5 : 1.0));
        return new Acquisition(
                r.nextDouble(0.92, 1.05),
                r.nextDouble(0.9, 1.1) * (portable ? 0.85 : 1.0),
                rotation,
                r.nextDouble(-0.02, 0.02),
                r.nextDouble(-0.02, 0.02),
                r.nextDouble(0.6, 1.2) * (portable ? 1.5 : 1.0),
                1 + r.nextInt(2),
                portable,
                r.nextLong());
    }

    /** A fixed, centred acquisition (tests that compare anatomy or pathology alone). */
    public static Acquisition reference() {
        return new Acquisition(1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1, false, 0L);
    }
}
