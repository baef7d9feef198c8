package io.xraydrift.alertout.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.alertout.AlertOutConfig;
import io.xraydrift.alertout.AlertOutService;
import io.xraydrift.alertout.AlertTopic;
import io.xraydrift.alertout.Alerts;
import io.xraydrift.alertout.message.OruMessages;
import io.xraydrift.events.AlertKind;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.reid.IdentifierSeal;
import io.xraydrift.stack.FreePorts;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.Await;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.LogCapture;
import io.xraydrift.testing.ServiceEnv;
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
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts to a real MLLP peer (python-hl7's asyncio MLLP server): a rejection (AR) is retried and
 * dead-lettered after {@code attempts}; an application error (AE, transient by HL7's meaning) is
 * retried with backoff until the peer takes it, or dead-lettered once {@code XRAY_HL7_ERROR_RETRY_FOR}
 * has passed; a peer stopped mid-run gets every alert when it is back — each one once, in order.
 */
@ExtendWith(LocalStackExtension.class)
class Hl7OutIT {

    static final Path PEER = Path.of("src/test/resources/mllp_peer.py");
    static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    private Process peer(int port, Path log, String refusals, String patient) throws Exception {
        Process p = new ProcessBuilder(PYTHON, PEER.toString(), String.valueOf(port), log.toString(), refusals, patient)
                .redirectErrorStream(true)
                .redirectOutput(
                        ProcessBuilder.Redirect.appendTo(dir.resolve("peer.out").toFile()))
                .start();
        Await.until(
                "the MLLP peer to print ready (" + dir.resolve("peer.out") + ")",
                Duration.ofSeconds(20),
                () -> Files.exists(dir.resolve("peer.out"))
                                && Files.readString(dir.resolve("peer.out")).contains("ready")
                        || !p.isAlive());
        assertTrue(p.isAlive(), "the peer runs (python3-hl7 installed?): " + Files.readString(dir.resolve("peer.out")));
        return p;
    }

    /**
     * Re-identification at the hospital edge: with the hospital's key, the ORU^R01 of an alert whose
     * scan ingest sealed carries the MRN in PID-3 (the peer logs PID-3.1) and the accession number as
     * the placer order number; an alert whose scan has no sealed record goes under the pseudonym.
     */
    @Test
    void withTheHospitalKeyTheResultIsFiledAgainstTheMrnAndTheOrder(LocalStack stack) throws Exception {
        int port = FreePorts.pick();
        Path log = dir.resolve("received-reid.log");
        String patient = "pt-reid-" + UUID.randomUUID().toString().substring(0, 8);
        String mrn = "MRN-" + UUID.randomUUID().toString().substring(0, 8);
        DriftAlert sealedOne = Alerts.alert(patient + ":episode-1:BASELINE_RISE", patient, AlertKind.BASELINE_RISE);
        DriftAlert unsealed = Alerts.alert(patient + ":episode-2:BASELINE_RISE", patient, AlertKind.BASELINE_RISE);
        String key = Base64.getEncoder()
                .encodeToString(UUID.randomUUID().toString().substring(0, 32).getBytes(StandardCharsets.US_ASCII));
        var seal = IdentifierSeal.ofBase64(key);
        KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(ServiceEnv.onStack(stack, "it-setup"))), "it-setup");
        AlertTopic.writeSealed(
                stack,
                List.of(seal.seal(
                        sealedOne.getScanId(),
                        patient,
                        new IdentifierSeal.Identifiers(mrn, "ACC-4711"),
                        Instant.now())));
        Map<String, String> env = ServiceEnv.onStack(stack, "alert-out-reid-it");
        env.put(AlertOutConfig.API_TOKEN.name(), "alert-out-it-token-0123456789");
        env.put(AlertOutConfig.HL7_HOST.name(), "127.0.0.1");
        env.put(AlertOutConfig.HL7_PORT.name(), String.valueOf(port));
        env.put(AlertOutConfig.REID_KEY.name(), key);
        env.put(AlertOutConfig.HL7_MRN_AUTHORITY.name(), "STMARY");
        Process peer = peer(port, log, "", "");
        try (AlertOutService out = new AlertOutService(AlertOutConfig.from(Settings.of(env)));
                LogCapture logs = LogCapture.start()) {
            out.start();
            List<RecordMetadata> sent = AlertTopic.write(stack, List.of(sealedOne, unsealed));
            Await.until(
                    "both alerts committed",
                    Duration.ofSeconds(90),
                    () -> AlertTopic.committedPast(stack, "xray-alert-out-hl7", sent.get(1)));
            assertFalse(logs.text().contains(mrn) || logs.text().contains("ACC-4711"), "no identifier in the log");
        } finally {
            peer.destroy();
        }
        List<String> lines = Files.readAllLines(log);
        assertTrue(
                lines.contains("AA " + OruMessages.controlId(sealedOne.getAlertId()) + " " + mrn),
                "the sealed scan's alert is filed under the MRN: " + lines);
        assertTrue(
                lines.contains("AA " + OruMessages.controlId(unsealed.getAlertId()) + " " + patient),
                "an alert without sealed identifiers goes under the pseudonym: " + lines);
    }

    @Test
    void refusalsAreRetriedOrDeadLetteredAndAPeerStoppedMidRunGetsEachAlertOnceInOrder(LocalStack stack)
            throws Exception {
        int port = FreePorts.pick();
        Path log = dir.resolve("received.log");
        String patient = "pt-hl7-" + UUID.randomUUID().toString().substring(0, 8);
        List<DriftAlert> alerts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            alerts.add(Alerts.alert(patient + ":episode-" + i + ":BASELINE_RISE", patient, AlertKind.BASELINE_RISE));
        }
        Map<String, String> env = ServiceEnv.onStack(stack, "alert-out-hl7-it");
        env.put(AlertOutConfig.API_TOKEN.name(), "alert-out-it-token-0123456789");
        env.put(AlertOutConfig.HL7_HOST.name(), "127.0.0.1");
        env.put(AlertOutConfig.HL7_PORT.name(), String.valueOf(port));
        env.put(AlertOutConfig.HL7_TIMEOUT.name(), "5s");
        env.put(AlertOutConfig.ATTEMPTS.name(), "3");
        env.put(AlertOutConfig.MAX_BACKOFF.name(), "1s");
        env.put(AlertOutConfig.HL7_ERROR_RETRY_FOR.name(), "4s");
        String group = "xray-alert-out-hl7";
        // Alert 1 rejected (AR) three times; alert 2 an application error (AE) twice, then taken;
        // alert 3 an application error every time, past the 4 s it is retried for.
        Process peer = peer(port, log, "3:AR,2:AE,100000:AE", patient);
        try (AlertOutService out = new AlertOutService(AlertOutConfig.from(Settings.of(env)))) {
            out.start();
            List<RecordMetadata> first = AlertTopic.write(stack, alerts.subList(0, 3));
            Await.until(
                    "the first three alerts committed",
                    Duration.ofSeconds(60),
                    () -> AlertTopic.committedPast(stack, group, first.get(2)));
            peer.destroy();
            peer.waitFor();
            List<RecordMetadata> rest = AlertTopic.write(stack, alerts.subList(3, 6));
            Thread.sleep(3000); // alert-out retries the stopped peer meanwhile; nothing may be lost
            peer = peer(port, log, "", patient);
            Await.until(
                    "all alerts committed",
                    Duration.ofSeconds(60),
                    () -> AlertTopic.committedPast(stack, group, rest.get(2)));
        } finally {
            peer.destroy();
        }
        // The group reads xray.alerts from its start: other tests' alerts come too, told apart by PID-3.
        List<String> lines = Files.readAllLines(log).stream()
                .filter(l -> l.endsWith(" " + patient))
                .toList();
        List<String> taken = lines.stream()
                .filter(l -> l.startsWith("AA "))
                .map(l -> l.split(" ")[1])
                .toList();
        List<String> expected = List.of(1, 3, 4, 5).stream()
                .map(i -> OruMessages.controlId(alerts.get(i).getAlertId()))
                .toList();
        assertEquals(expected, taken, "alerts 2, 4, 5, 6 taken once each, in order: " + lines);
        Map<String, Long> rejections = lines.stream()
                .filter(l -> l.startsWith("AR "))
                .collect(Collectors.groupingBy(l -> l.split(" ")[1], Collectors.counting()));
        assertEquals(
                Map.of(OruMessages.controlId(alerts.get(0).getAlertId()), 3L),
                rejections,
                "a rejection is tried XRAY_ALERT_OUT_ATTEMPTS times");
        Map<String, Long> errors = lines.stream()
                .filter(l -> l.startsWith("AE "))
                .collect(Collectors.groupingBy(l -> l.split(" ")[1], Collectors.counting()));
        assertEquals(
                2L, errors.get(OruMessages.controlId(alerts.get(1).getAlertId())), "an application error is retried");
        assertTrue(
                errors.get(OruMessages.controlId(alerts.get(2).getAlertId())) > 3,
                "an application error is retried past the attempts, for its own time: " + errors);
        assertTrue(
                lines.stream().filter(l -> l.startsWith("AA ")).allMatch(l -> l.endsWith(" " + patient)),
                "PID-3 carries the pseudonym: " + lines);
        List<DeadLetter> dead = AlertTopic.deadLetters(stack, "alert-out:hl7").stream()
                .filter(d -> d.getReason().contains(alerts.get(0).getAlertId()))
                .toList();
        assertEquals(1, dead.size(), "the alert rejected three times is dead-lettered once");
        assertTrue(
                dead.get(0).getReason().contains("refused")
                        && dead.get(0).getReason().contains("AR"),
                dead.get(0).getReason());
        List<DeadLetter> errored = AlertTopic.deadLetters(stack, "alert-out:hl7").stream()
                .filter(d -> d.getReason().contains(alerts.get(2).getAlertId()))
                .toList();
        assertEquals(1, errored.size(), "the alert that kept erring is dead-lettered once its retry time passed");
        assertTrue(
                errored.get(0).getReason().contains("application error"),
                errored.get(0).getReason());
    }
}
