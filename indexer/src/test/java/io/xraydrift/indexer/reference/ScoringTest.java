package io.xraydrift.indexer.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xraydrift.events.Level;
import io.xraydrift.indexer.forest.Metric;
import io.xraydrift.platform.score.LevelThresholds;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoringTest {

    private final Scoring scoring = new Scoring(0.15, 0.55, 0.3);

    @Test
    void aModelsFittedThresholdsSetTheLevelUnlessTheDeploymentSetsItsOwn() {
        Scoring byModel = new Scoring(LevelThresholds.DEFAULT, 0.0, true);
        List<Scoring.Labelled> mixed = List.of(
                n(0.1f, Level.HEALTHY), n(0.1f, Level.INFECTED), n(0.1f, Level.HEALTHY), n(0.1f, Level.INFECTED));
        assertEquals(Level.INFECTED, byModel.score(mixed, Double.NaN).level(), "0.25 is infected from 0.15");
        assertEquals(
                Level.HEALTHY,
                byModel.forModel(0.3, 0.6).score(mixed, Double.NaN).level());
        Scoring configured = new Scoring(LevelThresholds.DEFAULT, 0.0, false);
        assertEquals(configured, configured.forModel(0.3, 0.6));
        assertEquals(byModel, byModel.forModel(null, null));
    }

    @Test
    void aVersionsAnswersAreLevelledByTheThresholdsItsScansCarried() {
        Scoring byModel = new Scoring(LevelThresholds.DEFAULT, 0.0, true);
        ReferenceIndex ref =
                new ReferenceIndex("m", "v1", Metric.ANGULAR, 4, 2, 42, 100, Duration.ofDays(1), (b, s) -> {});
        assertEquals(byModel, ref.scoring(byModel), "no thresholds seen yet: the deployment's");
        ref.modelLevels(0.3, 0.6);
        assertEquals(0.3, ref.scoring(byModel).infectedThreshold(), 1e-9, "what the query API levels by");
        assertEquals(0.6, ref.scoring(byModel).severeThreshold(), 1e-9);
        ref.modelLevels(null, null);
        assertEquals(0.3, ref.scoring(byModel).infectedThreshold(), 1e-9, "a scan without them changes nothing");
    }

    @Test
    void allHealthyNeighboursScoreZero() {
        Scoring.Score s = scoring.score(List.of(n(0.1f, Level.HEALTHY), n(0.2f, Level.HEALTHY)), 0.0);
        assertEquals(0.0, s.score(), 1e-9);
        assertEquals(Level.HEALTHY, s.level());
        assertEquals(2, s.composition().healthy());
    }

    @Test
    void closerNeighboursWeighMore() {
        Scoring.Score s = scoring.score(List.of(n(0.01f, Level.SEVERE), n(1.0f, Level.HEALTHY)), Double.NaN);
        assertEquals(1.001 / 1.011 * 1.0, s.gradeMean(), 1e-3);
        assertEquals(Level.SEVERE, s.level());
    }

    @Test
    void axisPositionIsBlendedAndClamped() {
        Scoring.Score s = scoring.score(List.of(n(0.1f, Level.INFECTED)), 2.0);
        assertEquals(0.7 * 0.5 + 0.3 * 1.0, s.score(), 1e-9);
        assertEquals(1.0, s.axisPosition(), 1e-9);
    }

    @Test
    void aNeighboursRadiologistSeverityReplacesItsLabelsGrade() {
        Scoring.Score rated = scoring.score(
                List.of(
                        new Scoring.Labelled("a", 0.1f, Level.SEVERE, 0.6),
                        new Scoring.Labelled("b", 0.1f, Level.INFECTED, 0.2)),
                Double.NaN);
        assertEquals(0.4, rated.gradeMean(), 1e-9);
        Scoring.Score unrated = scoring.score(List.of(n(0.1f, Level.SEVERE), n(0.1f, Level.INFECTED)), Double.NaN);
        assertEquals(0.75, unrated.gradeMean(), 1e-9);
        assertEquals(1, rated.composition().severe(), "the composition still counts labels");
    }

    private static Scoring.Labelled n(float d, Level l) {
        return new Scoring.Labelled("s" + d, d, l);
    }
}
