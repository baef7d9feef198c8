package io.xraydrift.drift.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.events.AlertKind;
import io.xraydrift.events.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rise-from-baseline part of the drift rule on sparse series (two to four scans, as real
 * patients have): a large rise alerts at once, a small one waits for the next scan, a return to the
 * baseline closes the episode. Margins here: jump 0.20, drift 0.10, confirm 2.
 */
class DriftRuleBaselineTest {

    private final DriftRule rule = new DriftRule(0.15, 0.55, 0.05, 4, 0.15, 2, 0.20, 0.10, BaselineSignal.SCORE);

    @Test
    void twoScansALargeRiseAlertsAtOnce() {
        List<Alert> alerts = rule.evaluate("p", series(0.30, 0.52));
        assertEquals(List.of("p:1:baseline_rise:infected"), ids(alerts));
        Alert a = alerts.get(0);
        assertEquals(AlertKind.BASELINE_RISE, a.kind());
        assertEquals("s1", a.scan().scanId());
        assertEquals(Level.INFECTED, a.from());
        assertEquals(List.of(0.30), a.previousScores());
        assertTrue(
                a.reason()
                        .startsWith("Worse than the patient's baseline: score 0.52, 0.22 above the baseline "
                                + "scan's 0.30 (alerts at once from +0.20)"),
                a.reason());
    }

    @Test
    void twoScansASmallRiseWaitsForConfirmationAndSoRaisesNothing() {
        assertEquals(List.of(), ids(rule.evaluate("p", series(0.30, 0.43))));
    }

    @Test
    void threeScansASmallRiseConfirmedOnTheNextScanAlerts() {
        List<Alert> alerts = rule.evaluate("p", series(0.30, 0.42, 0.44));
        assertEquals(List.of("p:1:baseline_rise:infected"), ids(alerts));
        assertEquals("s2", alerts.get(0).scan().scanId());
        assertTrue(
                alerts.get(0).reason().contains("on 2 scans in a row (from +0.10)"),
                alerts.get(0).reason());
    }

    @Test
    void threeScansASmallRiseThatFallsBackIsNotConfirmed() {
        assertEquals(List.of(), ids(rule.evaluate("p", series(0.30, 0.42, 0.33))));
    }

    @Test
    void fourScansARecoveryToTheBaselineClosesTheEpisodeAndANewRiseOpensAnother() {
        List<Alert> alerts = rule.evaluate("p", series(0.30, 0.55 - 0.01, 0.32, 0.53));
        assertEquals(
                List.of("p:1:baseline_rise:infected", "p:1:recovery:infected", "p:2:baseline_rise:infected"),
                ids(alerts));
        assertTrue(
                alerts.get(1).reason().startsWith("Back to the patient's baseline: score 0.32 (baseline 0.30)"),
                alerts.get(1).reason());
        assertEquals("s3", alerts.get(2).scan().scanId(), "the recovered scan (0.32) is the new baseline");
    }

    @Test
    void oneAlertPerEpisode() {
        // Up at once, then still higher: no second baseline alert while the episode is open.
        assertEquals(List.of("p:1:baseline_rise:infected"), ids(rule.evaluate("p", series(0.20, 0.42, 0.36, 0.45))));
    }

    @Test
    void aConfirmedLevelEscalationStillAlertsWithinTheEpisode() {
        // 0.05 -> 0.60: the level (healthy) waits for confirmation, the rise from the baseline does not.
        List<Alert> alerts = rule.evaluate("p", series(0.05, 0.60, 0.62));
        assertEquals(List.of("p:1:baseline_rise:healthy", "p:1:level_escalation:severe"), ids(alerts));
    }

    @Test
    void improvingAndStableSeriesRaiseNothing() {
        assertEquals(List.of(), ids(rule.evaluate("p", series(0.70, 0.50, 0.35))));
        assertEquals(List.of(), ids(rule.evaluate("p", series(0.30, 0.36, 0.29, 0.38))));
    }

    @Test
    void marginsOfZeroSwitchThePartOff() {
        assertEquals(List.of(), ids(rule.withBaseline(0, 0).evaluate("p", series(0.30, 0.52))));
        assertEquals(
                List.of(),
                ids(rule.withBaseline(0, 0.10).evaluate("p", series(0.30, 0.52))),
                "drift alone needs confirmation");
        assertEquals(
                List.of("p:1:baseline_rise:infected"),
                ids(rule.withBaseline(0, 0.10).evaluate("p", series(0.30, 0.52, 0.50))));
    }

    @Test
    void theSmallerMarginMayNotExceedTheLarger() {
        assertThrows(IllegalArgumentException.class, () -> rule.withBaseline(0.1, 0.2));
    }

    @Test
    void lateScansAreSlottedIn() {
        List<ScoredScan> s = new ArrayList<>(series(0.30, 0.52));
        Collections.reverse(s);
        assertEquals(List.of("p:1:baseline_rise:infected"), ids(rule.evaluate("p", s)));
    }

    @Test
    void onTheAxisTheRiseIsMeasuredOnTheAxisPosition() {
        DriftRule onAxis = rule.withBaselineOn(BaselineSignal.AXIS);
        // The score rises by 0.22 while the axis position barely moves: nothing on the axis, an alert on the score.
        List<ScoredScan> scoreOnly = Series.of(new double[] {0.30, 0.52}, new double[] {0.40, 0.45});
        assertEquals(List.of(), ids(onAxis.evaluate("p", scoreOnly)));
        assertEquals(List.of("p:1:baseline_rise:infected"), ids(rule.evaluate("p", scoreOnly)));
        // The axis position rises by 0.25 while the score moves 0.05.
        List<Alert> alerts = onAxis.evaluate("p", Series.of(new double[] {0.30, 0.35}, new double[] {0.20, 0.45}));
        assertEquals(List.of("p:1:baseline_rise:infected"), ids(alerts));
        assertTrue(
                alerts.get(0)
                        .reason()
                        .startsWith("Worse than the patient's baseline: position on the healthy-to-severe axis 0.45, "
                                + "0.25 above the baseline scan's 0.20 (alerts at once from +0.20), score 0.35; "),
                alerts.get(0).reason());
    }

    @Test
    void onTheAxisARecoveryIsBackToTheBaselinesAxisPosition() {
        DriftRule onAxis = rule.withBaselineOn(BaselineSignal.AXIS);
        List<Alert> alerts =
                onAxis.evaluate("p", Series.of(new double[] {0.30, 0.40, 0.40}, new double[] {0.20, 0.45, 0.22}));
        assertEquals(List.of("p:1:baseline_rise:infected", "p:1:recovery:infected"), ids(alerts));
        assertTrue(
                alerts.get(1)
                        .reason()
                        .startsWith("Back to the patient's baseline: position on the healthy-to-severe axis 0.22 "
                                + "(baseline 0.20), score 0.40"),
                alerts.get(1).reason());
    }

    @Test
    void aHistoryWithAScanLackingItsAxisPositionIsMeasuredOnTheScore() {
        DriftRule onAxis = rule.withBaselineOn(BaselineSignal.AXIS);
        List<ScoredScan> mixed = Series.of(new double[] {0.30, 0.52}, new double[] {Double.NaN, 0.35});
        assertEquals(List.of("p:1:baseline_rise:infected"), ids(onAxis.evaluate("p", mixed)));
    }

    private static List<ScoredScan> series(double... scores) {
        return Series.of(scores);
    }

    private static List<String> ids(List<Alert> alerts) {
        return Series.ids(alerts);
    }
}
