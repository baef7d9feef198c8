package io.xraydrift.platform.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

    @Test
    void auditRetentionIsASettingOfTopicSetupAndForeverByDefault() {
        KafkaSettings plain = KafkaSettings.from(Settings.of(Map.of()));
        assertEquals("-1", plain.declared(Topics.AUDIT).configs().get("retention.ms"));
        KafkaSettings tenYears = KafkaSettings.from(Settings.of(Map.of(KafkaSettings.AUDIT_RETENTION.name(), "3650d")));
        assertEquals(
                String.valueOf(Duration.ofDays(3650).toMillis()),
                tenYears.declared(Topics.AUDIT).configs().get("retention.ms"));
        assertSame(Topics.SCANS, tenYears.declared(Topics.SCANS), "other topics as declared");
        assertEquals(
                "-1",
                KafkaSettings.from(Settings.of(Map.of(KafkaSettings.AUDIT_RETENTION.name(), "Forever")))
                        .declared(Topics.AUDIT)
                        .configs()
                        .get("retention.ms"));
        ConfigException tooShort = assertThrows(
                ConfigException.class,
                () -> KafkaSettings.from(Settings.of(Map.of(KafkaSettings.AUDIT_RETENTION.name(), "2h"))));
        assertTrue(tooShort.getMessage().contains(KafkaSettings.AUDIT_RETENTION + "=2h"), tooShort.getMessage());
    }
}
