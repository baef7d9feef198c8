package io.xraydrift.drift.rule;

import io.xraydrift.events.Level;
import java.time.Instant;
import java.util.Locale;

/**
 * One scored scan of a patient, as the drift rule sees it.
 *
 * @param scanId     the scan's id (a second scan with the same id is ignored)
 * @param acquiredAt acquisition time: the rule orders by it, not by arrival
 * @param score      severity score in [0, 1]
 * @param healthy    healthy neighbours among the k nearest
 * @param infected   infected neighbours
 * @param severe     severe neighbours
 * @param axis       position on the grade axis in [0, 1] (the event's {@code axisPosition}); NaN where unknown
 */
public record ScoredScan(
        String scanId, Instant acquiredAt, double score, int healthy, int infected, int severe, double axis) {

    /** A scored scan whose axis position is not known. */
    public ScoredScan(String scanId, Instant acquiredAt, double score, int healthy, int infected, int severe) {
        this(scanId, acquiredAt, score, healthy, infected, severe, Double.NaN);
    }

    /** Neighbours counted. */
    public int neighbours() {
        return healthy + infected + severe;
    }

    /** Label of the level, lower case, for reasons. */
    static String name(Level level) {
        return level.name().toLowerCase(Locale.ROOT);
    }
}
