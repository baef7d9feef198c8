package io.xraydrift.alertout.message;

import io.xraydrift.events.AlertKind;

/** The words an alert is sent with, the same in HL7, FHIR and the DICOM SR. */
public final class Wording {

    /** What every message says of itself. */
    public static final String DISCLAIMER = "Decision support, not a diagnosis: review the films.";

    private Wording() {}

    public static String kind(AlertKind kind) {
        return switch (kind) {
            case LEVEL_ESCALATION -> "level escalation";
            case SUSTAINED_WORSENING -> "sustained worsening";
            case BASELINE_RISE -> "rise from the patient's baseline";
            case RECOVERY -> "recovery";
            default -> "other";
        };
    }
}
