package io.xraydrift.alertout;

import io.xraydrift.events.AlertKind;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.Level;
import io.xraydrift.events.ModelRef;
import io.xraydrift.events.Neighbour;
import java.time.Instant;
import java.util.List;

/** Drift alerts as the drift monitor writes them, for the alert-out tests. */
public final class Alerts {

    private Alerts() {}

    public static DriftAlert alert(String alertId, String patient, AlertKind kind) {
        Instant t = Instant.parse("2026-11-30T08:15:00Z");
        return DriftAlert.newBuilder()
                .setAlertId(alertId)
                .setPatient(patient)
                .setScanId("sop-" + alertId)
                .setAcquiredAt(t)
                .setKind(kind)
                .setFromLevel(Level.HEALTHY)
                .setToLevel(kind == AlertKind.RECOVERY ? Level.HEALTHY : Level.SEVERE)
                .setScore(0.62)
                .setPreviousScores(List.of(0.12, 0.31))
                .setEvidence(List.of(
                        new Neighbour("ref-1", 0.0412f, Level.SEVERE, 0.8),
                        new Neighbour("ref-2", 0.0533f, Level.INFECTED, null)))
                .setModel(new ModelRef("xray-drift-default", "16cd09917c01", 128, null, null))
                .setIndexVersion(7)
                .setReason("Score rose from 0.12 at the patient's baseline to 0.62 (severe).")
                .setCreatedAt(t.plusSeconds(2))
                .build();
    }
}
