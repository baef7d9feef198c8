package io.xraydrift.alertout.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.alertout.AlertOutConfig;
import io.xraydrift.alertout.AlertOutService;
import io.xraydrift.alertout.AlertTopic;
import io.xraydrift.alertout.Alerts;
import io.xraydrift.events.AlertKind;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.stack.FreePorts;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.stack.hospital.LocalFhirServer;
import io.xraydrift.testing.Await;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.ServiceEnv;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Alerts to a validating FHIR R4 server (HAPI FHIR's RestfulServer): each alert stored once as an
 * Observation and, for a worsening, a Flag — through a server stop mid-run and a replayed alert —
 * and an alert the server refuses is dead-lettered.
 */
@ExtendWith(LocalStackExtension.class)
class FhirOutIT {

    /**
     * Readiness before any alert: with no FHIR server and nothing on the MLLP port the peers are
     * reported unreachable (the probe, not a delivery, found out); once the FHIR server answers
     * {@code GET [base]/metadata}, its check turns UP, while the MLLP peer's stays DOWN.
     */
    @Test
    void readinessSaysWhetherEachPeerAnswersBeforeAnyAlertIsSent(LocalStack stack) throws Exception {
        int fhirPort = FreePorts.pick();
        int mllpPort = FreePorts.pick();
        Map<String, String> env = ServiceEnv.onStack(stack, "alert-out-probe-it");
        env.put(AlertOutConfig.API_TOKEN.name(), "alert-out-it-token-0123456789");
        env.put(AlertOutConfig.FHIR_URL.name(), "http://127.0.0.1:" + fhirPort + "/fhir");
        env.put(AlertOutConfig.HL7_HOST.name(), "127.0.0.1");
        env.put(AlertOutConfig.HL7_PORT.name(), String.valueOf(mllpPort));
        env.put(AlertOutConfig.PROBE_INTERVAL.name(), "200ms");
        env.put(AlertOutConfig.FROM_START.name(), "false");
        var http = HttpClient.newHttpClient();
        try (AlertOutService out = new AlertOutService(AlertOutConfig.from(Settings.of(env)));
                LocalFhirServer fhir = new LocalFhirServer(fhirPort)) {
            out.start();
            var ready = URI.create("http://127.0.0.1:" + out.httpPort() + "/health/ready");
            Supplier<String> body = () -> {
                try {
                    return http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString())
                            .body();
                } catch (Exception e) {
                    return e.toString();
                }
            };
            Await.until(
                    "both peers reported DOWN before any alert",
                    Duration.ofSeconds(30),
                    () -> body.get().matches("(?s).*\"fhir-peer\"\\s*:\\s*false.*")
                            && body.get().matches("(?s).*\"hl7-peer\"\\s*:\\s*false.*"));
            fhir.start(FhirValidation.interceptor());
            Await.until(
                    "the FHIR peer UP once it answers its metadata",
                    Duration.ofSeconds(30),
                    () -> body.get().matches("(?s).*\"fhir-peer\"\\s*:\\s*true.*"));
            assertTrue(body.get().matches("(?s).*\"hl7-peer\"\\s*:\\s*false.*"), body.get());
            assertTrue(fhir.requests().isEmpty(), "no alert was needed to find out: " + fhir.requests());
            var metrics = URI.create("http://127.0.0.1:" + out.httpPort() + "/metrics");
            assertEquals(
                    401,
                    http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode(),
                    "/metrics needs the token");
            assertEquals(
                    200,
                    http.send(
                                    HttpRequest.newBuilder(metrics)
                                            .header("Authorization", "Bearer alert-out-it-token-0123456789")
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode());
        }
    }

    @Test
    void eachAlertIsStoredOnceThroughAStopAndAReplayAndARefusedOneIsDeadLettered(LocalStack stack) throws Exception {
        String p = "pt-fhir-" + UUID.randomUUID().toString().substring(0, 8);
        List<DriftAlert> alerts = List.of(
                Alerts.alert(p + ":e1:BASELINE_RISE", p, AlertKind.BASELINE_RISE),
                Alerts.alert(p + ":e1:SUSTAINED_WORSENING", p, AlertKind.SUSTAINED_WORSENING),
                Alerts.alert(p + ":e1:RECOVERY", p, AlertKind.RECOVERY),
                Alerts.alert(LocalFhirServer.POISON + ":e1:" + p, LocalFhirServer.POISON, AlertKind.LEVEL_ESCALATION),
                Alerts.alert(p + ":e2:LEVEL_ESCALATION", p, AlertKind.LEVEL_ESCALATION),
                Alerts.alert(p + ":e2:BASELINE_RISE", p, AlertKind.BASELINE_RISE));
        int port = FreePorts.pick();
        Map<String, String> env = ServiceEnv.onStack(stack, "alert-out-fhir-it");
        env.put(AlertOutConfig.API_TOKEN.name(), "alert-out-it-token-0123456789");
        try (LocalFhirServer fhir = new LocalFhirServer(port)) {
            fhir.start(FhirValidation.interceptor());
            env.put(AlertOutConfig.FHIR_URL.name(), fhir.base());
            env.put(AlertOutConfig.ATTEMPTS.name(), "2");
            env.put(AlertOutConfig.MAX_BACKOFF.name(), "1s");
            String group = "xray-alert-out-fhir";
            try (AlertOutService out = new AlertOutService(AlertOutConfig.from(Settings.of(env)))) {
                out.start();
                List<RecordMetadata> first = AlertTopic.write(stack, alerts.subList(0, 4));
                Await.until(
                        "the first four alerts committed",
                        Duration.ofSeconds(90),
                        () -> AlertTopic.committedPast(stack, group, first.get(3)));
                fhir.stop();
                // The last two, and a replay of the first (same alert id), while the server is down.
                List<RecordMetadata> rest =
                        AlertTopic.write(stack, List.of(alerts.get(4), alerts.get(5), alerts.get(0)));
                Thread.sleep(3000);
                fhir.start(FhirValidation.interceptor());
                Await.until(
                        "all alerts committed",
                        Duration.ofSeconds(90),
                        () -> AlertTopic.committedPast(stack, group, rest.get(2)));
            }
            Set<String> expectedObservations = Set.of(
                    alerts.get(0).getAlertId(),
                    alerts.get(1).getAlertId(),
                    alerts.get(2).getAlertId(),
                    alerts.get(4).getAlertId(),
                    alerts.get(5).getAlertId());
            // The group reads xray.alerts from its start: other tests' alerts come too, told apart by patient.
            Predicate<String> ours = id -> id.startsWith(p + ":");
            assertEquals(
                    expectedObservations,
                    Set.copyOf(fhir.stored().get("Observation").keySet().stream()
                            .filter(ours)
                            .toList()),
                    "one Observation per alert, the replay stored once: " + fhir.requests());
            assertEquals(
                    Set.of(
                            alerts.get(0).getAlertId(),
                            alerts.get(1).getAlertId(),
                            alerts.get(4).getAlertId(),
                            alerts.get(5).getAlertId()),
                    Set.copyOf(fhir.stored().get("Flag").keySet().stream()
                            .filter(ours)
                            .toList()),
                    "a Flag per worsening, none for the recovery");
            // The recovery retired the first episode's Flags (inactive, period.end); the second's stay active.
            for (int i : List.of(0, 1)) {
                Flag f = (Flag) fhir.stored().get("Flag").get(alerts.get(i).getAlertId());
                assertEquals(
                        Flag.FlagStatus.INACTIVE,
                        f.getStatus(),
                        "retired by the recovery: " + alerts.get(i).getAlertId());
                assertEquals(
                        Date.from(alerts.get(2).getCreatedAt()), f.getPeriod().getEnd());
            }
            for (int i : List.of(4, 5)) {
                assertEquals(
                        Flag.FlagStatus.ACTIVE,
                        ((Flag) fhir.stored().get("Flag").get(alerts.get(i).getAlertId())).getStatus(),
                        "a later episode's Flag stays active");
            }
            Observation o = (Observation)
                    fhir.stored().get("Observation").get(alerts.get(1).getAlertId());
            assertEquals(Observation.ObservationStatus.PRELIMINARY, o.getStatus());
            assertEquals(p, o.getSubject().getIdentifier().getValue());
            assertTrue(
                    fhir.requests().stream()
                                    .filter(r -> r.equals(
                                            "Observation " + alerts.get(0).getAlertId()))
                                    .count()
                            >= 2,
                    "the replay was sent and found the stored one: " + fhir.requests());
        }
        List<DeadLetter> dead = AlertTopic.deadLetters(stack, "alert-out:fhir").stream()
                .filter(d -> d.getReason().contains(alerts.get(3).getAlertId()))
                .toList();
        assertEquals(1, dead.size(), "the refused alert is dead-lettered once");
        assertTrue(dead.get(0).getReason().contains("HTTP 422"), dead.get(0).getReason());
    }
}
