package io.xraydrift.drift.topology;

import io.xraydrift.drift.rule.Alert;
import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.drift.rule.ScoredScan;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.PatientState;
import io.xraydrift.events.PatientTrajectory;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.events.TrackedScan;
import io.xraydrift.events.TrajectoryPoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Conversions between the events, the per-patient state and the drift rule's plain records. */
public final class Trajectories {

    private Trajectories() {}

    /** Why a ScanNeighbours cannot be tracked, or null when it can; names the offending value. */
    public static String invalid(String key, ScanNeighbours n) {
        if (n.getScanId() == null || n.getScanId().isBlank()) {
            return "scanId is empty";
        }
        if (n.getPatient() == null || n.getPatient().isBlank()) {
            return "scan " + n.getScanId() + " has an empty patient pseudonym";
        }
        if (key != null && !key.equals(n.getPatient())) {
            return "scan " + n.getScanId() + " is keyed by '" + key + "' but its patient is '" + n.getPatient() + "'";
        }
        double s = n.getSeverityScore();
        if (!(s >= 0 && s <= 1)) {
            return "scan " + n.getScanId() + " has severityScore " + s + ", outside [0, 1]";
        }
        return null;
    }

    /** What the state keeps of a scored scan. */
    public static TrackedScan tracked(ScanNeighbours n) {
        return TrackedScan.newBuilder()
                .setScanId(n.getScanId())
                .setAcquiredAt(n.getAcquiredAt())
                .setScore(n.getSeverityScore())
                .setComposition(n.getComposition())
                .setNeighbours(n.getNeighbours())
                .setModel(n.getModel())
                .setIndexVersion(n.getIndexVersion())
                .setAxisPosition(axisOf(n))
                .build();
    }

    /** The event's axis position where it is one (in [0, 1]); null otherwise. */
    private static Double axisOf(ScanNeighbours n) {
        double a = n.getAxisPosition();
        return a >= 0 && a <= 1 ? a : null;
    }

    /** The state with a scan added in acquisition order (then scanId). */
    public static List<TrackedScan> withScan(List<TrackedScan> scans, TrackedScan scan) {
        List<TrackedScan> out = new ArrayList<>(scans);
        out.add(scan);
        out.sort(Comparator.comparing(TrackedScan::getAcquiredAt).thenComparing(TrackedScan::getScanId));
        return out;
    }

    /**
     * The scans as the state keeps them: the newest {@code evidenceScans} (by acquisition time) and
     * every scan an alert was raised on keep their neighbours; older ones keep id, time, score,
     * composition, model and index version, which is all the drift rule reads. Bounds what each
     * event reads and writes (36 neighbours are ≈ 2 KB a scan; measured: 200 scans a patient ran at
     * a third of the events per second of 10 scans a patient).
     */
    public static List<TrackedScan> keepEvidence(List<TrackedScan> scans, int evidenceScans, List<DriftAlert> alerts) {
        int keepFrom = scans.size() - evidenceScans;
        if (keepFrom <= 0) {
            return scans;
        }
        Set<String> alerted = new HashSet<>();
        alerts.stream().filter(a -> !a.getEvidence().isEmpty()).forEach(a -> alerted.add(a.getScanId()));
        List<TrackedScan> out = new ArrayList<>(scans.size());
        for (int i = 0; i < scans.size(); i++) {
            TrackedScan t = scans.get(i);
            if (i < keepFrom && !t.getNeighbours().isEmpty() && !alerted.contains(t.getScanId())) {
                t = TrackedScan.newBuilder(t).setNeighbours(List.of()).build();
            }
            out.add(t);
        }
        return out;
    }

    /**
     * The patient's alerts with the evidence of those created before {@code cutoff} dropped: an
     * alert keeps its id (so it is never raised again), kind, levels, scores and reason for good,
     * its 36 neighbours for the alert retention (they stay on {@code xray.alerts}). An alerted scan
     * outside the newest scans then loses its neighbours too ({@link #keepEvidence}).
     */
    public static List<DriftAlert> retireEvidence(List<DriftAlert> alerts, Instant cutoff) {
        List<DriftAlert> out = new ArrayList<>(alerts.size());
        for (DriftAlert a : alerts) {
            out.add(
                    a.getCreatedAt().isBefore(cutoff) && !a.getEvidence().isEmpty()
                            ? DriftAlert.newBuilder(a).setEvidence(List.of()).build()
                            : a);
        }
        return out;
    }

    /** The drift rule's view of one scored scan: as the state keeps it. */
    public static ScoredScan scored(ScanNeighbours n) {
        return scored(tracked(n));
    }

    private static ScoredScan scored(TrackedScan t) {
        return new ScoredScan(
                t.getScanId(),
                t.getAcquiredAt(),
                t.getScore(),
                t.getComposition().getHealthy(),
                t.getComposition().getInfected(),
                t.getComposition().getSevere(),
                t.getAxisPosition() == null ? Double.NaN : t.getAxisPosition());
    }

    /**
     * The alert ids the rule raises over these scored scans, patient by patient, sorted: what the
     * topology emits for them whatever order they arrive in (tests compare runs against it). As the
     * service does when the deployment sets no level thresholds, a patient's scans are levelled by
     * their model's own fitted thresholds where its events carry them.
     */
    public static List<String> alertIds(DriftRule rule, Collection<ScanNeighbours> scans) {
        Map<String, List<ScoredScan>> byPatient = new LinkedHashMap<>();
        Map<String, DriftRule> ruleOf = new HashMap<>();
        for (ScanNeighbours n : scans) {
            byPatient.computeIfAbsent(n.getPatient(), k -> new ArrayList<>()).add(scored(n));
            ruleOf.put(
                    n.getPatient(),
                    rule.withLevels(
                            n.getModel().getInfectedThreshold(), n.getModel().getSevereThreshold()));
        }
        List<String> ids = new ArrayList<>();
        byPatient.forEach((p, list) -> ruleOf.get(p).evaluate(p, list).forEach(a -> ids.add(a.alertId())));
        ids.sort(null);
        return ids;
    }

    /** The drift rule's view of the state's scans. */
    public static List<ScoredScan> scored(List<TrackedScan> scans) {
        return scans.stream().map(Trajectories::scored).toList();
    }

    /** The event of an alert, with its evidence: the triggering scan's neighbours, model and index version. */
    public static DriftAlert alert(String patient, Alert a, TrackedScan scan, Instant now) {
        return DriftAlert.newBuilder()
                .setAlertId(a.alertId())
                .setPatient(patient)
                .setScanId(scan.getScanId())
                .setAcquiredAt(scan.getAcquiredAt())
                .setKind(a.kind())
                .setFromLevel(a.from())
                .setToLevel(a.to())
                .setScore(scan.getScore())
                .setPreviousScores(a.previousScores())
                .setEvidence(scan.getNeighbours())
                .setModel(scan.getModel())
                .setIndexVersion(scan.getIndexVersion())
                .setReason(a.reason())
                .setCreatedAt(now)
                .build();
    }

    /** The trajectory event of a state. */
    public static PatientTrajectory trajectory(
            PatientState state, DriftRule rule, DriftRule.Assessment assessment, Instant now) {
        List<TrajectoryPoint> points = state.getScans().stream()
                .map(t -> TrajectoryPoint.newBuilder()
                        .setScanId(t.getScanId())
                        .setAcquiredAt(t.getAcquiredAt())
                        .setScore(t.getScore())
                        .setLevel(rule.levelOf(t.getScore()))
                        .setIndexVersion(t.getIndexVersion())
                        .build())
                .toList();
        return PatientTrajectory.newBuilder()
                .setPatient(state.getPatient())
                .setPoints(points)
                .setCurrentLevel(assessment.level())
                .setEpisodeOpen(assessment.episodeOpen())
                .setUpdatedAt(now)
                .build();
    }
}
