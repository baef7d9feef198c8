package io.xraydrift.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IndexerConfigTest {

    static final String TOKEN = "it-token-0123456789abcdefghij";

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "XRAY_INDEXER_K|0",
                "XRAY_INDEXER_TREES|many",
                "XRAY_INDEXER_SEARCH_K|-3",
                "XRAY_INDEXER_METRIC|manhattan",
                "XRAY_INDEXER_REBUILD_FRACTION|0",
                "XRAY_INDEXER_REBUILD_INTERVAL|0s",
                "XRAY_INDEXER_SNAPSHOT_INTERVAL|soon",
                "XRAY_SCORE_AXIS_WEIGHT|2",
                "XRAY_SCORE_SEVERE_THRESHOLD|0.1",
                "XRAY_INDEXER_MIN_COHORT|0",
            })
    void badValueFailsNamingTheKey(String key, String value) {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> IndexerConfig.from(Settings.of(Map.of(key, value, "XRAY_API_TOKEN", TOKEN))));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void searchKDefaultsToKTimesTrees() {
        IndexerConfig c = IndexerConfig.from(Settings.of(Map.of("XRAY_API_TOKEN", TOKEN)));
        assertEquals(36, c.k());
        assertEquals(36 * 20, c.effectiveSearchK());
    }
}
