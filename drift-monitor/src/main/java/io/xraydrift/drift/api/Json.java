package io.xraydrift.drift.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.ModelRef;
import io.xraydrift.events.Neighbour;
import io.xraydrift.events.PatientState;
import io.xraydrift.events.TrackedScan;

/** The API's JSON shapes of the drift monitor's state: plain maps, times in ISO-8601 UTC. */
final class Json {

    private Json() {
    }

    static Map<String, Object> trajectory(PatientState state, DriftRule rule) {
        DriftRule.Assessment a = rule.assess(state.getPatient(),
                io.xraydrift.drift.topology.Trajectories.scored(state.getScans()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("patient", state.getPatient());
        m.put("level", a.level().name());
        m.put("episodeOpen", a.episodeOpen());
        m.put("points", state.getScans().stream().map(s -> point(s, rule)).toList());
        m.put("alerts", state.getAlerts().stream().map(Json::alert).toList());
        return m;
    }

    static Map<String, Object> point(TrackedScan s, DriftRule rule) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scanId", s.getScanId());
        m.put("acquiredAt", s.getAcquiredAt().toString());
        m.put("score", s.getScore());
        m.put("level", rule.levelOf(s.getScore()).name());
        m.put("healthy", s.getComposition().getHealthy());
        m.put("infected", s.getComposition().getInfected());
        m.put("severe", s.getComposition().getSevere());
        m.put("indexVersion", s.getIndexVersion());
        m.put("model", model(s.getModel()));
        return m;
    }

    static Map<String, Object> alert(DriftAlert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alertId", a.getAlertId());
        m.put("patient", a.getPatient());
        m.put("scanId", a.getScanId());
        m.put("acquiredAt", a.getAcquiredAt().toString());
        m.put("kind", a.getKind().name());
        m.put("fromLevel", a.getFromLevel().name());
        m.put("toLevel", a.getToLevel().name());
        m.put("score", a.getScore());
        m.put("previousScores", a.getPreviousScores());
        m.put("reason", a.getReason());
        m.put("createdAt", a.getCreatedAt().toString());
        m.put("model", model(a.getModel()));
        m.put("indexVersion", a.getIndexVersion());
        m.put("evidence", neighbours(a.getEvidence()));
        return m;
    }

    static List<Map<String, Object>> neighbours(List<Neighbour> neighbours) {
        return neighbours.stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scanId", n.getScanId());
            m.put("label", n.getLabel().name());
            m.put("distance", n.getDistance());
            if (n.getSeverity() != null) {
                m.put("severity", n.getSeverity());
            }
            return m;
        }).toList();
    }

    private static Map<String, Object> model(ModelRef model) {
        return Map.of("id", model.getId(), "version", model.getVersion(), "dimension", model.getDimension());
    }
}
