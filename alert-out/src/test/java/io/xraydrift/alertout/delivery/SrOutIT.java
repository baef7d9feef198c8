package io.xraydrift.alertout.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xraydrift.alertout.AlertOutConfig;
import io.xraydrift.alertout.AlertOutService;
import io.xraydrift.alertout.AlertTopic;
import io.xraydrift.alertout.Alerts;
import io.xraydrift.events.AlertKind;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.reid.IdentifierSeal;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.Await;
import io.xraydrift.testing.LocalOrthanc;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.RealCxr;
import io.xraydrift.testing.ServiceEnv;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each alert back to a real PACS (Orthanc with DICOMweb) as a DICOM SR beside its film: a real film
 * stored in Orthanc, its identifiers sealed as ingest seals them, then the alert: Orthanc stores one
 * Enhanced SR in the film's study, under the film's patient, referencing the film's SOP instance, and
 * dcmdump reads it; the alert sent again stores the same instance, not a second.
 */
@ExtendWith(LocalStackExtension.class)
class SrOutIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void anAlertIsStoredInThePacsAsAStructuredReportBesideItsFilmOnce(LocalStack stack) throws Exception {
        String mrn = "MRN-SR-" + UUID.randomUUID().toString().substring(0, 8);
        Path film = dir.resolve("film.dcm");
        Files.copy(RealCxr.formats().resolve("rsna-cr-chest-pa-monochrome2.dcm"), film);
        run("dcmodify", "-nb", "-gin", "-m", "PatientID=" + mrn, "-i", "AccessionNumber=ACC-SR-1", film.toString());
        String study = value(film, "StudyInstanceUID");
        String series = value(film, "SeriesInstanceUID");
        String sopClass = value(film, "SOPClassUID");
        String sop = value(film, "SOPInstanceUID");
        String patient = "pt-sr-" + UUID.randomUUID().toString().substring(0, 8);
        DriftAlert alert = Alerts.alert(patient + ":episode-1:BASELINE_RISE", patient, AlertKind.BASELINE_RISE);
        String key = Base64.getEncoder()
                .encodeToString(UUID.randomUUID().toString().substring(0, 32).getBytes(StandardCharsets.US_ASCII));
        KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(ServiceEnv.onStack(stack, "it-setup"))), "it-setup");
        AlertTopic.writeSealed(
                stack,
                List.of(IdentifierSeal.ofBase64(key)
                        .seal(
                                alert.getScanId(),
                                patient,
                                new IdentifierSeal.Identifiers(mrn, "ACC-SR-1", study, series, sopClass, sop),
                                Instant.now())));
        try (LocalOrthanc orthanc = LocalOrthanc.start(dir.resolve("orthanc"))) {
            orthanc.storeFile(film, false);
            Map<String, String> env = ServiceEnv.onStack(stack, "alert-out-sr-it");
            env.put(AlertOutConfig.API_TOKEN.name(), "alert-out-it-token-0123456789");
            env.put(AlertOutConfig.SR_STOW_URL.name(), orthanc.dicomWebUrl());
            env.put(AlertOutConfig.REID_KEY.name(), key);
            try (AlertOutService out = new AlertOutService(AlertOutConfig.from(Settings.of(env)))) {
                out.start();
                List<RecordMetadata> sent = AlertTopic.write(stack, List.of(alert, alert));
                Await.until(
                        "the alert and its resend committed",
                        Duration.ofSeconds(90),
                        () -> AlertTopic.committedPast(stack, "xray-alert-out-sr", sent.get(1)));
            }
            List<String> srs = instances(orthanc, study, "SR");
            assertEquals(1, srs.size(), "one SR in the film's study, the resend the same instance: " + srs);
            Path stored = dir.resolve("sr.dcm");
            Files.write(
                    stored,
                    HTTP.send(
                                    HttpRequest.newBuilder(URI.create(
                                                    orthanc.baseUrl() + "/instances/" + srs.get(0) + "/file"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofByteArray())
                            .body());
            String dump = run("dcmdump", "-Un", stored.toString());
            assertTrue(dump.contains("[1.2.840.10008.5.1.4.1.1.88.22]"), "an Enhanced SR: " + dump);
            assertTrue(dump.contains("[" + mrn + "]"), "under the film's patient");
            assertTrue(dump.contains("[ACC-SR-1]"), "with the film's order");
            assertTrue(dump.contains("(0008,1155) UI [" + sop + "]"), "referencing the film's SOP instance: " + dump);
            assertTrue(dump.contains(alert.getReason().substring(0, 20)), "saying why: " + dump);
            assertTrue(dump.contains("Decision support, not a diagnosis"), dump);
        }
    }

    /** The Orthanc ids of the instances of one modality in a study. */
    private static List<String> instances(LocalOrthanc orthanc, String study, String modality) throws Exception {
        HttpResponse<String> found = HTTP.send(
                HttpRequest.newBuilder(URI.create(orthanc.baseUrl() + "/tools/find"))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"Level\":\"Instance\",\"Query\":{\"StudyInstanceUID\":\"" + study
                                        + "\",\"Modality\":\"" + modality + "\"}}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        List<String> ids = new ArrayList<>();
        for (JsonNode n : JSON.readTree(found.body())) {
            ids.add(n.asText());
        }
        return ids;
    }

    private static String value(Path file, String key) throws Exception {
        return run("dcmdump", "-Un", "+P", key, "-s", file.toString())
                .replaceAll("(?s).*?\\[([^\\]]*)\\].*", "$1")
                .strip();
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
