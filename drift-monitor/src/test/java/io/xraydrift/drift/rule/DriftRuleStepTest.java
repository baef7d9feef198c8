package io.xraydrift.drift.rule;

import static io.xraydrift.drift.rule.Series.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.drift.rule.DriftRule.Phase;
import io.xraydrift.drift.rule.DriftRule.State;
import io.xraydrift.drift.rule.DriftRule.Step;
import io.xraydrift.events.Level;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each transition of the rule's state machine ({@link DriftRule#step}), one scan at a time. */
class DriftRuleStepTest {

    /** Thresholds 0.15 / 0.55, hysteresis 0.05, window 3 rising 0.10, confirm 2, jump 0.30, drift 0.12. */
    private final DriftRule rule = new DriftRule(0.15, 0.55, 0.05, 3, 0.10, 2, 0.30, 0.12, BaselineSignal.SCORE);

    private final DriftRule levelsOnly = new DriftRule(0.15, 0.55, 0.05, 3, 0.10, 1);

    /** The state after these scores, stepped one by one from the start. */
    private static State after(DriftRule rule, double... scores) {
        State s = rule.start();
        for (ScoredScan scan : Series.of(scores)) {
            s = rule.step("p", s, scan).state();
        }
        return s;
    }

    /** The step the last score makes from the state the others leave. */
    private static Step last(DriftRule rule, double... scores) {
        State s = rule.start();
        Step step = null;
        for (ScoredScan scan : Series.of(scores)) {
            step = rule.step("p", s, scan);
            s = step.state();
        }
        return step;
    }

    @Test
    void theFirstScanIsTheBaselineAndSetsTheLevelWithoutAnAlert() {
        Step first = last(rule, 0.70);
        assertEquals(Phase.WATCHING, first.state().phase());
        assertEquals(Level.SEVERE, first.state().level(), "admitted severe");
        assertEquals(0.70, first.state().baseline());
        assertEquals(List.of(), first.alerts());
        assertEquals(Phase.NEW, rule.start().phase());
    }

    @Test
    void aRiseIsHeldUntilConfirmedThenTheLevelAllScansReachedIsTaken() {
        Step one = last(rule, 0.05, 0.60);
        // One scan above: held (this rise from the baseline is past the jump, so that part raises).
        assertEquals(Level.HEALTHY, one.state().level());
        assertEquals(1, one.state().above());
        assertEquals(Level.SEVERE, one.state().reachedByAll());
        Step two = last(levelsOnly.withBaseline(0, 0), 0.05, 0.10);
        assertEquals(0, two.state().above(), "a scan at the level resets the count");
        DriftRule confirmTwo = new DriftRule(0.15, 0.55, 0.05, 3, 0.10, 2);
        Step confirmed = last(confirmTwo, 0.05, 0.60, 0.30);
        assertEquals(Level.INFECTED, confirmed.state().level(), "severe then infected: both reached infected");
        assertEquals(List.of("p:1:level_escalation:infected"), ids(confirmed.alerts()));
        assertEquals(0, confirmed.state().above());
    }

    @Test
    void watchingToEpisodeByAConfirmedEscalation() {
        Step step = last(levelsOnly, 0.05, 0.30);
        assertEquals(Phase.EPISODE, step.state().phase());
        assertEquals(1, step.state().episode());
        assertEquals(List.of("p:1:level_escalation:infected"), ids(step.alerts()));
        assertEquals(1, step.state().levelSince(), "the level is counted from this scan");
    }

    @Test
    void watchingToEpisodeByASustainedRiseWithinTheLevel() {
        Step step = last(levelsOnly, 0.20, 0.25, 0.32);
        assertEquals(Level.INFECTED, step.state().level());
        assertEquals(Phase.EPISODE, step.state().phase());
        assertEquals(List.of("p:1:sustained_worsening:infected"), ids(step.alerts()));
        Step dip = last(levelsOnly, 0.20, 0.30, 0.26, 0.33);
        assertEquals(Phase.WATCHING, dip.state().phase(), "a step down of more than the tolerance breaks the rise");
    }

    @Test
    void watchingToEpisodeByAJumpFromTheBaselineAtOnce() {
        Step step = last(rule, 0.05, 0.36);
        assertEquals(Level.HEALTHY, step.state().level(), "the level rise is not confirmed yet");
        assertEquals(Phase.EPISODE, step.state().phase());
        assertEquals(List.of("p:1:baseline_rise:healthy"), ids(step.alerts()));
        assertTrue(
                step.alerts().get(0).reason().contains("alerts at once"),
                step.alerts().get(0).reason());
    }

    @Test
    void watchingToEpisodeByADriftFromTheBaselineOnConfirmScans() {
        DriftRule drifting = new DriftRule(0.30, 0.70, 0.05, 5, 0.5, 2, 0.40, 0.12, BaselineSignal.SCORE);
        Step once = last(drifting, 0.05, 0.18);
        assertEquals(Phase.WATCHING, once.state().phase());
        assertEquals(1, once.state().risen());
        Step twice = last(drifting, 0.05, 0.18, 0.19);
        assertEquals(Phase.EPISODE, twice.state().phase());
        assertEquals(List.of("p:1:baseline_rise:healthy"), ids(twice.alerts()));
        assertEquals(0, last(drifting, 0.05, 0.18, 0.10).state().risen(), "a scan back near the baseline resets it");
    }

    @Test
    void inAnEpisodeAFurtherEscalationRaisesItsAlertOnce() {
        Step severe = last(levelsOnly, 0.05, 0.30, 0.60);
        assertEquals(Phase.EPISODE, severe.state().phase());
        assertEquals(List.of("p:1:level_escalation:severe"), ids(severe.alerts()));
        assertEquals(1, severe.state().episode(), "the same episode");
        Step downAndUp = last(levelsOnly, 0.05, 0.30, 0.60, 0.45, 0.62);
        assertEquals(List.of(), downAndUp.alerts(), "severe again in the same episode: raised already");
        assertEquals(Level.SEVERE, downAndUp.state().level());
    }

    @Test
    void inAnEpisodeALevelDownAboveHealthyRaisesNothing() {
        Step down = last(levelsOnly, 0.05, 0.30, 0.60, 0.40);
        assertEquals(Level.INFECTED, down.state().level());
        assertEquals(Phase.EPISODE, down.state().phase());
        assertEquals(List.of(), down.alerts());
        Step held = last(levelsOnly, 0.05, 0.30, 0.60, 0.52);
        assertEquals(Level.SEVERE, held.state().level(), "within the hysteresis band of the severe threshold");
    }

    @Test
    void episodeToWatchingBackToHealthyWithARecoveryAndANewBaseline() {
        Step back = last(levelsOnly, 0.05, 0.30, 0.09);
        assertEquals(Phase.WATCHING, back.state().phase());
        assertEquals(Level.HEALTHY, back.state().level());
        assertEquals(List.of("p:1:recovery:healthy"), ids(back.alerts()));
        assertEquals(0.09, back.state().baseline());
        Step inBand = last(levelsOnly, 0.05, 0.30, 0.12);
        assertEquals(Phase.EPISODE, inBand.state().phase(), "0.12 is within the band below 0.15");
    }

    @Test
    void episodeToWatchingBackToTheBaselineWithinTheHysteresis() {
        DriftRule baselineOnly = new DriftRule(0.50, 0.80, 0.05, 5, 0.5, 2, 0.20, 0, BaselineSignal.SCORE);
        Step risen = last(baselineOnly, 0.10, 0.35);
        assertEquals(Phase.EPISODE, risen.state().phase());
        Step back = last(baselineOnly, 0.10, 0.35, 0.14);
        assertEquals(Phase.WATCHING, back.state().phase());
        assertEquals(List.of("p:1:recovery:healthy"), ids(back.alerts()));
        assertEquals(0.14, back.state().baseline(), "the scan that closed the episode is the new baseline");
        Step again = last(baselineOnly, 0.10, 0.35, 0.14, 0.36);
        assertEquals(List.of("p:2:baseline_rise:healthy"), ids(again.alerts()), "a second episode");
        assertEquals(2, again.state().episode());
    }

    @Test
    void assessIsTheFoldOfTheSteps() {
        double[] scores = {0.05, 0.20, 0.31, 0.62, 0.40, 0.08, 0.40, 0.45};
        State s = rule.start();
        List<Alert> stepped = new ArrayList<>();
        for (ScoredScan scan : Series.of(scores)) {
            Step step = rule.step("p", s, scan);
            stepped.addAll(step.alerts());
            s = step.state();
        }
        DriftRule.Assessment a = rule.assess("p", Series.of(scores));
        assertEquals(stepped, a.alerts());
        assertEquals(s.level(), a.level());
        assertEquals(s.phase() == Phase.EPISODE, a.episodeOpen());
        assertEquals(after(rule, scores), s);
        assertTrue(stepped.size() >= 3, ids(stepped).toString());
    }
}
