package io.xraydrift.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xraydrift.drift.rule.BaselineSignal;
import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.drift.rule.ScoredScan;
import io.xraydrift.phantoms.Trajectory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The drift rule's margins chosen on series: the best figures, and among margins that tie the largest. */
class RuleSearchTest {

    /** Levels out of reach (0.90 / 0.95), so only the rise from the baseline can alert; confirm 2. */
    private static final DriftRule BASE = new DriftRule(0.90, 0.95, 0.05, 3, 0.10, 2);

    /** A series whose scans carry no axis position (the rule measures them on the score whatever it is set to). */
    private static RuleSearch.Series series(String patient, Trajectory kind, double... scores) {
        double[] unknown = new double[scores.length];
        Arrays.fill(unknown, Double.NaN);
        return series(patient, kind, scores, unknown);
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
        RuleSearch.NoiseFloor floor = new RuleSearch.NoiseFloor(0.25, 0.25);
        RuleSearch.Choice chosen =
                RuleSearch.choose(all, BASE, Map.of(BaselineSignal.SCORE, floor, BaselineSignal.AXIS, floor));
        assertEquals(0.5, chosen.sensitivity());
        assertEquals(1.0, chosen.specificity());
        assertEquals(0.25, chosen.jump(), 1e-9);
    }

    @Test
    void choosesTheAxisWhereItSeparatesTheSeriesAndTheScoreDoesNot() {
        // On the score the stable patient rises as far as the worsening ones; on the axis it stays put.
        List<RuleSearch.Series> all = List.of(
                series("a", Trajectory.WORSENING, new double[] {0.10, 0.35}, new double[] {0.10, 0.45}),
                series("b", Trajectory.WORSENING, new double[] {0.10, 0.35}, new double[] {0.20, 0.50}),
                series("c", Trajectory.STABLE, new double[] {0.10, 0.40}, new double[] {0.30, 0.32}));
        RuleSearch.Choice chosen = RuleSearch.choose(all, BASE);
        assertEquals(BaselineSignal.AXIS, chosen.signal());
        assertEquals(1.0, chosen.sensitivity());
        assertEquals(1.0, chosen.specificity());
        assertEquals(0.3, chosen.jump(), 1e-9, "the smaller worsening rise, 0.30: a rise of the jump alerts");
        RuleSearch.Choice onScore = RuleSearch.choose(all, BASE.withBaselineOn(BaselineSignal.SCORE));
        assertEquals(BaselineSignal.AXIS, onScore.signal(), "whichever signal the base rule starts from");
    }

    @Test
    void equalFiguresKeepTheBaseRulesSignal() {
        List<RuleSearch.Series> all = List.of(
                series("a", Trajectory.WORSENING, new double[] {0.10, 0.40}, new double[] {0.10, 0.40}),
                series("c", Trajectory.STABLE, new double[] {0.10, 0.12}, new double[] {0.10, 0.12}));
        assertEquals(BaselineSignal.SCORE, RuleSearch.choose(all, BASE).signal());
        assertEquals(
                BaselineSignal.AXIS,
                RuleSearch.choose(all, BASE.withBaselineOn(BaselineSignal.AXIS)).signal());
    }

    private static RuleSearch.Series series(String patient, Trajectory kind, double[] scores, double[] axis) {
        List<ScoredScan> scans = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            scans.add(new ScoredScan(
                    patient + "-" + i,
                    Instant.parse("2026-01-01T00:00:00Z").plusSeconds(86_400L * i),
                    scores[i],
                    30,
                    6,
                    0,
                    axis[i]));
        }
        return new RuleSearch.Series(patient, kind, scans);
    }
}
