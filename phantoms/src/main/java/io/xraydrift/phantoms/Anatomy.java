package io.xraydrift.phantoms;

import java.util.SplittableRandom;

/**
 * One patient's chest, in image-relative coordinates (x, y in [0, 1], y down; the patient's right
 * lung on the image's left). Drawn from the patient seed, so every scan of a patient shows the
 * same person.
 */
public record Anatomy(
        double midline,
        double bodyHalfWidth,
        double tissue,
        Lung right,
        Lung left,
        double heartX,
        double heartY,
        double heartHalfWidth,
        double heartHalfHeight,
        double heartDensity,
        double mediastinumHalfWidth,
        double spineHalfWidth,
        double ribStart,
        double ribSpacing,
        double ribSlope,
        double ribThickness,
        int ribs,
        double clavicleY,
        double clavicleSlope) {

    /** One lung field: an ellipse cut below by the diaphragm dome. */
    public record Lung(double x, double y, double halfWidth, double halfHeight, double domeY, double air) {}

    /** The anatomy of the patient with this seed. */
    public static Anatomy of(long patientSeed) {
        SplittableRandom r = new SplittableRandom(patientSeed ^ 0x5DEECE66DL);
        double midline = 0.5 + r.nextDouble(-0.012, 0.012);
        double lungY = r.nextDouble(0.41, 0.46);
        double lungHalfHeight = r.nextDouble(0.26, 0.32);
        double lungHalfWidth = r.nextDouble(0.135, 0.175);
        double spread = r.nextDouble(0.19, 0.225);
        double air = r.nextDouble(0.22, 0.30);
        double domeRight = lungY + lungHalfHeight * r.nextDouble(0.55, 0.7);
        Lung right = new Lung(midline - spread, lungY, lungHalfWidth, lungHalfHeight, domeRight, air);
        Lung left = new Lung(
                midline + spread * r.nextDouble(0.97, 1.04),
                lungY + r.nextDouble(0.0, 0.015),
                lungHalfWidth * r.nextDouble(0.88, 0.96),
                lungHalfHeight * r.nextDouble(0.96, 1.02),
                domeRight + r.nextDouble(0.01, 0.035),
                air * r.nextDouble(0.95, 1.05));
        double heartHalfHeight = r.nextDouble(0.10, 0.125);
        return new Anatomy(
                midline,
                r.nextDouble(0.43, 0.48),
                r.nextDouble(0.30, 0.44),
                right,
                left,
                midline + r.nextDouble(0.045, 0.075),
                domeRight - heartHalfHeight * r.nextDouble(0.4, 0.7),
                r.nextDouble(0.13, 0.16),
                heartHalfHeight,
                r.nextDouble(0.16, 0.22),
                r.nextDouble(0.035, 0.05),
                r.nextDouble(0.022, 0.03),
                r.nextDouble(0.12, 0.15),
                r.nextDouble(0.048, 0.056),
                r.nextDouble(0.55, 0.75),
                r.nextDouble(0.009, 0.013),
                10,
                r.nextDouble(0.15, 0.18),
                r.nextDouble(0.08, 0.2));
    }
}
