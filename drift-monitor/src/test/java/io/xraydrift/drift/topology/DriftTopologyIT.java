package io.xraydrift.drift.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.drift.DriftMonitorConfig;
import io.xraydrift.drift.DriftMonitorService;
import io.xraydrift.drift.SyntheticScans;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.PatientState;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.TrackedScan;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.LocalStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift topology in {@link TopologyTestDriver}, with the production serdes and properties
 * (Apicurio Avro serdes against the real registry, the dead-letter handler, exactly-once): the
 * registry path, long histories, store retention and poison records. The rule's behaviour through
 * the topology needs no registry: {@link DriftTopologyTest}.
 */
@ExtendWith(LocalStackExtension.class)
class DriftTopologyIT {

    @TempDir
    Path state;

    private TopologyRun run;
    private EventSerdes serdes;

    @BeforeEach
    void start(LocalStack stack) {
        open(stack, Map.of());
    }

    /** A driver over the production topology with these settings on top of the stack's. */
    private void open(LocalStack stack, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "XRAY_KAFKA_BOOTSTRAP_SERVERS",
                stack.bootstrapServers(),
                "XRAY_REGISTRY_URL",
                stack.registryBaseUrl(),
                "XRAY_DRIFT_STATE_DIR",
                state.resolve("s" + System.nanoTime()).toString(),
                "XRAY_API_TOKEN",
                "it-token-0123456789abcdefghij",
                "XRAY_DRIFT_PEER_TOKEN",
                "peer-token-0123456789abcdefghij"));
        // The state's retention, long histories and poison records, under the level rule alone (the
        // rise-from-baseline part is DriftRuleBaselineTest's and DriftTopologyTest's).
        env.put(DriftMonitorConfig.BASELINE_JUMP.name(), "0");
        env.put(DriftMonitorConfig.BASELINE_DRIFT.name(), "0");
        env.putAll(extra);
        DriftMonitorConfig config = DriftMonitorConfig.from(Settings.of(env));
        serdes = new EventSerdes(config.common().kafka().registryApiUrl());
        Properties props = DriftMonitorService.streamsProperties(config, 8084);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "drift-ttd-" + System.nanoTime());
        run = new TopologyRun(
                DriftMonitorService.topology(config, serdes),
                props,
                serdes.valueSerializer(Topics.NEIGHBOURS),
                serdes.valueDeserializer(Topics.ALERTS),
                serdes.valueDeserializer(Topics.TRAJECTORIES),
                serdes.valueDeserializer(Topics.DEAD_LETTER));
    }

    @AfterEach
    void stop() {
        run.close();
    }

    @Test
    void aLongHistoryKeepsNeighboursOnlyForTheNewestAndAlertedScansAndAlertsAlike(LocalStack stack) {
        // 40 scans: healthy, a rise to infected (alert), a plateau, a rise to severe (alert), a plateau.
        double[] scores = new double[40];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = i < 10 ? 0.03 : i < 20 ? 0.30 : 0.80;
        }
        List<String> full = alertIds("pl", scores);
        run.close();
        open(stack, Map.of(DriftMonitorConfig.EVIDENCE_SCANS.name(), "5"));
        List<String> trimmed = alertIds("pl", scores);
        assertEquals(2, full.size(), full.toString());
        assertEquals(full, trimmed, "the rule sees every score whatever evidence is kept");

        PatientState kept = run.driver
                .<String, PatientState>getKeyValueStore(StoreNames.PATIENTS)
                .get("pl");
        assertEquals(scores.length, kept.getScans().size(), "every scan stays on the trajectory");
        Set<String> alerted = new HashSet<>();
        kept.getAlerts().forEach(a -> alerted.add(a.getScanId()));
        for (int i = 0; i < scores.length; i++) {
            TrackedScan t = kept.getScans().get(i);
            boolean keeps = i >= scores.length - 5 || alerted.contains(t.getScanId());
            assertEquals(keeps ? SyntheticScans.K : 0, t.getNeighbours().size(), "scan " + i + " " + t.getScanId());
            assertEquals(scores[i], t.getScore(), 1e-12);
        }
        kept.getAlerts()
                .forEach(a -> assertEquals(SyntheticScans.K, a.getEvidence().size()));
    }

    @Test
    void alertsLeaveTheByTimeStoreAfterTheRetentionButStayWithThePatient(LocalStack stack) {
        run.close();
        open(
                stack,
                Map.of(DriftMonitorConfig.ALERT_RETENTION.name(), "1h", DriftMonitorConfig.EVIDENCE_SCANS.name(), "2"));
        assertEquals(
                2,
                alertIds("pr", new double[] {0.02, 0.05, 0.30, 0.35, 0.62, 0.80})
                        .size());
        KeyValueStore<String, DriftAlert> byTime = run.driver.getKeyValueStore(StoreNames.ALERTS);
        assertEquals(2, count(byTime));
        run.driver.advanceWallClockTime(Duration.ofMinutes(30));
        assertEquals(2, count(byTime), "younger than the retention: kept");
        run.send(SyntheticScans.scan("pr", 6, 0.81));
        PatientState young = run.driver
                .<String, PatientState>getKeyValueStore(StoreNames.PATIENTS)
                .get("pr");
        young.getAlerts()
                .forEach(a -> assertEquals(SyntheticScans.K, a.getEvidence().size(), "evidence kept"));
        assertEquals(
                2,
                young.getScans().stream()
                        .filter(t -> !t.getNeighbours().isEmpty()
                                && young.getAlerts().stream()
                                        .anyMatch(a -> a.getScanId().equals(t.getScanId())))
                        .count(),
                "the alerted scans keep their neighbours while their alerts keep evidence");
        run.driver.advanceWallClockTime(Duration.ofMinutes(45));
        assertEquals(0, count(byTime), "older than the retention: gone from GET /alerts");
        assertEquals(
                2,
                run.driver
                        .<String, PatientState>getKeyValueStore(StoreNames.PATIENTS)
                        .get("pr")
                        .getAlerts()
                        .size(),
                "the patient's own alerts (and their ids, which keep alerts from repeating) stay");
        run.send(SyntheticScans.scan("pr", 7, 0.85));
        assertTrue(run.alerts.isEmpty(), "no alert repeated after the store expired");
        PatientState old = run.driver
                .<String, PatientState>getKeyValueStore(StoreNames.PATIENTS)
                .get("pr");
        assertEquals(2, old.getAlerts().size(), "the alerts stay with the patient");
        old.getAlerts()
                .forEach(a -> assertTrue(
                        a.getEvidence().isEmpty(),
                        "past the retention the state drops " + "the evidence (it stays on xray.alerts): "
                                + a.getAlertId()));
        assertEquals(8, old.getScans().size(), "every scan stays on the trajectory");
        assertEquals(
                2,
                old.getScans().stream()
                        .filter(t -> !t.getNeighbours().isEmpty())
                        .count(),
                "only the newest 2 scans keep neighbours now");
        assertEquals(1, alertIds("pq", new double[] {0.02, 0.30, 0.35}).size());
        assertEquals(1, count(byTime), "new alerts are stored as before");
    }

    private static int count(KeyValueStore<String, DriftAlert> store) {
        int n = 0;
        try (var all = store.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }

    private List<String> alertIds(String patient, double[] scores) {
        return run.scores(patient, scores).stream().map(DriftAlert::getAlertId).toList();
    }

    @Test
    void poisonRecordsAreSkippedAndInvalidScoresDeadLettered() {
        // The deserialisation handler's dead letters leave through the record collector of a real
        // task, which TopologyTestDriver does not run: DriftMonitorIT checks them on the broker.
        run.raw.pipeInput("px", new byte[] {1, 2, 3, 4, 5, 6, 7});
        run.raw.pipeInput(
                "px",
                serdes.valueSerializer(Topics.SCANS)
                        .serialize(
                                Topics.SCANS.name(),
                                ScanReceived.newBuilder()
                                        .setScanId("wrong-type")
                                        .setPatient("px")
                                        .setAcquiredAt(SyntheticScans.T0)
                                        .setReceivedAt(SyntheticScans.T0)
                                        .setSource("test")
                                        .setWidth(1)
                                        .setHeight(1)
                                        .build()));
        run.send(SyntheticScans.scan("px", "px-bad-score", SyntheticScans.T0, 1.7));
        run.in.pipeInput("py", SyntheticScans.scan("pz", "pz-0", SyntheticScans.T0, 0.1));
        run.send(SyntheticScans.scan("px", 0, 0.02));
        run.send(SyntheticScans.scan("px", 1, 0.4));
        run.send(SyntheticScans.scan("px", 2, 0.45));
        List<DeadLetter> dead = run.deadLetters.readValuesToList();
        assertEquals(2, dead.size(), dead.toString());
        assertTrue(
                dead.get(0).getReason().contains("severityScore 1.7"),
                dead.get(0).getReason());
        assertEquals(2, dead.get(0).getSource().getOffset());
        assertTrue(dead.get(0).getOriginalSize() > 0);
        assertTrue(
                dead.get(1).getReason().contains("keyed by 'py' but its patient is 'pz'"),
                dead.get(1).getReason());
        assertEquals(
                List.of("px:1:level_escalation:infected"),
                run.alerts.readValuesToList().stream()
                        .map(DriftAlert::getAlertId)
                        .toList());
    }
}
