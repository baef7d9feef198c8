package io.xraydrift.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.Settings;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IngestConfigTest {

    private static final String KEY = "k".repeat(40);

    private static Map<String, String> valid() {
        Map<String, String> m = new HashMap<>();
        m.put(IngestConfig.PSEUDONYM_KEY.name(), KEY);
        m.put(IngestConfig.API_TOKEN.name(), "it-token-0123456789abcdefghij");
        return m;
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "XRAY_INGEST_MAX_IMAGE_SIDE|100",
                "XRAY_INGEST_MAX_IMAGE_SIDE|big",
                "XRAY_INGEST_MAX_UPLOAD_BYTES|-1",
                "XRAY_DEMO_MODE|perhaps",
                "XRAY_PSEUDONYM_KEY|short",
                "XRAY_HTTP_PORT|-5",
                "XRAY_DICOM_CALLING_AE_TITLES|PACS1,A_TITLE_LONGER_THAN_16",
                "XRAY_DICOM_TLS_TRUSTSTORE|/etc/xray/peers.p12",
                "XRAY_DICOM_TLS_KEYSTORE|/etc/xray/scp.p12",
                "XRAY_REID_KEY|c2hvcnQ=",
                "XRAY_REID_KEY|kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
            })
    void badValueFailsNamingTheKey(String key, String value) {
        Map<String, String> m = valid();
        m.put(key, value);
        ConfigException e = assertThrows(ConfigException.class, () -> IngestConfig.from(Settings.of(m)));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void refusesToStartWithoutAKeyOutsideDemoMode() {
        Map<String, String> m = valid();
        m.remove(IngestConfig.PSEUDONYM_KEY.name());
        ConfigException e = assertThrows(ConfigException.class, () -> IngestConfig.from(Settings.of(m)));
        assertTrue(e.getMessage().startsWith(IngestConfig.PSEUDONYM_KEY + " is not set"), e.getMessage());
        IngestConfig demo = IngestConfig.from(Settings.of(Map.of(IngestConfig.DEMO_MODE.name(), "true")));
        assertTrue(demo.demoMode());
    }

    @Test
    void theDicomDoorBindsTheHttpHostByDefaultAndListsItsCallers() {
        Map<String, String> m = valid();
        m.put("XRAY_HTTP_HOST", "127.0.0.1");
        m.put(IngestConfig.DICOM_PORT.name(), "11112");
        m.put(IngestConfig.DICOM_CALLING_AE_TITLES.name(), "PACS1, MODALITY_CR2");
        m.put(IngestConfig.DICOM_CALLING_HOSTS.name(), "10.1.2.3");
        IngestConfig.DicomDoor door = IngestConfig.from(Settings.of(m)).dicom();
        assertEquals("127.0.0.1", door.host());
        assertEquals(Set.of("PACS1", "MODALITY_CR2"), door.callingAeTitles());
        assertEquals(Set.of("10.1.2.3"), door.callingHosts());
        assertFalse(door.tls());
        m.put(IngestConfig.DICOM_HOST.name(), "10.0.0.5");
        m.put(IngestConfig.DICOM_TLS_KEYSTORE.name(), "/etc/xray/scp.p12");
        m.put(IngestConfig.DICOM_TLS_PASSWORD.name(), "door-secret-value");
        IngestConfig c = IngestConfig.from(Settings.of(m));
        assertEquals("10.0.0.5", c.dicom().host());
        assertTrue(c.dicom().tls());
        assertFalse(c.toString().contains("door-secret-value"), c.toString());
    }

    @Test
    void secretsNeverPrinted() {
        IngestConfig c = IngestConfig.from(Settings.of(valid()));
        assertEquals(KEY, c.pseudonymKey());
        assertFalse(c.toString().contains(KEY), c.toString());
        assertFalse(c.toString().contains("t0ken"), c.toString());
    }
}
