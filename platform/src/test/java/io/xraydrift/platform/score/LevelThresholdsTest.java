package io.xraydrift.platform.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.events.Level;
import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LevelThresholdsTest {

    @Test
    void theSharedKeysTheFormerDriftKeysAndTheirDisagreement() {
        assertEquals(LevelThresholds.DEFAULT, LevelThresholds.from(Settings.of(Map.of())));
        assertEquals(
                new LevelThresholds(0.2, 0.6),
                LevelThresholds.from(Settings.of(
                        Map.of(LevelThresholds.INFECTED.name(), "0.2", LevelThresholds.SEVERE.name(), "0.6"))));
        assertEquals(
                new LevelThresholds(0.25, 0.55),
                LevelThresholds.from(Settings.of(Map.of(LevelThresholds.LEGACY_INFECTED, "0.25"))),
                "a former key set alone still applies");
        assertEquals(
                new LevelThresholds(0.25, 0.55),
                LevelThresholds.from(Settings.of(
                        Map.of(LevelThresholds.LEGACY_INFECTED, "0.25", LevelThresholds.INFECTED.name(), "0.25"))));
        ConfigException both = assertThrows(
                ConfigException.class,
                () -> LevelThresholds.from(Settings.of(
                        Map.of(LevelThresholds.LEGACY_SEVERE, "0.7", LevelThresholds.SEVERE.name(), "0.6"))));
        assertTrue(
                both.getMessage().contains(LevelThresholds.LEGACY_SEVERE)
                        && both.getMessage().contains(LevelThresholds.SEVERE.name()),
                both.getMessage());
        ConfigException order = assertThrows(
                ConfigException.class,
                () -> LevelThresholds.from(Settings.of(
                        Map.of(LevelThresholds.INFECTED.name(), "0.6", LevelThresholds.SEVERE.name(), "0.4"))));
        assertTrue(order.getMessage().contains("must be above"), order.getMessage());
    }

    @Test
    void aModelsOwnThresholdsApplyOnlyWhereTheDeploymentSetsNone() {
        assertTrue(!LevelThresholds.configured(Settings.of(Map.of())));
        assertTrue(LevelThresholds.configured(Settings.of(Map.of(LevelThresholds.SEVERE.name(), "0.6"))));
        assertTrue(LevelThresholds.configured(Settings.of(Map.of(LevelThresholds.LEGACY_INFECTED, "0.2"))));
        LevelThresholds deployment = LevelThresholds.DEFAULT;
        assertEquals(new LevelThresholds(0.32, 0.58), deployment.orModel(true, 0.32, 0.58));
        assertEquals(deployment, deployment.orModel(false, 0.32, 0.58), "the deployment's own keys win");
        assertEquals(deployment, deployment.orModel(true, null, null), "a model without fitted levels");
        assertEquals(deployment, deployment.orModel(true, 0.6, 0.4), "thresholds out of order are not taken");
    }

    @Test
    void levelsChangeAtTheThresholds() {
        LevelThresholds t = new LevelThresholds(0.15, 0.55);
        assertEquals(Level.HEALTHY, t.of(0.1499));
        assertEquals(Level.INFECTED, t.of(0.15));
        assertEquals(Level.INFECTED, t.of(0.5499));
        assertEquals(Level.SEVERE, t.of(0.55));
    }
}
