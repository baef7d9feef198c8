package io.xraydrift.alertout;

import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.reid.IdentifierSeal;
import java.net.URI;
import java.time.Duration;

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
    public static final String HL7_HOST = "XRAY_HL7_HOST";
    public static final String HL7_PORT = "XRAY_HL7_PORT";
    public static final String HL7_RECEIVING_APPLICATION = "XRAY_HL7_RECEIVING_APPLICATION";
    public static final String HL7_RECEIVING_FACILITY = "XRAY_HL7_RECEIVING_FACILITY";
    public static final String HL7_TIMEOUT = "XRAY_HL7_TIMEOUT";
    public static final String FHIR_URL = "XRAY_FHIR_URL";
    public static final String FHIR_TOKEN = "XRAY_FHIR_TOKEN";
    public static final String FHIR_FLAG = "XRAY_FHIR_FLAG";
    public static final String ATTEMPTS = "XRAY_ALERT_OUT_ATTEMPTS";
    public static final String MAX_BACKOFF = "XRAY_ALERT_OUT_MAX_BACKOFF";
    public static final String FROM_START = "XRAY_ALERT_OUT_FROM_START";
    public static final String PROBE_INTERVAL = "XRAY_ALERT_OUT_PROBE_INTERVAL";
    public static final String HL7_PATIENT_NAME = "XRAY_HL7_PATIENT_NAME";
    public static final String HL7_ERROR_RETRY_FOR = "XRAY_HL7_ERROR_RETRY_FOR";
    public static final String REID_KEY = "XRAY_REID_KEY";
    public static final String API_TOKEN = "XRAY_API_TOKEN";
    public static final String SR_STOW_URL = "XRAY_SR_STOW_URL";
    public static final String SR_TOKEN = "XRAY_SR_TOKEN";
    public static final String HL7_MRN_AUTHORITY = "XRAY_HL7_MRN_AUTHORITY";
    public static final String FHIR_MRN_SYSTEM = "XRAY_FHIR_MRN_SYSTEM";
    public static final String FHIR_ACCESSION_SYSTEM = "XRAY_FHIR_ACCESSION_SYSTEM";

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
        Hl7 hl7 = s.optional(HL7_HOST)
                .map(host -> new Hl7(
                        host,
                        s.port(HL7_PORT, 2575),
                        s.string(HL7_RECEIVING_APPLICATION, "EHR"),
                        s.string(HL7_RECEIVING_FACILITY, "HOSPITAL"),
                        s.duration(HL7_TIMEOUT, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(10)),
                        patientName(s.string(HL7_PATIENT_NAME, DEFAULT_PATIENT_NAME)),
                        s.duration(HL7_ERROR_RETRY_FOR, Duration.ofMinutes(10), Duration.ZERO, Duration.ofDays(1)),
                        s.string(HL7_MRN_AUTHORITY, "HOSPITAL")))
                .orElse(null);
        Fhir fhir = s.optional(FHIR_URL)
                .map(url -> new Fhir(
                        s.url(FHIR_URL, url),
                        s.optional(FHIR_TOKEN).orElse(null),
                        s.bool(FHIR_FLAG, true),
                        s.string(FHIR_MRN_SYSTEM, "urn:xray-drift:hospital-mrn"),
                        s.string(FHIR_ACCESSION_SYSTEM, "urn:xray-drift:hospital-accession")))
                .orElse(null);
        String reidKey = s.optional(REID_KEY).map(String::strip).orElse(null);
        if (reidKey != null) {
            try {
                IdentifierSeal.ofBase64(reidKey);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(REID_KEY + ": " + e.getMessage());
            }
        }
        Sr sr = s.optional(SR_STOW_URL)
                .map(url -> new Sr(
                        s.url(SR_STOW_URL, url),
                        s.optional(SR_TOKEN).orElse(null),
                        patientName(s.string(HL7_PATIENT_NAME, DEFAULT_PATIENT_NAME))))
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
                s.integer(ATTEMPTS, 5, 1, 1000),
                s.duration(MAX_BACKOFF, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofHours(1)),
                s.bool(FROM_START, true),
                s.duration(PROBE_INTERVAL, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofHours(1)),
                reidKey,
                sr,
                s.apiToken(API_TOKEN, "alert-out's /metrics answers only the bearer token"));
    }

    /** PID-5's placeholder: family^given, printable, no HL7 delimiter but the component separator. */
    static final String DEFAULT_PATIENT_NAME = "PSEUDONYMISED^XRAYDRIFT";

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
