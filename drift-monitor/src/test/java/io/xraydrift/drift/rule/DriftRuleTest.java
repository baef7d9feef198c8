package io.xraydrift.drift.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.events.AlertKind;
import io.xraydrift.events.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftRuleTest {

    private final DriftRule rule = new DriftRule(0.15, 0.55, 0.05, 4, 0.15, 1);
    private final DriftRule confirmed = new DriftRule(0.15, 0.55, 0.05, 4, 0.15, 2);

    @Test
    void aModelsFittedLevelsMoveWhereAScoreEscalates() {
        List<ScoredScan> scans = series(0.10, 0.20, 0.22, 0.21);
        assertEquals(1, ids(rule.evaluate("p", scans)).size(), "0.20 is infected under the phantom thresholds");
        DriftRule fitted = rule.withLevels(0.36, 0.58);
        assertEquals(0.36, fitted.infectedThreshold());
        assertEquals(
                List.of(),
                ids(fitted.evaluate("p", scans)),
                "under the model's own, a real healthy film stays healthy");
        assertEquals(rule, rule.withLevels(null, 0.5));
        assertEquals(rule, rule.withLevels(0.6, 0.5));
    }

    @Test
    void worseningRaisesOneEscalationPerLevelReached() {
        List<Alert> alerts = rule.evaluate("p", series(0.0, 0.02, 0.25, 0.40, 0.62, 0.85, 0.97));
        assertEquals(List.of("p:1:level_escalation:infected", "p:1:level_escalation:severe"), ids(alerts));
        assertEquals("s2", alerts.get(0).scan().scanId());
        assertEquals(Level.HEALTHY, alerts.get(0).from());
        assertEquals("s4", alerts.get(1).scan().scanId());
        assertEquals(List.of(0.0, 0.02, 0.25, 0.40), alerts.get(1).previousScores());
        assertTrue(
                alerts.get(1).reason().startsWith("Escalated from infected to severe"),
                alerts.get(1).reason());
    }

    @Test
    void stablePatientsRaiseNothing() {
        assertEquals(List.of(), ids(rule.evaluate("p", series(0.0, 0.03, 0.01, 0.05, 0.02, 0.04, 0.0, 0.03))));
    }

    @Test
    void improvingPatientsRaiseNothingAgainstTheirBaseline() {
        assertEquals(List.of(), ids(rule.evaluate("p", series(0.8, 0.62, 0.45, 0.3, 0.12, 0.02))));
    }

    @Test
    void anEpisodeClosesWithARecoveryOnceBelowTheHysteresisBand() {
        List<Alert> alerts = rule.evaluate("p", series(0.0, 0.3, 0.62, 0.45, 0.12, 0.02));
        assertEquals(
                List.of("p:1:level_escalation:infected", "p:1:level_escalation:severe", "p:1:recovery:healthy"),
                ids(alerts));
        assertEquals("s5", alerts.get(2).scan().scanId(), "0.12 is within the hysteresis band of 0.15");
    }

    @Test
    void fluctuatingAroundAThresholdDoesNotFlap() {
        List<Alert> alerts = rule.evaluate("p", series(0.05, 0.16, 0.12, 0.17, 0.13, 0.16, 0.11, 0.18));
        assertEquals(List.of("p:1:level_escalation:infected"), ids(alerts), "one episode: dips stay in the band");
    }

    @Test
    void sustainedWorseningWithinALevelIsAlertedOncePerEpisode() {
        List<Alert> alerts = rule.evaluate("p", series(0.2, 0.24, 0.3, 0.37, 0.42, 0.47, 0.5));
        assertEquals(List.of("p:1:sustained_worsening:infected"), ids(alerts), "baseline infected, then a steady rise");
        assertEquals(AlertKind.SUSTAINED_WORSENING, alerts.get(0).kind());
        assertEquals("s3", alerts.get(0).scan().scanId(), "0.20 -> 0.37 over 4 scans");
    }

    @Test
    void aLateScanIsSlottedInByAcquisitionTimeAndNothingIsRaisedTwice() {
        List<ScoredScan> inOrder = series(0.0, 0.05, 0.3, 0.6, 0.8);
        // the scan at s2 arrives last
        List<ScoredScan> late = new ArrayList<>(inOrder);
        ScoredScan third = late.remove(2);
        late.add(third);
        assertEquals(ids(rule.evaluate("p", inOrder)), ids(rule.evaluate("p", late)));
        List<ScoredScan> prefix = new ArrayList<>(late.subList(0, 4));
        List<String> before = ids(rule.evaluate("p", prefix));
        assertEquals(List.of("p:1:level_escalation:severe"), before, "without the late scan: straight to severe");
        List<String> after = ids(rule.evaluate("p", late));
        assertTrue(after.containsAll(before), "what was alerted keeps its id: " + after);
    }

    @Test
    void theSameScanTwiceIsIgnored() {
        List<ScoredScan> scans = series(0.0, 0.3, 0.7, 0.9);
        List<ScoredScan> doubled = new ArrayList<>(scans);
        doubled.addAll(scans);
        Collections.reverse(doubled);
        assertEquals(ids(rule.evaluate("p", scans)), ids(rule.evaluate("p", doubled)));
        assertEquals(4, DriftRule.ordered(doubled).size());
    }

    @Test
    void withConfirmationASingleSpikeRaisesNothingAndARealRiseAlertsOneScanLater() {
        assertEquals(List.of(), ids(confirmed.evaluate("p", series(0.05, 0.04, 0.48, 0.06, 0.05, 0.03))));
        List<Alert> alerts = confirmed.evaluate("p", series(0.0, 0.02, 0.25, 0.40, 0.62, 0.85, 0.97));
        assertEquals(List.of("p:1:level_escalation:infected", "p:1:level_escalation:severe"), ids(alerts));
        assertEquals("s3", alerts.get(0).scan().scanId(), "confirmed by the second infected scan");
        assertEquals("s5", alerts.get(1).scan().scanId(), "confirmed by the second severe scan");
    }

    private static List<ScoredScan> series(double... scores) {
        return Series.of(scores);
    }

    private static List<String> ids(List<Alert> alerts) {
        return Series.ids(alerts);
    }
}
