package io.xraydrift.platform.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryAccessTest {

    @Test
    void basicAuthAndPassThroughReachTheSerdesAndTheRegistrationClient() {
        RegistryAccess a = RegistryAccess.from(Settings.of(Map.of(
                RegistryAccess.USERNAME.name(),
                "svc",
                RegistryAccess.PASSWORD.name(),
                "s3cret-pass",
                "XRAY_REGISTRY_CLIENT_AUTH_CLIENT_SCOPE",
                "registry")));
        Map<String, Object> c = a.serdeConfig();
        assertEquals("svc", c.get("apicurio.registry.auth.username"));
        assertEquals("s3cret-pass", c.get("apicurio.registry.auth.password"));
        assertEquals("registry", c.get("apicurio.registry.auth.client.scope"));
        assertEquals("Basic c3ZjOnMzY3JldC1wYXNz", a.authorization().orElseThrow());
        assertFalse(a.toString().contains("s3cret"), a.toString());
        KafkaSettings k = KafkaSettings.from(Settings.of(Map.of(
                RegistryAccess.USERNAME.name(),
                "svc",
                RegistryAccess.PASSWORD.name(),
                "s3cret-pass",
                "XRAY_KAFKA_CLIENT_SASL_JAAS_CONFIG",
                "x password=\"hunter2\";")));
        assertEquals("s3cret-pass", k.serdes().config().get("apicurio.registry.auth.password"));
        assertFalse(k.toString().contains("hunter2") || k.toString().contains("s3cret"), k.toString());
    }

    @Test
    void halfACredentialOrAnUnreadableTrustStoreIsRefusedByName() {
        ConfigException half = assertThrows(
                ConfigException.class,
                () -> RegistryAccess.from(Settings.of(Map.of(RegistryAccess.USERNAME.name(), "svc"))));
        assertTrue(half.getMessage().contains(RegistryAccess.PASSWORD.name()), half.getMessage());
        ConfigException missing = assertThrows(
                ConfigException.class,
                () -> RegistryAccess.from(
                        Settings.of(Map.of(RegistryAccess.TRUSTSTORE.name(), "/nonexistent/trust.p12"))));
        assertTrue(missing.getMessage().contains("'/nonexistent/trust.p12'"), missing.getMessage());
        ConfigException type = assertThrows(
                ConfigException.class,
                () -> RegistryAccess.from(Settings.of(Map.of(RegistryAccess.TRUSTSTORE_TYPE.name(), "PEM"))));
        assertTrue(type.getMessage().contains("'PEM'"), type.getMessage());
    }

    @Test
    void withoutSettingsNothingIsAdded() {
        RegistryAccess a = RegistryAccess.from(Settings.of(Map.of()));
        assertEquals(Map.of(), a.serdeConfig());
        assertTrue(a.authorization().isEmpty());
    }
}
