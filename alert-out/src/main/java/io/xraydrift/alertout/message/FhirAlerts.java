package io.xraydrift.alertout.message;

import io.xraydrift.events.AlertKind;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.Neighbour;
import io.xraydrift.platform.reid.IdentifierSeal;
import java.util.Date;
import java.util.Locale;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

/**
 * A drift alert as FHIR R4 resources (HAPI FHIR structures): an {@link Observation} — status
 * preliminary, the patient by its pseudonym identifier (the hospital maps it to its own patient),
 * the model as the device, the score, levels and nearest labelled scans as components — and, for
 * a worsening, a {@link Flag} a ward's chart shows. Both carry the alert id as their identifier, so
 * a conditional create ({@code If-None-Exist}) never stores one twice.
 */
public final class FhirAlerts {

    public static final String ALERT_SYSTEM = "urn:xray-drift:alert";
    public static final String PSEUDONYM_SYSTEM = "urn:xray-drift:pseudonym";
    public static final String CODE_SYSTEM = "urn:xray-drift:code";
    public static final String MODEL_SYSTEM = "urn:xray-drift:model";
    static final String CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category";

    private FhirAlerts() {}

    public static Observation observation(DriftAlert a) {
        return observation(a, null);
    }

    /**
     * The Observation, filed against the hospital's identifiers when re-identification gave them:
     * {@code subject} the patient by MRN, {@code basedOn} the order (ServiceRequest) by accession number.
     */
    public static Observation observation(DriftAlert a, Filing filing) {
        Observation o = new Observation();
        o.addIdentifier(new Identifier().setSystem(ALERT_SYSTEM).setValue(a.getAlertId()));
        o.setStatus(Observation.ObservationStatus.PRELIMINARY);
        o.addCategory(new CodeableConcept(new Coding(CATEGORY_SYSTEM, "imaging", "Imaging")));
        o.setCode(new CodeableConcept(new Coding(CODE_SYSTEM, "drift-alert", "Chest radiograph drift alert"))
                .setText("Chest radiograph drift alert (decision support)"));
        o.setSubject(patient(a, filing));
        if (filing != null && filing.ids().accessionNumber() != null) {
            o.addBasedOn(new Reference()
                    .setType("ServiceRequest")
                    .setIdentifier(new Identifier()
                            .setSystem(filing.accessionSystem())
                            .setValue(filing.ids().accessionNumber())));
        }
        o.setEffective(new DateTimeType(Date.from(a.getAcquiredAt())));
        o.setIssued(Date.from(a.getCreatedAt()));
        o.setDevice(new Reference()
                .setIdentifier(new Identifier()
                        .setSystem(MODEL_SYSTEM)
                        .setValue(a.getModel().getId() + "@" + a.getModel().getVersion()))
                .setDisplay("xray-drift model " + a.getModel().getId() + " "
                        + a.getModel().getVersion()));
        o.setValue(concept("alert-kind", a.getKind().name(), Wording.kind(a.getKind())));
        o.addInterpretation(
                concept("level", a.getToLevel().name(), a.getToLevel().name().toLowerCase(Locale.ROOT)));
        o.addComponent()
                .setCode(concept("severity-score", "severity-score", "Severity score (0 healthy .. 1 severe)"))
                .setValue(new Quantity()
                        .setValue(a.getScore())
                        .setUnit("1")
                        .setSystem("http://unitsofmeasure.org")
                        .setCode("1"));
        o.addComponent()
                .setCode(concept("level-from", "level-from", "Level before the scan"))
                .setValue(concept(
                        "level",
                        a.getFromLevel().name(),
                        a.getFromLevel().name().toLowerCase(Locale.ROOT)));
        o.addComponent()
                .setCode(concept("level-to", "level-to", "Level after the scan"))
                .setValue(concept(
                        "level", a.getToLevel().name(), a.getToLevel().name().toLowerCase(Locale.ROOT)));
        for (Neighbour n :
                a.getEvidence().subList(0, Math.min(5, a.getEvidence().size()))) {
            o.addComponent()
                    .setCode(concept("neighbour", "neighbour", "Nearest labelled scan"))
                    .setValue(new StringType(String.format(
                            Locale.ROOT,
                            "%s at distance %.4f",
                            n.getLabel().name().toLowerCase(Locale.ROOT),
                            n.getDistance())));
        }
        o.addNote().setText(a.getReason() + " " + Wording.DISCLAIMER);
        return o;
    }

    /** The chart flag of a worsening; null for a recovery (it closes what the flag opened). */
    public static Flag flag(DriftAlert a) {
        return flag(a, null);
    }

    /** The Flag, on the patient's chart by MRN when re-identification gave it. */
    public static Flag flag(DriftAlert a, Filing filing) {
        if (a.getKind() == AlertKind.RECOVERY) {
            return null;
        }
        Flag f = new Flag();
        f.addIdentifier(new Identifier().setSystem(ALERT_SYSTEM).setValue(a.getAlertId()));
        f.setStatus(Flag.FlagStatus.ACTIVE);
        f.addCategory(new CodeableConcept(
                new Coding("http://terminology.hl7.org/CodeSystem/flag-category", "clinical", "Clinical")));
        f.setCode(concept(
                        "alert-kind",
                        a.getKind().name(),
                        "Chest radiographs drifting toward severe: " + Wording.kind(a.getKind()))
                .setText(a.getReason()));
        f.setSubject(patient(a, filing));
        f.setPeriod(new Period().setStart(Date.from(a.getCreatedAt())));
        return f;
    }

    /**
     * Retires a Flag a recovery at {@code end} closes: one of ours ({@value #ALERT_SYSTEM}), still
     * active, opened no later than {@code end}; it becomes inactive with {@code period.end}. False
     * (unchanged) for any other Flag.
     */
    public static boolean retire(Flag f, Date end) {
        boolean ours = f.getIdentifier().stream().anyMatch(i -> ALERT_SYSTEM.equals(i.getSystem()));
        boolean opened = f.hasPeriod()
                && f.getPeriod().hasStart()
                && !f.getPeriod().getStart().after(end);
        if (!ours || f.getStatus() != Flag.FlagStatus.ACTIVE || !opened) {
            return false;
        }
        f.setStatus(Flag.FlagStatus.INACTIVE);
        f.getPeriod().setEnd(end);
        return true;
    }

    /** The search that finds an alert's resource of a type: what {@code If-None-Exist} carries. */
    public static String identifierQuery(DriftAlert a) {
        return "identifier=" + ALERT_SYSTEM + "|" + a.getAlertId();
    }

    /** The hospital's identifiers of the alert's scan and the identifier systems they are filed under. */
    public record Filing(IdentifierSeal.Identifiers ids, String mrnSystem, String accessionSystem) {}

    private static Reference patient(DriftAlert a, Filing filing) {
        if (filing != null) {
            return new Reference()
                    .setType("Patient")
                    .setIdentifier(new Identifier()
                            .setSystem(filing.mrnSystem())
                            .setValue(filing.ids().patientId()));
        }
        return new Reference()
                .setIdentifier(new Identifier().setSystem(PSEUDONYM_SYSTEM).setValue(a.getPatient()))
                .setDisplay("xray-drift pseudonym");
    }

    private static CodeableConcept concept(String system, String code, String display) {
        return new CodeableConcept(new Coding(CODE_SYSTEM + ":" + system, code, display)).setText(display);
    }
}
