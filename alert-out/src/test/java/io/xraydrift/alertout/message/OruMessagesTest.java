package io.xraydrift.alertout.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.v25.message.ORU_R01;
import ca.uhn.hl7v2.util.Terser;
import io.xraydrift.alertout.Alerts;
import io.xraydrift.events.AlertKind;
import io.xraydrift.platform.reid.IdentifierSeal;
import org.junit.jupiter.api.Test;

/** The ORU^R01 of an alert: what a receiving interface engine reads, parsed back with HAPI's validation on. */
class OruMessagesTest {

    @Test
    void anAlertIsAPreliminaryOruR01KeyedByItsPseudonymWithOneObxPerPartOfTheEvidence() throws Exception {
        ORU_R01 m = OruMessages.oru(
                Alerts.alert("p1:episode-1:BASELINE_RISE", "pt-abc123", AlertKind.BASELINE_RISE),
                new OruMessages.Receiver("EPIC", "WARD7"));
        try (HapiContext hapi = new DefaultHapiContext()) {
            String er7 = hapi.getPipeParser().encode(m);
            ORU_R01 back = (ORU_R01) hapi.getPipeParser().parse(er7);
            Terser t = new Terser(back);
            assertEquals("ORU", t.get("/MSH-9-1"));
            assertEquals("R01", t.get("/MSH-9-2"));
            assertEquals("2.5", t.get("/MSH-12"));
            assertEquals("EPIC", t.get("/MSH-5"));
            assertEquals(OruMessages.controlId("p1:episode-1:BASELINE_RISE"), t.get("/MSH-10"));
            assertEquals(20, t.get("/MSH-10").length());
            assertEquals("pt-abc123", t.get("/.PID-3-1"));
            assertEquals("XRAYDRIFT", t.get("/.PID-3-4"));
            assertEquals("P", t.get("/.OBR-25"), "preliminary");
            assertEquals("20261130081500+0000", t.get("/.OBR-7"), "a time with its UTC offset");
            assertTrue(t.get("/MSH-7").matches("\\d{14}\\+0000"), t.get("/MSH-7"));
            assertEquals("PSEUDONYMISED", t.get("/.PID-5-1"), "PID-5 is required in v2.5: the placeholder");
            assertEquals("XRAYDRIFT", t.get("/.PID-5-2"));
            assertEquals("99XRD", t.get("/.OBR-4-3"), "a named local coding system");
            var order = back.getPATIENT_RESULT().getORDER_OBSERVATION();
            assertEquals(8, order.getOBSERVATIONReps(), "kind, two levels, score, reason, model, two neighbours");
            assertEquals("BASELINE_RISE", t.get("/.OBSERVATION(0)/OBX-5-1"));
            assertEquals("0.6200", t.get("/.OBSERVATION(3)/OBX-5"));
            assertEquals("99XRD", t.get("/.OBSERVATION(3)/OBX-3-3"));
            assertEquals("", nullToEmpty(t.get("/.OBSERVATION(3)/OBX-4")), "a single observation has no sub-ID");
            assertEquals("NEIGHBOUR", t.get("/.OBSERVATION(6)/OBX-3-1"));
            assertEquals("1", t.get("/.OBSERVATION(6)/OBX-4"), "repeated observations are told apart by OBX-4");
            assertEquals("2", t.get("/.OBSERVATION(7)/OBX-4"));
            assertTrue(er7.contains("Decision support, not a diagnosis"), er7);
        }
    }

    @Test
    void withReidentificationTheResultIsFiledAgainstTheMrnAndTheAccessionNumber() throws Exception {
        ORU_R01 m = OruMessages.oru(
                Alerts.alert("p1:episode-1:BASELINE_RISE", "pt-abc123", AlertKind.BASELINE_RISE),
                new OruMessages.Receiver("EPIC", "WARD7"),
                new IdentifierSeal.Identifiers("MRN-0042", "ACC-777"),
                "STMARY");
        try (HapiContext hapi = new DefaultHapiContext()) {
            Terser t = new Terser(
                    (ORU_R01) hapi.getPipeParser().parse(hapi.getPipeParser().encode(m)));
            assertEquals("MRN-0042", t.get("/.PID-3(0)-1"));
            assertEquals("STMARY", t.get("/.PID-3(0)-4"));
            assertEquals("MR", t.get("/.PID-3(0)-5"));
            assertEquals("pt-abc123", t.get("/.PID-3(1)-1"), "the pseudonym stays beside it");
            assertEquals("RE", t.get("/.ORC-1"));
            assertEquals("ACC-777", t.get("/.ORC-2"));
            assertEquals("ACC-777", t.get("/.OBR-2"));
            assertEquals("ACC-777", t.get("/.OBR-18"));
            assertEquals("p1:episode-1:BASELINE_RISE", t.get("/.OBR-3"));
        }
    }

    @Test
    void aSiteNamesThePid5Placeholder() throws Exception {
        ORU_R01 m = OruMessages.oru(
                Alerts.alert("p1:episode-1:BASELINE_RISE", "pt-abc123", AlertKind.BASELINE_RISE),
                new OruMessages.Receiver("EPIC", "WARD7", "UNKNOWN^PATIENT"));
        Terser t = new Terser(m);
        assertEquals("UNKNOWN", t.get("/.PID-5-1"));
        assertEquals("PATIENT", t.get("/.PID-5-2"));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    @Test
    void theControlIdIsTheSameForEverySendOfAnAlertAndDiffersBetweenAlerts() {
        assertEquals(OruMessages.controlId("a"), OruMessages.controlId("a"));
        assertNotEquals(OruMessages.controlId("a"), OruMessages.controlId("b"));
    }
}
