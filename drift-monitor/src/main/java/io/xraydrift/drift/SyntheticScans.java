package io.xraydrift.drift;

import io.xraydrift.events.Composition;
import io.xraydrift.events.Level;
import io.xraydrift.events.ModelRef;
import io.xraydrift.events.Neighbour;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.platform.score.LevelThresholds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scored scans shaped like the indexer's output — a score and 36 neighbours whose labels agree
 * with it — for the topology's tests and the {@code bench drift} command.
 */
public final class SyntheticScans {

    public static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
    public static final ModelRef MODEL = new ModelRef("test-model", "v1", 256, null, null);
    public static final int K = 36;

    private SyntheticScans() {}

    /** Scan number {@code i} of a patient, acquired {@code i} days after T0. */
    public static ScanNeighbours scan(String patient, int i, double score) {
        return scan(patient, patient + "-s" + i, T0.plus(Duration.ofDays(i)), score);
    }

    public static ScanNeighbours scan(String patient, String scanId, Instant acquiredAt, double score) {
        int severe = (int) Math.round(Math.max(0, score - 0.5) * 2 * K);
        int infected = (int) Math.round(Math.min(score, 1 - score) * 2 * K);
        severe = Math.min(severe, K);
        infected = Math.min(infected, K - severe);
        int healthy = K - severe - infected;
        List<Neighbour> ns = new ArrayList<>();
        for (int j = 0; j < K; j++) {
            Level label = j < severe ? Level.SEVERE : j < severe + infected ? Level.INFECTED : Level.HEALTHY;
            ns.add(new Neighbour(
                    "ref-" + label.name().toLowerCase(Locale.ROOT) + "-" + (j % 12), 0.01f * (j + 1), label, null));
        }
        return ScanNeighbours.newBuilder()
                .setScanId(scanId)
                .setPatient(patient)
                .setAcquiredAt(acquiredAt)
                .setModel(MODEL)
                .setIndexVersion(3)
                .setNeighbours(ns)
                .setComposition(new Composition(healthy, infected, severe))
                .setSeverityScore(score)
                .setAxisPosition(score)
                .setLevel(LevelThresholds.DEFAULT.of(score))
                .setScoredAt(acquiredAt.plusSeconds(60))
                .build();
    }
}
