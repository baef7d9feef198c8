package io.xraydrift.drift.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.drift.SyntheticScans;
import io.xraydrift.drift.rule.BaselineSignal;
import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.events.AlertKind;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.Level;
import io.xraydrift.events.PatientState;
import io.xraydrift.events.PatientTrajectory;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift topology in {@link TopologyTestDriver} alone, as the Streams examples test: the
 * production topology with plain Avro serdes ({@link EventSerdes#plain}), no broker, no registry.
 * The registry path is {@link DriftTopologyIT}'s.
 */
class DriftTopologyTest {

    @TempDir
    Path state;

    private TopologyRun run;

    /** The level rule with confirmation 2 and rise-from-baseline margins 0.20 (at once) / 0.10 (confirmed). */
    static final DriftRule RULE = new DriftRule(0.15, 0.55, 0.05, 4, 0.15, 2, 0.20, 0.10, BaselineSignal.SCORE);

    @BeforeEach
    void start() {
        run = runOf(RULE);
    }

    private TopologyRun runOf(DriftRule rule) {
        DriftTopology.Codecs codecs = new DriftTopology.Codecs(
                EventSerdes.plain(Topics.NEIGHBOURS),
                EventSerdes.plain(Topics.ALERTS),
                EventSerdes.plain(Topics.TRAJECTORIES),
                EventSerdes.plain(Topics.DEAD_LETTER));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "drift-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return new TopologyRun(
                DriftTopology.build(rule, DriftTopology.Limits.DEFAULT, codecs),
                props,
                codecs.neighbours().serializer(),
                codecs.alerts().deserializer(),
                codecs.trajectories().deserializer(),
                codecs.deadLetters().deserializer());
    }

    @AfterEach
    void stop() {
        run.close();
    }

    @Test
    void aWorseningPatientIsAlertedOncePerLevelWithItsEvidence() {
        List<DriftAlert> out = run.scores("pw", 0.02, 0.05, 0.30, 0.35, 0.62, 0.80);
        assertEquals(
                List.of("pw:1:baseline_rise:healthy", "pw:1:level_escalation:infected", "pw:1:level_escalation:severe"),
                out.stream().map(DriftAlert::getAlertId).toList());
        assertEquals("pw-s2", out.get(0).getScanId(), "0.28 above the baseline: at once, before the level confirms");
        assertEquals(AlertKind.BASELINE_RISE, out.get(0).getKind());
        assertTrue(
                out.get(0).getReason().startsWith("Worse than the patient's baseline"),
                out.get(0).getReason());
        DriftAlert severe = out.get(2);
        assertEquals("pw-s5", severe.getScanId(), "confirmed by the second scan above the threshold");
        assertEquals(Level.INFECTED, severe.getFromLevel());
        assertEquals(Level.SEVERE, severe.getToLevel());
        assertEquals(List.of(0.02, 0.05, 0.30, 0.35, 0.62), severe.getPreviousScores());
        assertEquals(SyntheticScans.K, severe.getEvidence().size());
        assertEquals(SyntheticScans.MODEL, severe.getModel());
        assertEquals(3, severe.getIndexVersion());
        assertTrue(severe.getReason().startsWith("Escalated from infected to severe"), severe.getReason());
        List<PatientTrajectory> ts = run.trajectories.readValuesToList();
        assertEquals(6, ts.size(), "a trajectory per scan");
        PatientTrajectory last = ts.get(ts.size() - 1);
        assertEquals(6, last.getPoints().size());
        assertEquals(Level.SEVERE, last.getCurrentLevel());
        assertTrue(last.getEpisodeOpen());
        KeyValueStore<String, PatientState> store = run.driver.getKeyValueStore(StoreNames.PATIENTS);
        assertEquals(3, store.get("pw").getAlerts().size());
    }

    @Test
    void onTheAxisTheRiseFromTheBaselineReadsTheEventsAxisPosition() {
        run.close();
        run = runOf(RULE.withBaselineOn(BaselineSignal.AXIS));
        // The score barely moves (0.10 -> 0.16: nothing on the score), the axis position rises by 0.30.
        run.send(ScanNeighbours.newBuilder(SyntheticScans.scan("pa", 0, 0.10))
                .setAxisPosition(0.20)
                .build());
        run.send(ScanNeighbours.newBuilder(SyntheticScans.scan("pa", 1, 0.16))
                .setAxisPosition(0.50)
                .build());
        List<DriftAlert> out = run.alerts.readValuesToList();
        assertEquals(
                List.of("pa:1:baseline_rise:healthy"),
                out.stream().map(DriftAlert::getAlertId).toList());
        assertTrue(
                out.get(0)
                        .getReason()
                        .startsWith("Worse than the patient's baseline: position on the healthy-to-severe axis 0.50, "
                                + "0.30 above the baseline scan's 0.20"),
                out.get(0).getReason());
        KeyValueStore<String, PatientState> store = run.driver.getKeyValueStore(StoreNames.PATIENTS);
        assertEquals(0.5, store.get("pa").getScans().get(1).getAxisPosition(), "kept in the state");
    }

    @Test
    void aStablePatientRaisesNothing() {
        assertTrue(run.scores("ps", 0.02, 0.06, 0.01, 0.08, 0.03, 0.05, 0.04).isEmpty());
        assertEquals(Level.HEALTHY, run.trajectories.readValuesToList().get(6).getCurrentLevel());
    }

    @Test
    void theSameScanTwiceIsIgnored() {
        run.send(SyntheticScans.scan("pd", 0, 0.02));
        run.send(SyntheticScans.scan("pd", 1, 0.3));
        run.send(SyntheticScans.scan("pd", 1, 0.3));
        run.send(SyntheticScans.scan("pd", 2, 0.33));
        run.send(SyntheticScans.scan("pd", 2, 0.33));
        assertEquals(
                List.of("pd:1:baseline_rise:healthy", "pd:1:level_escalation:infected"),
                run.alerts.readValuesToList().stream()
                        .map(DriftAlert::getAlertId)
                        .toList());
        assertEquals(3, run.trajectories.readValuesToList().size(), "repeats produce nothing");
    }

    @Test
    void aLateScanIsSlottedInByAcquisitionTimeWithoutReAlerting() {
        run.send(SyntheticScans.scan("pl", 0, 0.02));
        run.send(SyntheticScans.scan("pl", 2, 0.30));
        run.send(SyntheticScans.scan("pl", 3, 0.34));
        assertEquals(2, run.alerts.readValuesToList().size());
        run.send(SyntheticScans.scan("pl", 1, 0.05));
        assertTrue(run.alerts.isEmpty(), "the rise and the infected escalation were alerted already");
        PatientTrajectory t = run.trajectories.readValuesToList().get(3);
        assertEquals(
                List.of("pl-s0", "pl-s1", "pl-s2", "pl-s3"),
                t.getPoints().stream().map(p -> p.getScanId()).toList());
    }

    @Test
    void aRecoveryClosesTheEpisode() {
        List<DriftAlert> out = run.scores("pr", 0.02, 0.3, 0.35, 0.2, 0.05, 0.03);
        assertEquals(
                List.of(AlertKind.BASELINE_RISE, AlertKind.LEVEL_ESCALATION, AlertKind.RECOVERY),
                out.stream().map(DriftAlert::getKind).toList());
        assertEquals("pr-s4", out.get(2).getScanId());
    }
}
