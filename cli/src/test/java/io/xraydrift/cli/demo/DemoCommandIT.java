package io.xraydrift.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.testing.Stdout;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * End to end: the README's main command, run in-process exactly as
 * {@code ./xray-drift demo --exit-when-done --hospital}: a labelled cohort and a dozen patients
 * through ingest (intake topic, HTTP and C-STORE from dcmtk's storescu), embedder, indexer and
 * drift monitor on the real local stack, and every alert through alert-out into the EHR the demo
 * starts (HAPI v2's MLLP server, HAPI FHIR's server).
 */
class DemoCommandIT {

    @Test
    void aCohortAndADozenPatientsThroughTheFourServicesRaiseTheRightAlertsWithRealEvidence(@TempDir Path dir)
            throws Exception {
        Path resultFile = dir.resolve("result.json");
        Stdout.Run run = Stdout.capture(() -> new CommandLine(new DemoCommand())
                .execute(
                        "--exit-when-done",
                        "--cohort",
                        "60,24,24",
                        "--patients",
                        "12",
                        "--scans-per-patient",
                        "7",
                        "--interval",
                        "250ms",
                        "--result",
                        resultFile.toString(),
                        "--hospital"));
        String out = run.out();
        int rc = run.rc();
        assertEquals(0, rc, "every worsening patient alerted, no stable one");
        for (String service : new String[] {"ingest", "embedder", "indexer", "drift-monitor"}) {
            assertTrue(out.contains("  " + service + " "), service + " not reported up");
        }
        assertTrue(out.contains("web view: http://127.0.0.1:"), out);
        DemoResult o = DemoResult.read(resultFile);
        assertEquals(12, o.patients().size(), o.patients().toString());
        assertEquals(108 + 12 * 7, o.scored().size(), "every scan scored once");
        Map<String, Long> worse = o.alerts().stream()
                .filter(DemoResult.Alert::worse)
                .collect(Collectors.groupingBy(DemoResult.Alert::patient, Collectors.counting()));
        o.patients().forEach((patient, kind) -> {
            if (kind.equals("worsening")) {
                assertTrue(worse.getOrDefault(patient, 0L) > 0, "worsening patient " + patient + " alerted");
            }
            if (kind.equals("stable")) {
                assertFalse(
                        o.alerts().stream().anyMatch(a -> a.patient().equals(patient)),
                        "stable patient " + patient + " not alerted");
            }
        });
        Set<String> real = o.scored();
        for (DemoResult.Alert a : o.alerts()) {
            assertTrue(real.contains(a.scanId()), "alert " + a.alertId() + " names a real scan");
            assertEquals(36, a.evidence().size(), a.alertId());
            for (String evidence : a.evidence()) {
                assertTrue(real.contains(evidence), "evidence " + evidence + " of " + a.alertId());
            }
            assertFalse(a.reason().isBlank());
            // The phantom cohort's own levels: nobody is called severe with no severe scan among their neighbours.
            if (a.alertId().endsWith(":level_escalation:severe")) {
                assertFalse(a.reason().contains("(0 severe)"), a.reason());
            }
        }
        assertTrue(out.contains("Result written to " + resultFile), out);
        assertTrue(out.contains("scan -> alert"), out);

        // the hospital path: three of the twelve patients came from the PACS, every alert reached the EHR
        Matcher m = Pattern.compile("Hospital path: (\\d+) films stored by C-STORE "
                        + "\\((\\d+) refused\\); the EHR took (\\d+) ORU\\^R01 over MLLP, (\\d+) Observations")
                .matcher(out);
        assertTrue(m.find(), out);
        assertEquals(3 * 7, Integer.parseInt(m.group(1)), "films of patients 2, 6 and 10 by C-STORE");
        assertEquals(0, Integer.parseInt(m.group(2)));
        assertTrue(Integer.parseInt(m.group(3)) >= o.alerts().size(), "an ORU^R01 per alert: " + m.group());
        assertEquals(o.alerts().size(), Integer.parseInt(m.group(4)), "one Observation per alert: " + m.group());
        assertTrue(out.contains("EHR  <- HL7 ORU^R01"), out);
        assertTrue(out.contains("EHR  <- FHIR Flag"), out);
    }
}
