package io.xraydrift.drift.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.drift.topology.Trajectories;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.ModelRef;
import io.xraydrift.events.Neighbour;
import io.xraydrift.events.PatientState;
import io.xraydrift.events.TrackedScan;
import java.util.List;

/**
 * The API's JSON shapes of the drift monitor's state, as records Javalin's Jackson mapper writes
 * (fields in declaration order, times as ISO-8601 UTC strings).
 */
final class Json {

    private Json() {}

    /** A model version. */
    record Model(String id, String version, int dimension) {
        static Model of(ModelRef m) {
            return new Model(m.getId(), m.getVersion(), m.getDimension());
        }
    }

    /** One of the labelled neighbours behind a score; severity only where a radiologist rated it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Evidence(String scanId, String label, double distance, Double severity) {
        static List<Evidence> of(List<Neighbour> neighbours) {
            return neighbours.stream()
                    .map(n -> new Evidence(n.getScanId(), n.getLabel().name(), n.getDistance(), n.getSeverity()))
                    .toList();
        }
    }

    /** An alert. */
    record Alert(
            String alertId,
            String patient,
            String scanId,
            String acquiredAt,
            String kind,
            String fromLevel,
            String toLevel,
            double score,
            List<Double> previousScores,
            String reason,
            String createdAt,
            Model model,
            long indexVersion,
            List<Evidence> evidence) {
        static Alert of(DriftAlert a) {
            return new Alert(
                    a.getAlertId(),
                    a.getPatient(),
                    a.getScanId(),
                    a.getAcquiredAt().toString(),
                    a.getKind().name(),
                    a.getFromLevel().name(),
                    a.getToLevel().name(),
                    a.getScore(),
                    a.getPreviousScores(),
                    a.getReason(),
                    a.getCreatedAt().toString(),
                    Model.of(a.getModel()),
                    a.getIndexVersion(),
                    Evidence.of(a.getEvidence()));
        }
    }

    /** One scored scan of a trajectory. */
    record Point(
            String scanId,
            String acquiredAt,
            double score,
            Double axisPosition,
            String level,
            int healthy,
            int infected,
            int severe,
            long indexVersion,
            Model model) {
        static Point of(TrackedScan s, DriftRule rule) {
            return new Point(
                    s.getScanId(),
                    s.getAcquiredAt().toString(),
                    s.getScore(),
                    s.getAxisPosition(),
                    rule.levelOf(s.getScore()).name(),
                    s.getComposition().getHealthy(),
                    s.getComposition().getInfected(),
                    s.getComposition().getSevere(),
                    s.getIndexVersion(),
                    Model.of(s.getModel()));
        }
    }

    /** A patient's trajectory: the current assessment, every scored scan, every alert. */
    record Trajectory(String patient, String level, boolean episodeOpen, List<Point> points, List<Alert> alerts) {
        static Trajectory of(PatientState state, DriftRule rule) {
            DriftRule.Assessment a = rule.assess(state.getPatient(), Trajectories.scored(state.getScans()));
            return new Trajectory(
                    state.getPatient(),
                    a.level().name(),
                    a.episodeOpen(),
                    state.getScans().stream().map(s -> Point.of(s, rule)).toList(),
                    state.getAlerts().stream().map(Alert::of).toList());
        }
    }
}
