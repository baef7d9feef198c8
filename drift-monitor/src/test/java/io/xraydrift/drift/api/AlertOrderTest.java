package io.xraydrift.drift.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertOrderTest {

    private static Json.Alert alert(String id, String createdAt) {
        return new Json.Alert(
                id,
                "p",
                "s",
                createdAt,
                "LEVEL_ESCALATION",
                "HEALTHY",
                "INFECTED",
                0.4,
                List.of(0.1),
                "r",
                createdAt,
                new Json.Model("m", "v", 4),
                1,
                List.of());
    }

    @Test
    void alertsWithinOneSecondAreOrderedByTheirInstantNotTheirText() {
        // As text "…:00Z" sorts after "…:00.500Z" ('Z' > '.'), though it is half a second earlier.
        List<Json.Alert> alerts = List.of(
                alert("b", "2026-11-30T10:00:00.500Z"),
                alert("a", "2026-11-30T10:00:00Z"),
                alert("c", "2026-11-30T10:00:01Z"));
        assertEquals(
                List.of("a", "b", "c"),
                DriftApi.newest(alerts).stream().map(Json.Alert::alertId).toList());
    }

    @Test
    void anAlertReadsBackFromItsJsonAsAnotherInstanceSendsIt() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Json.Alert a = new Json.Alert(
                "a",
                "p",
                "s",
                "2026-11-30T10:00:00Z",
                "LEVEL_ESCALATION",
                "HEALTHY",
                "INFECTED",
                0.4,
                List.of(0.1, 0.2),
                "r",
                "2026-11-30T10:00:01Z",
                new Json.Model("m", "v", 4),
                3,
                List.of(new Json.Evidence("n1", "SEVERE", 0.25, null), new Json.Evidence("n2", "HEALTHY", 0.3, 0.1)));
        String text = json.writeValueAsString(a);
        assertEquals(a, json.readValue(text, Json.Alert.class));
        assertEquals(false, text.contains("\"severity\":null"), "an unrated neighbour has no severity field: " + text);
        assertEquals(
                true, text.startsWith("{\"alertId\":\"a\",\"patient\":\"p\",\"scanId\":\"s\",\"acquiredAt\""), text);
    }
}
