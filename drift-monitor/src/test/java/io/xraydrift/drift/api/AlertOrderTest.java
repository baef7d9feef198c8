package io.xraydrift.drift.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AlertOrderTest {

    @Test
    void alertsWithinOneSecondAreOrderedByTheirInstantNotTheirText() {
        // As text "…:00Z" sorts after "…:00.500Z" ('Z' > '.'), though it is half a second earlier.
        List<Map<String, Object>> alerts = List.of(
                Map.of("alertId", "b", "createdAt", "2026-11-30T10:00:00.500Z"),
                Map.of("alertId", "a", "createdAt", "2026-11-30T10:00:00Z"),
                Map.of("alertId", "c", "createdAt", "2026-11-30T10:00:01Z"));
        assertEquals(List.of("a", "b", "c"), DriftApi.newest(alerts).stream().map(m -> m.get("alertId")).toList());
    }
}
