package io.xraydrift.ingest;

import io.xraydrift.ingest.edge.Ingestor;
import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.config.StateDirs;
import io.xraydrift.platform.reid.IdentifierSeal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Ingest's configuration. The pseudonymisation key and the API token are secrets: required
 * outside demo mode, never printed ({@link #toString()} redacts them).
 *
 * @param common         service name, HTTP port, Kafka and registry
 * @param pseudonymKey   HMAC-SHA256 key turning patient ids into pseudonyms
 * @param apiToken       bearer token HTTP clients must present
 * @param demoMode       allows built-in demo secrets; never in a deployment
 * @param maxImageSide   longest side of a normalised image, in pixels
 * @param maxUploadBytes largest accepted upload or intake image, in bytes
 * @param attributes     attribute keys kept on a scan (every other free-text attribute is dropped)
 * @param fileRoot       directory file: imageUris may point into (null: file URIs refused)
 * @param dicomWebUrl    DICOMweb base URL of the PACS to poll (null: no poller)
 * @param dicomWebName   the PACS's name in the events' source ({@code dicomweb:<name>})
 * @param pollInterval   how often the PACS is polled
 * @param stateDir       where the poller keeps its watermark
 * @param fetchHosts     host names http(s) imageUris may point at (empty: none)
 * @param fetchPrivate   whether a listed host may resolve to a loopback, link-local or private address
 * @param dicom          the DICOM door: the C-STORE SCP's address, AE title, whom it lets in, TLS
 * @param quarantineRetention how long a refused DICOM file is kept in the quarantine folder
 * @param undated        what a DICOM film without a plausible acquisition time gets (receipt time, marked; or refusal)
 * @param reidKey        the hospital's re-identification key (base64, 32 bytes): each scan's patient id
 *                       and accession number are sealed with it for alert-out; null = off (the default)
 */
public record IngestConfig(
        ServiceConfig common,
        String pseudonymKey,
        String apiToken,
        boolean demoMode,
        int maxImageSide,
        int maxUploadBytes,
        Set<String> attributes,
        Path fileRoot,
        URI dicomWebUrl,
        String dicomWebName,
        Duration pollInterval,
        Path stateDir,
        Set<String> fetchHosts,
        boolean fetchPrivate,
        DicomDoor dicom,
        Duration quarantineRetention,
        Ingestor.Undated undated,
        String reidKey) {

    /**
     * The DICOM door: where the C-STORE SCP listens ({@code port} 0: no SCP), the AE title it answers
     * to, the calling AE titles and peer hosts it lets in (empty: any), and DICOM TLS (PS3.15 BCP 195:
     * TLS 1.2 or 1.3) when a key store is given — with a trust store, peers must present a certificate
     * it trusts.
     */
    public record DicomDoor(
            String host,
            int port,
            String aeTitle,
            Set<String> callingAeTitles,
            Set<String> callingHosts,
            Path tlsKeyStore,
            String tlsPassword,
            Path tlsTrustStore) {

        public boolean open() {
            return port > 0;
        }

        public boolean tls() {
            return tlsKeyStore != null;
        }

        @Override
        public String toString() {
            return "DicomDoor[host=" + host + ", port=" + port + ", aeTitle=" + aeTitle + ", callingAeTitles="
                    + callingAeTitles + ", callingHosts=" + callingHosts + ", tlsKeyStore=" + tlsKeyStore
                    + ", tlsPassword=<redacted>, tlsTrustStore=" + tlsTrustStore + "]";
        }
    }

    public static final String SERVICE = "ingest";
    public static final int DEFAULT_PORT = 8081;
    public static final String PSEUDONYM_KEY = "XRAY_PSEUDONYM_KEY";
    public static final String API_TOKEN = "XRAY_API_TOKEN";
    public static final String DEMO_MODE = Settings.DEMO_MODE;
    public static final String MAX_IMAGE_SIDE = "XRAY_INGEST_MAX_IMAGE_SIDE";
    public static final String MAX_UPLOAD_BYTES = "XRAY_INGEST_MAX_UPLOAD_BYTES";
    public static final String ATTRIBUTES = "XRAY_INGEST_ATTRIBUTES";
    public static final String FILE_ROOT = "XRAY_INGEST_FILE_ROOT";
    public static final String DICOMWEB_URL = "XRAY_DICOMWEB_URL";
    public static final String DICOMWEB_NAME = "XRAY_DICOMWEB_NAME";
    public static final String POLL_INTERVAL = "XRAY_DICOMWEB_POLL_INTERVAL";
    public static final String STATE_DIR = "XRAY_INGEST_STATE_DIR";
    public static final String FETCH_HOSTS = "XRAY_INGEST_FETCH_HOSTS";
    public static final String FETCH_PRIVATE = "XRAY_INGEST_FETCH_PRIVATE";
    public static final String DICOM_PORT = "XRAY_DICOM_PORT";
    public static final String DICOM_AE_TITLE = "XRAY_DICOM_AE_TITLE";
    public static final String DICOM_HOST = "XRAY_DICOM_HOST";
    public static final String REID_KEY = "XRAY_REID_KEY";
    public static final String UNDATED = "XRAY_INGEST_UNDATED";
    public static final String QUARANTINE_RETENTION = "XRAY_DICOM_QUARANTINE_RETENTION";
    public static final String DICOM_CALLING_AE_TITLES = "XRAY_DICOM_CALLING_AE_TITLES";
    public static final String DICOM_CALLING_HOSTS = "XRAY_DICOM_CALLING_HOSTS";
    public static final String DICOM_TLS_KEYSTORE = "XRAY_DICOM_TLS_KEYSTORE";
    public static final String DICOM_TLS_PASSWORD = "XRAY_DICOM_TLS_PASSWORD";
    public static final String DICOM_TLS_TRUSTSTORE = "XRAY_DICOM_TLS_TRUSTSTORE";
    public static final String DEFAULT_AE_TITLE = "XRAYDRIFT";
    /** Attribute keys kept by default: none carries free text about the patient. */
    public static final String DEFAULT_ATTRIBUTES = "ward,station,demo_trajectory";

    static final int MIN_KEY_LENGTH = 32;
    /** The pseudonymisation key of demo mode (never for real patients). */
    public static final String DEMO_PSEUDONYM_KEY = "xray-drift-demo-key-not-for-real-patients-0001";

    static final String DEMO_API_TOKEN = Settings.DEMO_API_TOKEN;

    public static IngestConfig from(Settings s) {
        boolean demo = s.demoMode();
        String key = s.secret(
                PSEUDONYM_KEY,
                DEMO_PSEUDONYM_KEY,
                "ingest refuses to start without a pseudonymisation key outside demo mode");
        if (key.length() < MIN_KEY_LENGTH) {
            throw new ConfigException(
                    PSEUDONYM_KEY + " is " + key.length() + " characters long, minimum is " + MIN_KEY_LENGTH);
        }
        String token = s.apiToken(API_TOKEN, "HTTP uploads need a bearer token outside demo mode");
        ServiceConfig common = ServiceConfig.from(s, SERVICE, DEFAULT_PORT);
        return new IngestConfig(
                common,
                key,
                token,
                demo,
                s.integer(MAX_IMAGE_SIDE, 1024, 256, 8192),
                s.integer(MAX_UPLOAD_BYTES, 32 * 1024 * 1024, 1024, 256 * 1024 * 1024),
                Set.copyOf(
                        Arrays.asList(s.string(ATTRIBUTES, DEFAULT_ATTRIBUTES).split("\\s*,\\s*"))),
                s.optional(FILE_ROOT).map(Path::of).orElse(null),
                s.optional(DICOMWEB_URL).map(v -> s.url(DICOMWEB_URL, v)).orElse(null),
                s.string(DICOMWEB_NAME, "pacs"),
                s.duration(POLL_INTERVAL, Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofHours(1)),
                s.path(STATE_DIR, StateDirs.defaultFor("ingest")),
                s.optional(FETCH_HOSTS)
                        .map(v -> Arrays.stream(v.split("\\s*,\\s*"))
                                .filter(h -> !h.isBlank())
                                .map(h -> h.toLowerCase(Locale.ROOT))
                                .collect(Collectors.toUnmodifiableSet()))
                        .orElse(Set.of()),
                s.bool(FETCH_PRIVATE, false),
                dicomDoor(s, common.httpHost()),
                s.duration(QUARANTINE_RETENTION, Duration.ofDays(7), Duration.ofMinutes(1), Duration.ofDays(365)),
                s.choice(UNDATED, Ingestor.Undated.RECEIPT),
                reidKey(s, key));
    }

    /** The re-identification key, checked: 32 bytes of base64, and never the pseudonymisation key. */
    private static String reidKey(Settings s, String pseudonymKey) {
        String v = s.optional(REID_KEY).orElse(null);
        if (v == null) {
            return null;
        }
        try {
            IdentifierSeal.ofBase64(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(REID_KEY + ": " + e.getMessage() + " (openssl rand -base64 32)");
        }
        if (v.strip().equals(pseudonymKey.strip())) {
            throw new ConfigException(REID_KEY + " must differ from " + PSEUDONYM_KEY + ": re-identification is "
                    + "the hospital's own key");
        }
        return v.strip();
    }

    private static DicomDoor dicomDoor(Settings s, String httpHost) {
        Set<String> callingAes = list(s, DICOM_CALLING_AE_TITLES).stream()
                .map(v -> aeTitle(DICOM_CALLING_AE_TITLES, v))
                .collect(Collectors.toUnmodifiableSet());
        Path keyStore = s.optional(DICOM_TLS_KEYSTORE).map(Path::of).orElse(null);
        Path trustStore = s.optional(DICOM_TLS_TRUSTSTORE).map(Path::of).orElse(null);
        if (trustStore != null && keyStore == null) {
            throw new ConfigException(DICOM_TLS_TRUSTSTORE + " is set but " + DICOM_TLS_KEYSTORE
                    + " is not: DICOM TLS needs the SCP's own key and certificate");
        }
        String password = keyStore == null
                ? null
                : s.required(
                        DICOM_TLS_PASSWORD, "the DICOM TLS key store (" + DICOM_TLS_KEYSTORE + ") needs its password");
        return new DicomDoor(
                s.string(DICOM_HOST, httpHost),
                s.integer(DICOM_PORT, 0, 0, 65535),
                aeTitle(DICOM_AE_TITLE, s.string(DICOM_AE_TITLE, DEFAULT_AE_TITLE)),
                callingAes,
                Set.copyOf(list(s, DICOM_CALLING_HOSTS)),
                keyStore,
                password,
                trustStore);
    }

    private static List<String> list(Settings s, String key) {
        return s.optional(key)
                .map(v -> Arrays.stream(v.split("\\s*,\\s*"))
                        .map(String::strip)
                        .filter(x -> !x.isEmpty())
                        .toList())
                .orElse(List.of());
    }

    /** An AE title is 1-16 characters of the default repertoire, no backslash, not all spaces (PS3.5 6.2). */
    static String aeTitle(String key, String v) {
        if (v.isBlank() || v.length() > 16 || !v.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '\\')) {
            throw new ConfigException(key + " must be 1-16 printable ASCII characters without a backslash, got "
                    + v.length() + " characters");
        }
        return v.strip();
    }

    @Override
    public String toString() {
        return "IngestConfig[common=" + common + ", pseudonymKey=<redacted>, apiToken=<redacted>, demoMode=" + demoMode
                + ", maxImageSide=" + maxImageSide + ", maxUploadBytes=" + maxUploadBytes + ", attributes=" + attributes
                + ", fileRoot=" + fileRoot + ", dicomWebUrl=" + dicomWebUrl + ", pollInterval=" + pollInterval
                + ", dicom=" + dicom + ", quarantineRetention=" + quarantineRetention + ", undated=" + undated
                + ", reidKey=" + (reidKey == null ? "off" : "<redacted>") + "]";
    }
}
