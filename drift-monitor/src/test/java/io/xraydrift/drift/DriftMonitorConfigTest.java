package io.xraydrift.drift;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DriftMonitorConfigTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "XRAY_DRIFT_INFECTED_THRESHOLD|1.5",
                "XRAY_DRIFT_SEVERE_THRESHOLD|high",
                "XRAY_DRIFT_HYSTERESIS|0.9",
                "XRAY_DRIFT_WORSENING_WINDOW|1",
                "XRAY_DRIFT_WORSENING_RISE|NaN",
                "XRAY_DRIFT_STANDBY_REPLICAS|-1",
                "XRAY_DRIFT_CONFIRM_SCANS|0",
                "XRAY_DRIFT_BASELINE_JUMP|-0.1",
                "XRAY_DRIFT_BASELINE_DRIFT|2",
            })
    void badValueFailsNamingTheKey(String key, String value) {
        ConfigException e =
                assertThrows(ConfigException.class, () -> DriftMonitorConfig.from(Settings.of(Map.of(key, value))));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void instancesCallOnlyConfiguredPeersWithASecretOfTheirOwn() {
        String api = "api-token-0123456789abcdefghij";
        ConfigException missing = assertThrows(
                ConfigException.class,
                () -> DriftMonitorConfig.from(Settings.of(Map.of(DriftMonitorConfig.API_TOKEN.name(), api))));
        assertTrue(missing.getMessage().contains(DriftMonitorConfig.PEER_TOKEN.name()), missing.getMessage());
        ConfigException same = assertThrows(
                ConfigException.class,
                () -> DriftMonitorConfig.from(Settings.of(
                        Map.of(DriftMonitorConfig.API_TOKEN.name(), api, DriftMonitorConfig.PEER_TOKEN.name(), api))));
        assertTrue(
                same.getMessage().contains("the same as the API token")
                        && !same.getMessage().contains(api),
                same.getMessage());
        DriftMonitorConfig c = DriftMonitorConfig.from(Settings.of(Map.of(
                DriftMonitorConfig.API_TOKEN.name(),
                api,
                DriftMonitorConfig.PEER_TOKEN.name(),
                "peer-token-0123456789abcdefghij",
                DriftMonitorConfig.PEERS.name(),
                "drift-a, drift-b:8084")));
        assertTrue(c.isPeer("drift-a", 8084) && c.isPeer("DRIFT-A", 9000), "a listed host, any port");
        assertTrue(c.isPeer("drift-b", 8084));
        assertFalse(c.isPeer("drift-b", 9999), "a listed host:port, that port only");
        assertFalse(c.isPeer("evil", 8084), "a member advertising another address is not called");
        DriftMonitorConfig alone = DriftMonitorConfig.from(Settings.of(Map.of(
                DriftMonitorConfig.API_TOKEN.name(),
                api,
                DriftMonitorConfig.PEER_TOKEN.name(),
                "peer-token-0123456789abcdefghij",
                "XRAY_HTTP_HOST",
                "10.0.0.5")));
        assertTrue(alone.isPeer("10.0.0.5", 8084) && !alone.isPeer("10.0.0.6", 8084), "unset: this instance only");
    }

    @Test
    void theSmallerBaselineRiseMustNotExceedTheLargerOne() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> DriftMonitorConfig.ruleFrom(Settings.of(Map.of(
                        DriftMonitorConfig.BASELINE_JUMP.name(),
                        "0.1",
                        DriftMonitorConfig.BASELINE_DRIFT.name(),
                        "0.2"))));
        assertTrue(e.getMessage().contains(DriftMonitorConfig.BASELINE_DRIFT.name()), e.getMessage());
        assertTrue(
                DriftMonitorConfig.ruleFrom(Settings.of(Map.of(
                                        DriftMonitorConfig.BASELINE_JUMP.name(),
                                        "0",
                                        DriftMonitorConfig.BASELINE_DRIFT.name(),
                                        "0.2")))
                                .drift()
                        == 0.2,
                "jump 0 = off: any drift margin");
    }

    @Test
    void thresholdsMustBeOrdered() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> DriftMonitorConfig.from(Settings.of(Map.of(
                        DriftMonitorConfig.INFECTED_THRESHOLD.name(),
                        "0.6",
                        DriftMonitorConfig.SEVERE_THRESHOLD.name(),
                        "0.4"))));
        assertTrue(
                e.getMessage().contains(DriftMonitorConfig.SEVERE_THRESHOLD.name())
                        && e.getMessage().contains(DriftMonitorConfig.INFECTED_THRESHOLD.name()),
                e.getMessage());
    }
}
