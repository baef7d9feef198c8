package io.xraydrift.embedder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EmbedderConfigTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "XRAY_EMBEDDER_DEVICE|tpu",
                "XRAY_EMBEDDER_MAX_BATCH|0",
                "XRAY_EMBEDDER_MAX_BATCH|lots",
                "XRAY_EMBEDDER_MAX_WAIT|1 minute",
                "XRAY_EMBEDDER_MAX_WAIT|11s",
                "XRAY_EMBEDDER_THREADS|0",
            })
    void badValueFailsNamingTheKey(String key, String value) {
        ConfigException e =
                assertThrows(ConfigException.class, () -> EmbedderConfig.from(Settings.of(Map.of(key, value))));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void postEmbedNeedsATokenOutsideDemoMode() {
        ConfigException e = assertThrows(ConfigException.class, () -> EmbedderConfig.from(Settings.of(Map.of())));
        assertTrue(e.getMessage().contains("XRAY_API_TOKEN"), e.getMessage());
        assertEquals(
                Settings.DEMO_API_TOKEN,
                EmbedderConfig.from(Settings.of(Map.of(Settings.DEMO_MODE.name(), "true")))
                        .apiToken());
    }

    @Test
    void defaults() {
        EmbedderConfig c = EmbedderConfig.from(Settings.of(Map.of(
                EmbedderConfig.DEVICE.name(),
                "cpu",
                EmbedderConfig.API_TOKEN.name(),
                "it-token-0123456789abcdefghij")));
        assertEquals(EmbedderConfig.Device.CPU, c.device());
        assertEquals(16, c.maxBatch());
        assertEquals(Duration.ofMillis(50), c.maxWait());
        assertTrue(c.model().isEmpty());
    }
}
