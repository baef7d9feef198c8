package io.xraydrift.drift.rule;

import java.util.Locale;

/**
 * What the rise-from-baseline rule measures a patient's movement on.
 * <ul>
 * <li>{@link #AXIS}: the scan's position on the indexer's grade axis, the line from the healthy
 * references toward the severe ones fitted on every labelled reference (the event's
 * {@code axisPosition}): how far the patient has moved from the healthy cluster toward the severe
 * one. With the bundled model it separates the real worsening series from the quiet ones better
 * than the score does (docs/real-data.md, "Drift on real series").</li>
 * <li>{@link #SCORE}: the severity score itself (the neighbours' composition blended with the axis).</li>
 * </ul>
 * The levels (healthy, infected, severe) and their escalations always follow the score.
 */
public enum BaselineSignal {
    AXIS,
    SCORE;

    /** This signal's value for a scan: NaN where the scan does not carry it. */
    public double of(ScoredScan scan) {
        return this == AXIS ? scan.axis() : scan.score();
    }

    /** As {@code XRAY_DRIFT_BASELINE_ON} spells it (and evaluation figures prefix it): {@code axis}, {@code score}. */
    public String setting() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** How a reason names it. */
    String label() {
        return this == AXIS ? "position on the healthy-to-severe axis" : "score";
    }
}
