package io.xraydrift.drift.rule;

import io.xraydrift.events.AlertKind;
import io.xraydrift.events.Level;
import java.util.List;

/**
 * An alert the rule raises. The id is deterministic: the same history gives the same ids, so a
 * replay or a recomputation after a late scan raises nothing twice.
 *
 * @param alertId        patient + episode + kind + level
 * @param kind           escalation, sustained worsening or recovery
 * @param scan           the triggering scan
 * @param from           level before it
 * @param to             level after it
 * @param previousScores earlier scores, oldest first
 * @param reason         one sentence a clinician can read
 */
public record Alert(
        String alertId,
        AlertKind kind,
        ScoredScan scan,
        Level from,
        Level to,
        List<Double> previousScores,
        String reason) {

    /** Whether an alert of this kind says "worse" (every kind but a recovery, and a reader's UNKNOWN). */
    public static boolean worsens(AlertKind kind) {
        return kind != AlertKind.RECOVERY && kind != AlertKind.UNKNOWN;
    }

    /** Whether this alert says "worse". */
    public boolean worsens() {
        return worsens(kind);
    }
}
