package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xraydrift.drift.DriftMonitorConfig;
import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.indexer.reference.Scoring;
import io.xraydrift.platform.config.Settings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One setting of the level thresholds moves a scan's level (indexer) and a patient's level (drift monitor) together. */
class LevelThresholdsAgreeTest {

    @Test
    void theIndexerAndTheDriftMonitorReadTheSameThresholds() {
        for (Map<String, String> env : List.of(
                Map.<String, String>of(),
                Map.of("XRAY_SCORE_INFECTED_THRESHOLD", "0.36", "XRAY_SCORE_SEVERE_THRESHOLD", "0.58"),
                Map.of("XRAY_DRIFT_INFECTED_THRESHOLD", "0.3"))) {
            Settings s = Settings.of(env);
            Scoring scoring = IndexerConfig.scoring(s);
            DriftRule rule = DriftMonitorConfig.ruleFrom(s);
            assertEquals(scoring.thresholds(), rule.thresholds(), env.toString());
            for (int i = 0; i <= 100; i++) {
                double score = i / 100.0;
                assertEquals(scoring.thresholds().of(score), rule.levelOf(score), env + " at " + score);
            }
        }
    }
}
