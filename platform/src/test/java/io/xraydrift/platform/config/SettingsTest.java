package io.xraydrift.platform.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingsTest {

    @ParameterizedTest
    @CsvSource({"250ms,250", "30s,30000", "5m,300000", "2h,7200000", "1d,86400000", "PT1.5S,1500", "pt2s,2000"})
    void parsesDurations(String raw, long millis) {
        assertEquals(Duration.ofMillis(millis), Settings.parseDuration("K", raw));
    }

    @Test
    void anApiTokenOutsideDemoModeIsLongEnoughAndNotTheDemoOne() {
        ConfigException shortOne = assertThrows(
                ConfigException.class,
                () -> Settings.of(Map.of("XRAY_API_TOKEN", "hunter2")).apiToken("XRAY_API_TOKEN", "needed"));
        assertTrue(
                shortOne.getMessage().contains("7 characters")
                        && !shortOne.getMessage().contains("hunter2"),
                shortOne.getMessage());
        ConfigException demo = assertThrows(
                ConfigException.class,
                () -> Settings.of(Map.of("XRAY_API_TOKEN", Settings.DEMO_API_TOKEN))
                        .apiToken("XRAY_API_TOKEN", "needed"));
        assertTrue(demo.getMessage().contains("demo token"), demo.getMessage());
        assertEquals(
                Settings.DEMO_API_TOKEN,
                Settings.of(Map.of(Settings.DEMO_MODE.name(), "true")).apiToken("XRAY_API_TOKEN", "needed"));
        assertEquals(
                "a".repeat(24),
                Settings.of(Map.of("XRAY_API_TOKEN", "a".repeat(24))).apiToken("XRAY_API_TOKEN", "x"));
    }

    @Test
    void badValuesNameTheKeyAndTheValue() {
        Settings s = Settings.of(Map.of("A", "x1", "B", "99", "C", "maybe", "D", "ten seconds", "E", "ftp://h/"));
        assertMessage(() -> s.integer("A", 1, 0, 10), "A='x1'");
        assertMessage(() -> s.integer("B", 1, 0, 10), "B=99");
        assertMessage(() -> s.bool("C", true), "C='maybe'");
        assertMessage(() -> s.duration("D", Duration.ZERO, Duration.ZERO, Duration.ofDays(1)), "D='ten seconds'");
        assertMessage(() -> s.url("E", "http://x"), "E='ftp://h/'");
        assertMessage(() -> s.required("F", "it is needed"), "F is not set");
    }

    @Test
    void environmentOverridesTheFileAndClientSettingsPassThrough(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x.properties");
        Files.writeString(file, "XRAY_HTTP_PORT=9000\nXRAY_INSTANCE_ID=from-file\nkafka.sasl.jaas.config=abc def\n");
        Settings s = Settings.fromEnvironment(Map.of(
                Settings.CONFIG_FILE,
                file.toString(),
                "XRAY_HTTP_PORT",
                "9100",
                "XRAY_KAFKA_CLIENT_SECURITY_PROTOCOL",
                "SASL_SSL"));
        assertEquals(9100, s.port("XRAY_HTTP_PORT", 1));
        assertEquals("from-file", s.string("XRAY_INSTANCE_ID", "x"));
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config", "abc def"), s.kafkaClientOverrides());
    }

    @Test
    void unreadableFileNamesTheKey() {
        assertMessage(
                () -> Settings.fromEnvironment(Map.of(Settings.CONFIG_FILE, "/nonexistent/x.properties")),
                Settings.CONFIG_FILE + "='/nonexistent/x.properties'");
    }

    static void assertMessage(Executable call, String expected) {
        ConfigException e = assertThrows(ConfigException.class, call);
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
    }
}
