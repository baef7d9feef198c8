package io.xraydrift.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.drift.rule.ScoredScan;
import io.xraydrift.phantoms.Trajectory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The drift rule's margins chosen on series: the best figures, and among margins that tie the largest. */
class RuleSearchTest {

    /** Levels out of reach (0.90 / 0.95), so only the rise from the baseline can alert; confirm 2. */
    private static final DriftRule BASE = new DriftRule(0.90, 0.95, 0.05, 3, 0.10, 2);

    private static RuleSearch.Series series(String patient, Trajectory kind, double... scores) {
        List<ScoredScan> scans = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            scans.add(new ScoredScan(
                    patient + "-" + i,
                    Instant.parse("2026-01-01T00:00:00Z").plusSeconds(86_400L * i),
                    scores[i],
                    30,
                    6,
                    0));
        }
        return new RuleSearch.Series(patient, kind, scans);
    }

    @Test
    void choosesTheLargestJumpThatSeparatesWorseningFromQuietSeries() {
        // Rises of 0.22 and 0.27 must alert, a rise of 0.08 and a fall must not: any jump in (0.08, 0.22]
        // separates them (a drift margin never fires on two scans with confirm 2).
        List<RuleSearch.Series> all = List.of(
                series("a", Trajectory.WORSENING, 0.10, 0.32),
                series("b", Trajectory.WORSENING, 0.10, 0.37),
                series("c", Trajectory.STABLE, 0.10, 0.18),
                series("d", Trajectory.IMPROVING, 0.20, 0.12));
        RuleSearch.Choice chosen = RuleSearch.choose(all, BASE);
        assertEquals(1.0, chosen.sensitivity());
        assertEquals(1.0, chosen.specificity());
        assertEquals(0.2, chosen.jump(), 1e-9, "the largest of 0.10 .. 0.20 (the grid within the gap): fewer pages");
        assertEquals(0.0, chosen.drift(), "off, counted as the largest");
    }

    @Test
    void marginsBelowTheNoiseFloorAreNotTried() {
        List<RuleSearch.Series> all = List.of(
                series("a", Trajectory.WORSENING, 0.10, 0.32),
                series("b", Trajectory.WORSENING, 0.10, 0.37),
                series("c", Trajectory.STABLE, 0.10, 0.18));
        // Without a floor a jump of 0.10 already separates them; with one at 0.25 no jump can: a rise of 0.22 is
        // missed.
        RuleSearch.Choice chosen = RuleSearch.choose(all, BASE, 0.25, 0.25);
        assertEquals(0.5, chosen.sensitivity());
        assertEquals(1.0, chosen.specificity());
        assertEquals(0.25, chosen.jump(), 1e-9);
    }
}
