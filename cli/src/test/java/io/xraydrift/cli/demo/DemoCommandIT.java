package io.xraydrift.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.Neighbour;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * End to end: the README's main command, run in-process exactly as
 * {@code ./xray-drift demo --exit-when-done}: a labelled cohort and a dozen patients through ingest
 * (intake topic and HTTP), embedder, indexer and drift monitor on the real local stack.
 */
class DemoCommandIT {

    @Test
    void aCohortAndADozenPatientsThroughTheFourServicesRaiseTheRightAlertsWithRealEvidence() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        DemoCommand demo = new DemoCommand();
        int rc;
        try (PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(tee);
            rc = new CommandLine(demo).execute("--exit-when-done", "--cohort", "60,24,24", "--patients", "12",
                    "--scans-per-patient", "7", "--interval", "250ms");
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        original.println(out);
        assertEquals(0, rc, "every worsening patient alerted, no stable one");
        for (String service : new String[] {"ingest", "embedder", "indexer", "drift-monitor"}) {
            assertTrue(out.contains("  " + service + " "), service + " not reported up");
        }
        assertTrue(out.contains("web view: http://127.0.0.1:"), out);
        DemoCommand.Outcome o = demo.outcome;
        assertEquals(108 + 12 * 7, o.scored().size(), "every scan scored once");
        Map<String, Long> worse = o.alerts().stream().map(DemoMonitor.Seen::alert)
                .filter(a -> DemoCommand.worse(a.getKind()))
                .collect(Collectors.groupingBy(DriftAlert::getPatient, Collectors.counting()));
        o.kinds().forEach((patient, kind) -> {
            if (kind.equals("worsening")) {
                assertTrue(worse.getOrDefault(patient, 0L) > 0, "worsening patient " + patient + " alerted");
            }
            if (kind.equals("stable")) {
                assertFalse(o.alerts().stream().anyMatch(s -> s.alert().getPatient().equals(patient)),
                        "stable patient " + patient + " not alerted");
            }
        });
        Set<String> real = o.scored();
        for (DemoMonitor.Seen s : o.alerts()) {
            DriftAlert a = s.alert();
            assertTrue(real.contains(a.getScanId()), "alert " + a.getAlertId() + " names a real scan");
            assertEquals(36, a.getEvidence().size(), a.getAlertId());
            for (Neighbour n : a.getEvidence()) {
                assertTrue(real.contains(n.getScanId()), "evidence " + n.getScanId() + " of " + a.getAlertId());
            }
            assertFalse(a.getReason().isBlank());
        }
        assertTrue(out.contains("scan -> alert"), out);
    }
}
