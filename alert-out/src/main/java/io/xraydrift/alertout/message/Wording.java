package io.xraydrift.alertout.message;

import io.xraydrift.events.AlertKind;

/** The words an alert is sent with, the same in HL7 and FHIR. */
final class Wording {

    /** What every message says of itself. */
    static final String DISCLAIMER = "Decision support, not a diagnosis: review the films.";

    private Wording() {
    }

    static String kind(AlertKind kind) {
        return switch (kind) {
            case LEVEL_ESCALATION -> "level escalation";
            case SUSTAINED_WORSENING -> "sustained worsening";
            case BASELINE_RISE -> "rise from the patient's baseline";
            case RECOVERY -> "recovery";
            default -> "other";
        };
    }
}
