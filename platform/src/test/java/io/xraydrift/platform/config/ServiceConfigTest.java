package io.xraydrift.platform.config;

import static io.xraydrift.platform.config.SettingsTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceConfigTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "XRAY_HTTP_PORT|70000",
                "XRAY_HTTP_PORT|eighty",
                "XRAY_KAFKA_BOOTSTRAP_SERVERS|broker-without-port",
                "XRAY_REGISTRY_URL|registry:8080",
                "XRAY_TOPIC_REPLICATION_FACTOR|0",
            })
    void badValueFailsNamingTheKey(String key, String value) {
        assertMessage(() -> ServiceConfig.from(Settings.of(Map.of(key, value)), "svc", 8080), key);
        assertMessage(() -> ServiceConfig.from(Settings.of(Map.of(key, value)), "svc", 8080), value);
    }

    @Test
    void defaultsAndDerivedUrls() {
        ServiceConfig c = ServiceConfig.from(
                Settings.of(Map.of("XRAY_INSTANCE_ID", "a1", "XRAY_REGISTRY_URL", "http://reg:8080/")), "svc", 8085);
        assertEquals(8085, c.httpPort());
        assertEquals("127.0.0.1:9092", c.kafka().bootstrapServers());
        assertEquals("http://reg:8080/apis/registry/v3", c.kafka().registryApiUrl());
        assertEquals("http://reg:8080/apis/ccompat/v7", c.kafka().ccompatUrl());
        assertEquals("svc-a1-producer", c.clientId("producer"));
    }
}
