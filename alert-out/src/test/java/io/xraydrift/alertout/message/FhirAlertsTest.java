package io.xraydrift.alertout.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import io.xraydrift.alertout.Alerts;
import io.xraydrift.events.AlertKind;
import io.xraydrift.platform.reid.IdentifierSeal;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

/** The FHIR resources of an alert, checked against the R4 base profiles by HAPI's instance validator. */
class FhirAlertsTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    static List<SingleValidationMessage> errors(Resource r) {
        FhirValidator v = FHIR.newValidator();
        v.registerValidatorModule(new FhirInstanceValidator(new ValidationSupportChain(
                new DefaultProfileValidationSupport(FHIR),
                new InMemoryTerminologyServerValidationSupport(FHIR),
                new CommonCodeSystemsTerminologyService(FHIR))));
        return v.validateWithResult(r).getMessages().stream()
                .filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
                .toList();
    }

    @Test
    void theObservationIsPreliminaryWithTheModelAsDeviceAndTheEvidenceAsComponents() {
        Observation o =
                FhirAlerts.observation(Alerts.alert("p1:e1:LEVEL_ESCALATION", "pt-1", AlertKind.LEVEL_ESCALATION));
        assertEquals(Observation.ObservationStatus.PRELIMINARY, o.getStatus());
        assertEquals("p1:e1:LEVEL_ESCALATION", o.getIdentifierFirstRep().getValue());
        assertEquals("pt-1", o.getSubject().getIdentifier().getValue());
        assertTrue(o.getDevice().getDisplay().contains("16cd09917c01"));
        assertEquals(5, o.getComponent().size(), "score, two levels, two neighbours");
        assertEquals(
                List.of(),
                errors(o).stream().map(SingleValidationMessage::getMessage).toList());
    }

    @Test
    void withReidentificationTheObservationIsFiledAgainstTheMrnAndTheOrder() {
        var filing = new FhirAlerts.Filing(
                new IdentifierSeal.Identifiers("MRN-0042", "ACC-777"), "urn:oid:1.2.3.4.5", "urn:oid:1.2.3.4.6");
        Observation o = FhirAlerts.observation(
                Alerts.alert("p1:e1:LEVEL_ESCALATION", "pt-1", AlertKind.LEVEL_ESCALATION), filing);
        assertEquals("urn:oid:1.2.3.4.5", o.getSubject().getIdentifier().getSystem());
        assertEquals("MRN-0042", o.getSubject().getIdentifier().getValue());
        assertEquals("ACC-777", o.getBasedOnFirstRep().getIdentifier().getValue());
        assertEquals("ServiceRequest", o.getBasedOnFirstRep().getType());
        assertEquals(
                List.of(),
                errors(o).stream().map(SingleValidationMessage::getMessage).toList());
        Flag f = FhirAlerts.flag(
                Alerts.alert("p1:e1:SUSTAINED_WORSENING", "pt-1", AlertKind.SUSTAINED_WORSENING), filing);
        assertEquals("MRN-0042", f.getSubject().getIdentifier().getValue());
        assertEquals(
                List.of(),
                errors(f).stream().map(SingleValidationMessage::getMessage).toList());
    }

    @Test
    void aRecoveryRetiresOnlyOurActiveFlagsOpenedBeforeIt() {
        Flag f = FhirAlerts.flag(Alerts.alert("p1:e1:SUSTAINED_WORSENING", "pt-1", AlertKind.SUSTAINED_WORSENING));
        Date end = new Date(f.getPeriod().getStart().getTime() + 60_000);
        assertTrue(FhirAlerts.retire(f, end));
        assertEquals(Flag.FlagStatus.INACTIVE, f.getStatus());
        assertEquals(end, f.getPeriod().getEnd());
        assertEquals(false, FhirAlerts.retire(f, end), "already retired: unchanged (replay-safe)");
        Flag later = FhirAlerts.flag(Alerts.alert("p1:e2:SUSTAINED_WORSENING", "pt-1", AlertKind.SUSTAINED_WORSENING));
        assertEquals(
                false,
                FhirAlerts.retire(later, new Date(later.getPeriod().getStart().getTime() - 1)),
                "a Flag opened after the recovery stays");
        assertEquals(
                List.of(),
                errors(f).stream().map(SingleValidationMessage::getMessage).toList());
    }

    @Test
    void aWorseningGetsAFlagARecoveryNone() {
        Flag f = FhirAlerts.flag(Alerts.alert("p1:e1:SUSTAINED_WORSENING", "pt-1", AlertKind.SUSTAINED_WORSENING));
        assertEquals(Flag.FlagStatus.ACTIVE, f.getStatus());
        assertEquals(
                List.of(),
                errors(f).stream().map(SingleValidationMessage::getMessage).toList());
        assertNull(FhirAlerts.flag(Alerts.alert("p1:e1:RECOVERY", "pt-1", AlertKind.RECOVERY)));
    }
}
