package io.xraydrift.ingest;

import io.xraydrift.ingest.edge.Ingestor;
import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.ConfigKey;
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
import java.util.Optional;
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
    public static final String DEFAULT_AE_TITLE = "XRAYDRIFT";
    /** Attribute keys kept by default: none carries free text about the patient. */
    public static final String DEFAULT_ATTRIBUTES = "ward,station,demo_trajectory";

    static final int MIN_KEY_LENGTH = 32;
    /** The pseudonymisation key of demo mode (never for real patients). */
    public static final String DEMO_PSEUDONYM_KEY = "xray-drift-demo-key-not-for-real-patients-0001";

    static final String DEMO_API_TOKEN = Settings.DEMO_API_TOKEN;

    public static final ConfigKey<String> PSEUDONYM_KEY = ConfigKey.of(
            "XRAY_PSEUDONYM_KEY",
            "required unless demo",
            "HMAC-SHA256 key for patient pseudonyms, ≥ " + MIN_KEY_LENGTH + " characters; never logged",
            (s, n) -> {
                String key = s.secret(
                        n,
                        DEMO_PSEUDONYM_KEY,
                        "ingest refuses to start without a pseudonymisation key outside demo mode");
                if (key.length() < MIN_KEY_LENGTH) {
                    throw new ConfigException(
                            n + " is " + key.length() + " characters long, minimum is " + MIN_KEY_LENGTH);
                }
                return key;
            });
    public static final ConfigKey<String> API_TOKEN = ConfigKey.apiToken(
            "XRAY_API_TOKEN",
            "HTTP uploads need a bearer token outside demo mode",
            "bearer token for HTTP uploads; never logged");
    public static final ConfigKey<Boolean> DEMO_MODE = Settings.DEMO_MODE;
    public static final ConfigKey<Integer> MAX_IMAGE_SIDE = ConfigKey.integer(
            "XRAY_INGEST_MAX_IMAGE_SIDE", 1024, 256, 8192, "longest side of a normalised image, 256–8192");
    public static final ConfigKey<Integer> MAX_UPLOAD_BYTES = ConfigKey.integer(
            "XRAY_INGEST_MAX_UPLOAD_BYTES", 32 * 1024 * 1024, 1024, 256 * 1024 * 1024, "largest accepted image");
    public static final ConfigKey<Set<String>> ATTRIBUTES = ConfigKey.of(
            "XRAY_INGEST_ATTRIBUTES",
            "`" + DEFAULT_ATTRIBUTES + "`",
            "attribute keys kept on a scan; every other (free-text) attribute is dropped",
            (s, n) -> Set.copyOf(Arrays.asList(s.string(n, DEFAULT_ATTRIBUTES).split("\\s*,\\s*"))));
    public static final ConfigKey<Optional<Path>> FILE_ROOT = ConfigKey.optionalPath(
            "XRAY_INGEST_FILE_ROOT", "—", "directory `file:` imageUris may point into (unset: file URIs refused)");
    public static final ConfigKey<Set<String>> FETCH_HOSTS = ConfigKey.of(
            "XRAY_INGEST_FETCH_HOSTS",
            "—",
            "host names `http(s)` imageUris may point at, comma-separated (unset: none)",
            (s, n) -> list(s, n).stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()));
    public static final ConfigKey<Boolean> FETCH_PRIVATE = ConfigKey.bool(
            "XRAY_INGEST_FETCH_PRIVATE",
            false,
            "let a listed host resolve to a loopback, link-local or private address (an in-hospital image server)");
    public static final ConfigKey<Path> STATE_DIR = ConfigKey.path(
            "XRAY_INGEST_STATE_DIR",
            StateDirs.defaultFor(SERVICE),
            StateDirs.shown(SERVICE),
            "where the DICOMweb poller keeps its watermark, and DICOM in its `dicom-pending/` (C-STORE instances "
                    + "waiting for Kafka) and `dicom-refused/` (refused files, by request id) folders");
    public static final ConfigKey<Optional<URI>> DICOMWEB_URL = ConfigKey.optionalUrl(
            "XRAY_DICOMWEB_URL",
            "—",
            "DICOMweb base URL of a PACS to poll, e.g. `http://orthanc:8042/dicom-web` (unset: no poller)");
    public static final ConfigKey<String> DICOMWEB_NAME = ConfigKey.string(
            "XRAY_DICOMWEB_NAME",
            "pacs",
            "the PACS's name in events' `source` (`dicomweb:<name>`) and the watermark file");
    public static final ConfigKey<Duration> POLL_INTERVAL = ConfigKey.duration(
            "XRAY_DICOMWEB_POLL_INTERVAL",
            Duration.ofSeconds(5),
            Duration.ofMillis(100),
            Duration.ofHours(1),
            "time between polls");
    public static final ConfigKey<Integer> DICOM_PORT = ConfigKey.integer(
                    "XRAY_DICOM_PORT",
                    0,
                    0,
                    65535,
                    "port of the DICOM C-STORE SCP (Storage and Verification); needs Debian's `libpixelmed-java` "
                            + "([hospital-integration.md](hospital-integration.md))")
            .shownAs("`0` (off)");
    public static final ConfigKey<String> DICOM_AE_TITLE = ConfigKey.of(
            "XRAY_DICOM_AE_TITLE",
            "`" + DEFAULT_AE_TITLE + "`",
            "AE title the C-STORE SCP answers to (1–16 characters, no backslash)",
            (s, n) -> aeTitle(n, s.string(n, DEFAULT_AE_TITLE)));
    /** Unset: the HTTP host. */
    public static final ConfigKey<Optional<String>> DICOM_HOST = ConfigKey.optional(
                    "XRAY_DICOM_HOST", "address the C-STORE SCP binds (`127.0.0.1`: this machine only)")
            .shownAs("the value of `XRAY_HTTP_HOST`");

    public static final ConfigKey<Set<String>> DICOM_CALLING_AE_TITLES = ConfigKey.of(
            "XRAY_DICOM_CALLING_AE_TITLES",
            "— (any)",
            "calling AE titles let in, comma-separated; any other is refused at association (A-ASSOCIATE-RJ, calling "
                    + "AE title not recognized) and audited. Set it before go-live",
            (s, n) -> list(s, n).stream().map(v -> aeTitle(n, v)).collect(Collectors.toUnmodifiableSet()));
    public static final ConfigKey<Set<String>> DICOM_CALLING_HOSTS = ConfigKey.of(
            "XRAY_DICOM_CALLING_HOSTS",
            "— (any)",
            "peer addresses (or host names) let in, comma-separated; any other is refused at association and audited",
            (s, n) -> Set.copyOf(list(s, n)));
    public static final ConfigKey<Optional<Path>> DICOM_TLS_KEYSTORE = ConfigKey.optionalPath(
            "XRAY_DICOM_TLS_KEYSTORE",
            "— (no TLS)",
            "PKCS #12 (or `.jks`) key store with the SCP's key and certificate: the SCP then speaks DICOM TLS only "
                    + "(PS3.15 BCP 195: TLS 1.2/1.3, ECDHE/DHE with AES-GCM or ChaCha20-Poly1305)");
    public static final ConfigKey<String> DICOM_TLS_PASSWORD = ConfigKey.of(
            "XRAY_DICOM_TLS_PASSWORD",
            "required with a key store",
            "password of the key store (and of the trust store); never logged",
            (s, n) -> s.required(n, "the DICOM TLS key store (XRAY_DICOM_TLS_KEYSTORE) needs its password"));
    public static final ConfigKey<Optional<Path>> DICOM_TLS_TRUSTSTORE = ConfigKey.optionalPath(
            "XRAY_DICOM_TLS_TRUSTSTORE",
            "— (no client certificates)",
            "trust store of the peers' certificates (or their CA): with it, every peer must present a certificate it "
                    + "trusts");
    /** Checked against the pseudonymisation key in {@link #from}. */
    public static final ConfigKey<Optional<String>> REID_KEY = IdentifierSeal.keySetting(
            "the hospital's re-identification key (32 bytes, base64; not the pseudonym key): each scan's patient id "
                    + "and AccessionNumber are sealed (AES-256-GCM) to `xray.reidentification` for alert-out alone "
                    + "([hospital-integration.md](hospital-integration.md) §3); never logged",
            " (openssl rand -base64 32)");

    public static final ConfigKey<Ingestor.Undated> UNDATED = ConfigKey.choice(
            "XRAY_INGEST_UNDATED",
            Ingestor.Undated.RECEIPT,
            "a DICOM film without a plausible acquisition time (AcquisitionDate/Time, ContentDate/Time, StudyDate/Time "
                    + "missing, before 1980 or in the future — a de-identified film's 19010101): `receipt` gives it "
                    + "the time ingest received it, marked `acquiredAtFromReceipt` on the event and counted in "
                    + "`xray_ingest_undated`; `refuse` dead-letters it naming the tags");
    public static final ConfigKey<Duration> QUARANTINE_RETENTION = ConfigKey.duration(
            "XRAY_DICOM_QUARANTINE_RETENTION",
            Duration.ofDays(7),
            Duration.ofMinutes(1),
            Duration.ofDays(365),
            "how long a refused DICOM file stays in `dicom-refused/` (0600 files in a 0700 folder: they hold a "
                    + "patient's header) before it is deleted");

    /** Ingest's keys, in the guide's order. */
    public static final List<ConfigKey<?>> KEYS = List.of(
            PSEUDONYM_KEY,
            API_TOKEN,
            MAX_IMAGE_SIDE,
            MAX_UPLOAD_BYTES,
            ATTRIBUTES,
            FILE_ROOT,
            FETCH_HOSTS,
            FETCH_PRIVATE,
            STATE_DIR,
            DICOMWEB_URL,
            DICOMWEB_NAME,
            POLL_INTERVAL,
            DICOM_PORT,
            DICOM_AE_TITLE,
            DICOM_HOST,
            DICOM_CALLING_AE_TITLES,
            DICOM_CALLING_HOSTS,
            DICOM_TLS_KEYSTORE,
            DICOM_TLS_PASSWORD,
            DICOM_TLS_TRUSTSTORE,
            REID_KEY,
            UNDATED,
            QUARANTINE_RETENTION);

    public static IngestConfig from(Settings s) {
        String key = PSEUDONYM_KEY.from(s);
        String token = API_TOKEN.from(s);
        ServiceConfig common = ServiceConfig.from(s, SERVICE, DEFAULT_PORT);
        return new IngestConfig(
                common,
                key,
                token,
                s.demoMode(),
                MAX_IMAGE_SIDE.from(s),
                MAX_UPLOAD_BYTES.from(s),
                ATTRIBUTES.from(s),
                FILE_ROOT.from(s).orElse(null),
                DICOMWEB_URL.from(s).orElse(null),
                DICOMWEB_NAME.from(s),
                POLL_INTERVAL.from(s),
                STATE_DIR.from(s),
                FETCH_HOSTS.from(s),
                FETCH_PRIVATE.from(s),
                dicomDoor(s, common.httpHost()),
                QUARANTINE_RETENTION.from(s),
                UNDATED.from(s),
                reidKey(s, key));
    }

    /** The re-identification key, checked: 32 bytes of base64, and never the pseudonymisation key. */
    private static String reidKey(Settings s, String pseudonymKey) {
        String v = REID_KEY.from(s).orElse(null);
        if (v != null && v.equals(pseudonymKey.strip())) {
            throw new ConfigException(REID_KEY + " must differ from " + PSEUDONYM_KEY + ": re-identification is "
                    + "the hospital's own key");
        }
        return v;
    }

    private static DicomDoor dicomDoor(Settings s, String httpHost) {
        Path keyStore = DICOM_TLS_KEYSTORE.from(s).orElse(null);
        Path trustStore = DICOM_TLS_TRUSTSTORE.from(s).orElse(null);
        if (trustStore != null && keyStore == null) {
            throw new ConfigException(DICOM_TLS_TRUSTSTORE + " is set but " + DICOM_TLS_KEYSTORE
                    + " is not: DICOM TLS needs the SCP's own key and certificate");
        }
        return new DicomDoor(
                DICOM_HOST.from(s).orElse(httpHost),
                DICOM_PORT.from(s),
                DICOM_AE_TITLE.from(s),
                DICOM_CALLING_AE_TITLES.from(s),
                DICOM_CALLING_HOSTS.from(s),
                keyStore,
                keyStore == null ? null : DICOM_TLS_PASSWORD.from(s),
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
