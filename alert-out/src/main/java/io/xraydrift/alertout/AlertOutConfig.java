package io.xraydrift.alertout;

import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.ConfigKey;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.reid.IdentifierSeal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Alert-out's configuration: which peers get the alerts (an HL7 v2 MLLP listener, a FHIR R4
 * server, or both, each its own consumer of {@code xray.alerts}), and how hard it tries.
 *
 * @param common             service name, HTTP port (health, metrics), Kafka and registry
 * @param hl7                the MLLP peer, or null
 * @param fhir               the FHIR server, or null
 * @param attempts           refusals by a peer (HL7 AE/AR, FHIR 4xx) before an alert is dead-lettered
 * @param maxBackoff         longest wait between tries; a peer that cannot be reached is tried until it can
 * @param fromStart          a new consumer group starts at the topic's start (else at its end)
 */
public record AlertOutConfig(
        ServiceConfig common,
        Hl7 hl7,
        Fhir fhir,
        int attempts,
        Duration maxBackoff,
        boolean fromStart,
        Duration probeInterval,
        String reidKey,
        Sr sr,
        String apiToken) {

    public static final String SERVICE = "alert-out";
    public static final int DEFAULT_PORT = 8085;
    /** PID-5's placeholder: family^given, printable, no HL7 delimiter but the component separator. */
    static final String DEFAULT_PATIENT_NAME = "PSEUDONYMISED^XRAYDRIFT";

    public static final ConfigKey<Optional<String>> HL7_HOST =
            ConfigKey.optional("XRAY_HL7_HOST", "host of the MLLP listener ORU^R01 messages go to (unset: no HL7)");
    public static final ConfigKey<Integer> HL7_PORT =
            ConfigKey.port("XRAY_HL7_PORT", 2575, "port of the MLLP listener ORU^R01 messages go to");
    public static final ConfigKey<String> HL7_RECEIVING_APPLICATION =
            ConfigKey.string("XRAY_HL7_RECEIVING_APPLICATION", "EHR", "MSH-5");
    public static final ConfigKey<String> HL7_RECEIVING_FACILITY =
            ConfigKey.string("XRAY_HL7_RECEIVING_FACILITY", "HOSPITAL", "MSH-6");
    public static final ConfigKey<Duration> HL7_TIMEOUT = ConfigKey.duration(
            "XRAY_HL7_TIMEOUT",
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            Duration.ofMinutes(10),
            "how long an ACK may take before the send counts as failed (retried)");
    public static final ConfigKey<String> HL7_PATIENT_NAME = ConfigKey.of(
            "XRAY_HL7_PATIENT_NAME",
            "`" + DEFAULT_PATIENT_NAME + "`",
            "PID-5 (required in v2.5): the placeholder name sent with the pseudonym (alert-out knows no name)",
            (s, n) -> patientName(s.string(n, DEFAULT_PATIENT_NAME)));
    public static final ConfigKey<Duration> HL7_ERROR_RETRY_FOR = ConfigKey.duration(
            "XRAY_HL7_ERROR_RETRY_FOR",
            Duration.ofMinutes(10),
            Duration.ZERO,
            Duration.ofDays(1),
            "how long an `AE`/`CE` ACK (an application error: transient) is retried, with backoff, before the alert "
                    + "is dead-lettered; `AR`/`CR` (rejected) count as refusals");
    public static final ConfigKey<Optional<URI>> FHIR_URL = ConfigKey.optionalUrl(
            "XRAY_FHIR_URL", "—", "FHIR R4 base URL Observations (and Flags) are POSTed to (unset: no FHIR)");
    public static final ConfigKey<Optional<String>> FHIR_TOKEN =
            ConfigKey.optional("XRAY_FHIR_TOKEN", "bearer token for the FHIR server; never logged");
    public static final ConfigKey<Boolean> FHIR_FLAG =
            ConfigKey.bool("XRAY_FHIR_FLAG", true, "a Flag with each worsening alert besides its Observation");
    public static final ConfigKey<Integer> ATTEMPTS = ConfigKey.integer(
            "XRAY_ALERT_OUT_ATTEMPTS",
            5,
            1,
            1000,
            "refusals (HL7 AR/CR, FHIR 4xx) before an alert is dead-lettered; a peer that cannot be reached is "
                    + "retried until it can");
    public static final ConfigKey<Duration> MAX_BACKOFF = ConfigKey.duration(
            "XRAY_ALERT_OUT_MAX_BACKOFF",
            Duration.ofSeconds(30),
            Duration.ofMillis(100),
            Duration.ofHours(1),
            "longest wait between tries");
    public static final ConfigKey<Boolean> FROM_START = ConfigKey.bool(
            "XRAY_ALERT_OUT_FROM_START",
            true,
            "a new consumer group starts at the start of `xray.alerts` (false: at its end)");
    public static final ConfigKey<Duration> PROBE_INTERVAL = ConfigKey.duration(
            "XRAY_ALERT_OUT_PROBE_INTERVAL",
            Duration.ofSeconds(30),
            Duration.ofMillis(100),
            Duration.ofHours(1),
            "how often each peer is probed (MLLP: a TCP connect; FHIR: `GET [base]/metadata`), also at start: "
                    + "readiness says whether it answers before any alert is sent");
    public static final ConfigKey<Optional<String>> REID_KEY = IdentifierSeal.keySetting(
            "the same re-identification key as ingest's: alert-out opens each alert's sealed identifiers and files "
                    + "it under the MRN and accession number; never logged",
            "");
    public static final ConfigKey<String> HL7_MRN_AUTHORITY = ConfigKey.string(
            "XRAY_HL7_MRN_AUTHORITY", "HOSPITAL", "with re-identification: PID-3's assigning authority of the MRN");
    private static final String SYSTEMS = "; set the hospital's own (e.g. its OIDs)";
    public static final ConfigKey<String> FHIR_MRN_SYSTEM = ConfigKey.string(
            "XRAY_FHIR_MRN_SYSTEM",
            "urn:xray-drift:hospital-mrn",
            "with re-identification: the identifier system of the MRN (`subject`)" + SYSTEMS);
    public static final ConfigKey<String> FHIR_ACCESSION_SYSTEM = ConfigKey.string(
            "XRAY_FHIR_ACCESSION_SYSTEM",
            "urn:xray-drift:hospital-accession",
            "with re-identification: the identifier system of the accession number (`basedOn`)" + SYSTEMS);
    public static final ConfigKey<Optional<URI>> SR_STOW_URL = ConfigKey.optionalUrl(
            "XRAY_SR_STOW_URL",
            "— (off)",
            "a PACS's DICOMweb base URL each alert is stored to as a DICOM SR beside its film (STOW-RS); needs "
                    + "`XRAY_REID_KEY` and Debian's `libpixelmed-java`");
    public static final ConfigKey<Optional<String>> SR_TOKEN =
            ConfigKey.optional("XRAY_SR_TOKEN", "bearer token for the PACS's DICOMweb; never logged");
    public static final ConfigKey<String> API_TOKEN = ConfigKey.apiToken(
            "XRAY_API_TOKEN",
            "alert-out's /metrics answers only the bearer token",
            "bearer token `GET /metrics` answers (a Prometheus scrape's `authorization`), as every service's; never "
                    + "logged");

    /** Alert-out's keys, in the guide's order. */
    public static final List<ConfigKey<?>> KEYS = List.of(
            HL7_HOST,
            HL7_PORT,
            HL7_RECEIVING_APPLICATION,
            HL7_RECEIVING_FACILITY,
            HL7_TIMEOUT,
            HL7_PATIENT_NAME,
            HL7_ERROR_RETRY_FOR,
            FHIR_URL,
            FHIR_TOKEN,
            FHIR_FLAG,
            ATTEMPTS,
            MAX_BACKOFF,
            FROM_START,
            PROBE_INTERVAL,
            REID_KEY,
            HL7_MRN_AUTHORITY,
            FHIR_MRN_SYSTEM,
            FHIR_ACCESSION_SYSTEM,
            SR_STOW_URL,
            SR_TOKEN,
            API_TOKEN);

    /**
     * An HL7 v2 MLLP listener (an interface engine or the EHR's inbound ORU port): where it listens,
     * MSH-5/6, how long an ACK may take, the PID-5 placeholder name (v2.5 requires PID-5; alert-out
     * knows no name), and how long an application error ({@code AE}/{@code CE}, transient by HL7's
     * meaning) is retried before the alert is dead-lettered; with re-identification, the assigning
     * authority of the MRN in PID-3.
     */
    public record Hl7(
            String host,
            int port,
            String receivingApplication,
            String receivingFacility,
            Duration timeout,
            String patientName,
            Duration errorRetryFor,
            String mrnAuthority) {}

    /**
     * A FHIR R4 server's base URL, its bearer token (or null), whether a Flag goes with each worsening,
     * and with re-identification the identifier systems of the hospital's MRN and accession numbers.
     */
    public record Fhir(URI base, String token, boolean flag, String mrnSystem, String accessionSystem) {

        @Override
        public String toString() {
            return "Fhir[base=" + base + ", token=" + (token == null ? "none" : "<redacted>") + ", flag=" + flag
                    + ", mrnSystem=" + mrnSystem + ", accessionSystem=" + accessionSystem + "]";
        }
    }

    /**
     * A PACS's DICOMweb base URL that each alert goes to as a DICOM SR by STOW-RS (beside its film: it
     * needs re-identification), its bearer token (or null), and the SR's placeholder patient name.
     */
    public record Sr(URI stowBase, String token, String patientName) {

        @Override
        public String toString() {
            return "Sr[stowBase=" + stowBase + ", token=" + (token == null ? "none" : "<redacted>") + "]";
        }
    }

    @Override
    public String toString() {
        return "AlertOutConfig[common=" + common + ", hl7=" + hl7 + ", fhir=" + fhir + ", attempts=" + attempts
                + ", maxBackoff=" + maxBackoff + ", fromStart=" + fromStart + ", probeInterval=" + probeInterval
                + ", reidKey=" + (reidKey == null ? "off" : "<redacted>") + ", sr=" + sr + ", apiToken=<redacted>]";
    }

    public static AlertOutConfig from(Settings s) {
        Hl7 hl7 = HL7_HOST.from(s)
                .map(host -> new Hl7(
                        host,
                        HL7_PORT.from(s),
                        HL7_RECEIVING_APPLICATION.from(s),
                        HL7_RECEIVING_FACILITY.from(s),
                        HL7_TIMEOUT.from(s),
                        HL7_PATIENT_NAME.from(s),
                        HL7_ERROR_RETRY_FOR.from(s),
                        HL7_MRN_AUTHORITY.from(s)))
                .orElse(null);
        Fhir fhir = FHIR_URL.from(s)
                .map(url -> new Fhir(
                        url,
                        FHIR_TOKEN.from(s).orElse(null),
                        FHIR_FLAG.from(s),
                        FHIR_MRN_SYSTEM.from(s),
                        FHIR_ACCESSION_SYSTEM.from(s)))
                .orElse(null);
        String reidKey = REID_KEY.from(s).orElse(null);
        Sr sr = SR_STOW_URL
                .from(s)
                .map(url -> new Sr(url, SR_TOKEN.from(s).orElse(null), HL7_PATIENT_NAME.from(s)))
                .orElse(null);
        if (sr != null && reidKey == null) {
            throw new ConfigException(SR_STOW_URL + " needs " + REID_KEY + ": a report sits beside its film only by "
                    + "the film's own patient id and UIDs, which re-identification brings");
        }
        if (hl7 == null && fhir == null && sr == null) {
            throw new ConfigException("alert-out has no peer: set " + HL7_HOST + " (HL7 v2 over MLLP), " + FHIR_URL
                    + " (FHIR R4) and/or " + SR_STOW_URL + " (DICOM SR to the PACS)");
        }
        return new AlertOutConfig(
                ServiceConfig.from(s, SERVICE, DEFAULT_PORT),
                hl7,
                fhir,
                ATTEMPTS.from(s),
                MAX_BACKOFF.from(s),
                FROM_START.from(s),
                PROBE_INTERVAL.from(s),
                reidKey,
                sr,
                API_TOKEN.from(s));
    }

    static String patientName(String v) {
        if (v.isBlank()
                || v.length() > 64
                || !v.chars().allMatch(c -> c >= 0x20 && c < 0x7f && "|~\\&".indexOf(c) < 0)) {
            throw new ConfigException(HL7_PATIENT_NAME + " must be 1-64 printable characters without | ~ \\ &"
                    + " (family^given), got " + v.length() + " characters");
        }
        return v;
    }
}
