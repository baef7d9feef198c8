package io.xraydrift.phantoms;

import java.util.Locale;

/**
 * Severity levels and their thresholds, in one place. Names match the pipeline's Avro
 * {@code Level} symbols. A phantom's severity s in [0, 1]: HEALTHY below {@link #INFECTED_FROM},
 * INFECTED up to {@link #SEVERE_FROM}, SEVERE above.
 */
public enum Grade {
    HEALTHY,
    INFECTED,
    SEVERE;

    /** Lowest severity that shows as infection. */
    public static final double INFECTED_FROM = 0.15;
    /** Lowest severity that counts as severe. */
    public static final double SEVERE_FROM = 0.55;

    /** The grade of a severity value. */
    public static Grade of(double severity) {
        if (!(severity >= 0.0 && severity <= 1.0)) {
            throw new IllegalArgumentException("severity " + severity + " is outside [0, 1]");
        }
        return severity < INFECTED_FROM ? HEALTHY : severity < SEVERE_FROM ? INFECTED : SEVERE;
    }

    /** Folder and CSV name, e.g. {@code healthy}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
