package io.xraydrift.alertout.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.xraydrift.alertout.AlertOutConfig;
import io.xraydrift.alertout.AlertOutService;
import io.xraydrift.alertout.AlertTopic;
import io.xraydrift.alertout.Alerts;
import io.xraydrift.alertout.message.OruMessages;
import io.xraydrift.events.AlertKind;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.stack.FreePorts;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.ServiceEnv;

/**
 * Alerts to a real MLLP peer (python-hl7's asyncio MLLP server): refusals (AE) are retried, an alert
 * refused {@code attempts} times is dead-lettered, and a peer stopped mid-run gets every alert when
 * it is back — each one once, in order.
 */
@ExtendWith(LocalStackExtension.class)
class Hl7OutIT {

    static final Path PEER = Path.of("src/test/resources/mllp_peer.py");
    static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    private Process peer(int port, Path log, String refusals, String patient) throws Exception {
        Process p = new ProcessBuilder(PYTHON, PEER.toString(), String.valueOf(port), log.toString(), refusals, patient)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("peer.out")
                        .toFile())).start();
        AlertTopic.await("the MLLP peer to print ready (" + dir.resolve("peer.out") + ")", Duration.ofSeconds(20),
                () -> Files.exists(dir.resolve("peer.out")) && Files.readString(dir.resolve("peer.out")).contains("ready")
                        || !p.isAlive());
        assertTrue(p.isAlive(), "the peer runs (python3-hl7 installed?): " + Files.readString(dir.resolve("peer.out")));
        return p;
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
        env.put(AlertOutConfig.HL7_HOST, "127.0.0.1");
        env.put(AlertOutConfig.HL7_PORT, String.valueOf(port));
        env.put(AlertOutConfig.HL7_TIMEOUT, "5s");
        env.put(AlertOutConfig.ATTEMPTS, "3");
        env.put(AlertOutConfig.MAX_BACKOFF, "1s");
        String group = "xray-alert-out-hl7";
        Process peer = peer(port, log, "3,1", patient);
        try (AlertOutService out = new AlertOutService(AlertOutConfig.from(Settings.of(env)))) {
            out.start();
            List<RecordMetadata> first = AlertTopic.write(stack, alerts.subList(0, 3));
            AlertTopic.await("the first three alerts committed", Duration.ofSeconds(60),
                    () -> AlertTopic.committedPast(stack, group, first.get(2)));
            peer.destroy();
            peer.waitFor();
            List<RecordMetadata> rest = AlertTopic.write(stack, alerts.subList(3, 6));
            Thread.sleep(3000); // alert-out retries the stopped peer meanwhile; nothing may be lost
            peer = peer(port, log, "", patient);
            AlertTopic.await("all alerts committed", Duration.ofSeconds(60),
                    () -> AlertTopic.committedPast(stack, group, rest.get(2)));
        } finally {
            peer.destroy();
        }
        // The group reads xray.alerts from its start: other tests' alerts come too, told apart by PID-3.
        List<String> lines = Files.readAllLines(log).stream().filter(l -> l.endsWith(" " + patient)).toList();
        List<String> taken = lines.stream().filter(l -> l.startsWith("AA ")).map(l -> l.split(" ")[1]).toList();
        List<String> expected = alerts.subList(1, 6).stream().map(a -> OruMessages.controlId(a.getAlertId())).toList();
        assertEquals(expected, taken, "alerts 2-6 taken once each, in order (alert 1 refused three times): " + lines);
        Map<String, Long> refusals = lines.stream().filter(l -> l.startsWith("AE ")).collect(
                Collectors.groupingBy(l -> l.split(" ")[1], Collectors.counting()));
        assertEquals(Map.of(OruMessages.controlId(alerts.get(0).getAlertId()), 3L,
                OruMessages.controlId(alerts.get(1).getAlertId()), 1L), refusals);
        assertTrue(lines.stream().filter(l -> l.startsWith("AA ")).allMatch(l -> l.endsWith(" " + patient)),
                "PID-3 carries the pseudonym: " + lines);
        List<DeadLetter> dead = AlertTopic.deadLetters(stack, "alert-out:hl7").stream()
                .filter(d -> d.getReason().contains(alerts.get(0).getAlertId())).toList();
        assertEquals(1, dead.size(), "the alert refused three times is dead-lettered once");
        assertTrue(dead.get(0).getReason().contains("refused") && dead.get(0).getReason().contains("AE"),
                dead.get(0).getReason());
    }
}
