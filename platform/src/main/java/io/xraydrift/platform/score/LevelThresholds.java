package io.xraydrift.platform.score;

import io.xraydrift.events.Level;
import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.ConfigKey;
import io.xraydrift.platform.config.Settings;

/**
 * Where a severity score changes level — the one definition the indexer (a scan's level), the
 * drift monitor (a patient's level), the evaluation and the synthetic scans share, read once from
 * {@code XRAY_SCORE_INFECTED_THRESHOLD} and {@code XRAY_SCORE_SEVERE_THRESHOLD}. The drift monitor's former keys
 * ({@value #LEGACY_INFECTED}, {@value #LEGACY_SEVERE}) are still read: set alone they apply, set
 * beside the shared keys to another value they stop the service at start, naming both, since a
 * scan's level and its patient's level would then disagree.
 *
 * @param infected score from which the level is INFECTED
 * @param severe   score from which the level is SEVERE (above {@code infected})
 */
public record LevelThresholds(double infected, double severe) {

    public static final String LEGACY_INFECTED = "XRAY_DRIFT_INFECTED_THRESHOLD";
    public static final String LEGACY_SEVERE = "XRAY_DRIFT_SEVERE_THRESHOLD";
    public static final double DEFAULT_INFECTED = 0.15;
    public static final double DEFAULT_SEVERE = 0.55;

    private static final String APPLIES = ": one value for the indexer (a scan's level) and the drift monitor (a "
            + "patient's level). Unset, each model's own thresholds apply to its scans (fitted on its labelled data "
            + "by cross-validation, in its card, carried in the events' model reference), and this default only to "
            + "a model without them; set, it applies to every model";
    public static final ConfigKey<Double> INFECTED = ConfigKey.of(
            "XRAY_SCORE_INFECTED_THRESHOLD",
            "`" + DEFAULT_INFECTED + "`",
            "score from which a scan is INFECTED" + APPLIES,
            (s, n) -> one(s, n, LEGACY_INFECTED, DEFAULT_INFECTED));
    public static final ConfigKey<Double> SEVERE = ConfigKey.of(
            "XRAY_SCORE_SEVERE_THRESHOLD",
            "`" + DEFAULT_SEVERE + "`",
            "score from which a scan is SEVERE (above the infected one)" + APPLIES,
            (s, n) -> one(s, n, LEGACY_SEVERE, DEFAULT_SEVERE));
    public static final LevelThresholds DEFAULT = new LevelThresholds(DEFAULT_INFECTED, DEFAULT_SEVERE);

    public LevelThresholds {
        if (!(infected >= 0 && severe <= 1 && severe > infected)) {
            throw new IllegalArgumentException("level thresholds need 0 <= infected < severe <= 1, got infected "
                    + infected + ", severe " + severe);
        }
    }

    /** The level a score falls into (no history, no hysteresis). */
    public Level of(double score) {
        return score >= severe ? Level.SEVERE : score >= infected ? Level.INFECTED : Level.HEALTHY;
    }

    /** The thresholds a deployment's settings describe. */
    public static LevelThresholds from(Settings s) {
        double infected = INFECTED.from(s);
        double severe = SEVERE.from(s);
        if (severe <= infected) {
            throw new ConfigException(SEVERE + "=" + severe + " must be above " + INFECTED + "=" + infected);
        }
        return new LevelThresholds(infected, severe);
    }

    /**
     * Whether the deployment sets the thresholds itself ({@code XRAY_SCORE_*_THRESHOLD} or the
     * former keys): then they apply to every model; otherwise a model's own fitted thresholds (its
     * card, carried in each event's model reference) apply to its scans, and these defaults only to
     * a model without them.
     */
    public static boolean configured(Settings s) {
        return s.optional(INFECTED.name()).isPresent()
                || s.optional(SEVERE.name()).isPresent()
                || s.optional(LEGACY_INFECTED).isPresent()
                || s.optional(LEGACY_SEVERE).isPresent();
    }

    /** These thresholds, or a model's own where it has both and {@code useModel} says they apply. */
    public LevelThresholds orModel(boolean useModel, Double modelInfected, Double modelSevere) {
        if (!useModel || modelInfected == null || modelSevere == null || !(modelSevere > modelInfected)) {
            return this;
        }
        return new LevelThresholds(modelInfected, modelSevere);
    }

    private static double one(Settings s, String key, String legacy, double fallback) {
        boolean shared = s.optional(key).isPresent();
        boolean old = s.optional(legacy).isPresent();
        double v = s.decimal(shared || !old ? key : legacy, fallback, 0.0, 1.0);
        if (shared && old) {
            double w = s.decimal(legacy, fallback, 0.0, 1.0);
            if (w != v) {
                throw new ConfigException(legacy + "=" + w + " disagrees with " + key + "=" + v + ": one threshold "
                        + "serves the indexer and the drift monitor; set " + key + " only");
            }
        }
        return v;
    }
}
