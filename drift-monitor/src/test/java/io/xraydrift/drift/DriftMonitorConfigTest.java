package io.xraydrift.drift;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.Settings;

class DriftMonitorConfigTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "XRAY_DRIFT_INFECTED_THRESHOLD|1.5",
        "XRAY_DRIFT_SEVERE_THRESHOLD|high",
        "XRAY_DRIFT_HYSTERESIS|0.9",
        "XRAY_DRIFT_WORSENING_WINDOW|1",
        "XRAY_DRIFT_WORSENING_RISE|NaN",
        "XRAY_DRIFT_STANDBY_REPLICAS|-1",
        "XRAY_DRIFT_CONFIRM_SCANS|0",
    })
    void badValueFailsNamingTheKey(String key, String value) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> DriftMonitorConfig.from(Settings.of(Map.of(key, value))));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void thresholdsMustBeOrdered() {
        ConfigException e = assertThrows(ConfigException.class, () -> DriftMonitorConfig.from(Settings.of(Map.of(
                DriftMonitorConfig.INFECTED_THRESHOLD, "0.6", DriftMonitorConfig.SEVERE_THRESHOLD, "0.4"))));
        assertTrue(e.getMessage().contains(DriftMonitorConfig.SEVERE_THRESHOLD)
                && e.getMessage().contains(DriftMonitorConfig.INFECTED_THRESHOLD), e.getMessage());
    }
}
