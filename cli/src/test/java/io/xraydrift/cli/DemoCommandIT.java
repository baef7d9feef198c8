package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The README's main command, run in-process exactly as {@code ./xray-drift demo --exit-when-done}. */
class DemoCommandIT {

    @Test
    void demoRunsTheStackAndTheServicesAndRoundTripsScans() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try (PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(tee);
            rc = XrayDrift.commandLine().execute("demo", "--exit-when-done", "--cohort", "20,8,8", "--patients", "3",
                    "--scans-per-patient", "6");
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        original.println(out);
        assertEquals(0, rc, out);
        for (String service : new String[] {"ingest", "embedder", "indexer", "drift-monitor"}) {
            assertTrue(out.contains("  " + service + " "), service + " not reported up");
        }
        assertTrue(out.contains("54 of 54 scans embedded and scored"), out);
        assertTrue(out.contains("worsening"), out);
    }
}
