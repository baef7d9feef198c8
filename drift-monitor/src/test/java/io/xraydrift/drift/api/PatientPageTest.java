package io.xraydrift.drift.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PatientPageTest {

    @Test
    void theAlertListEscapesWhatItShowsByDefault() {
        Json.Alert hostile = new Json.Alert(
                "a1",
                "p\"><script>x()</script>",
                "s",
                "2026-11-30T10:00:00Z",
                "LEVEL_ESCALATION",
                "HEALTHY",
                "INFECTED",
                0.4,
                List.of(0.1),
                "<img src=x onerror=y()>",
                "2026-11-30T10:00:01Z",
                new Json.Model("m", "v", 4),
                1,
                List.of());
        String html = PatientPage.renderAlerts(List.of(hostile));
        assertFalse(html.contains("<script>") || html.contains("<img src=x"), html);
        assertTrue(html.contains("&lt;img src=x onerror=y()&gt;"), html);
        assertTrue(html.contains("href=\"/patients/p%22%3E%3Cscript%3Ex%28%29%3C%2Fscript%3E\""), html);
    }

    @Test
    void theNewestAlertComesFirst() {
        List<Json.Alert> oldestFirst = List.of(alert("older"), alert("newer"));
        String html = PatientPage.renderAlerts(oldestFirst);
        assertTrue(html.indexOf("reason newer") < html.indexOf("reason older"), html);
    }

    private static Json.Alert alert(String id) {
        return new Json.Alert(
                id,
                "patient-" + id,
                "s",
                "2026-11-30T10:00:00Z",
                "LEVEL_ESCALATION",
                "HEALTHY",
                "INFECTED",
                0.4,
                List.of(0.1),
                "reason " + id,
                "2026-11-30T10:00:01Z",
                new Json.Model("m", "v", 4),
                1,
                List.of());
    }
}
