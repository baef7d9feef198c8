package io.xraydrift.alertout.delivery;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.rest.server.interceptor.RequestValidatingInterceptor;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

/**
 * What makes the local FHIR server a validating one for the ITs: every request body checked
 * against the R4 base profiles, a resource that does not validate answered 422.
 */
final class FhirValidation {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    /** One validator for every start: it loads the R4 profiles and terminology once (seconds). */
    private static final FhirInstanceValidator VALIDATOR = new FhirInstanceValidator(new ValidationSupportChain(
            new DefaultProfileValidationSupport(FHIR),
            new InMemoryTerminologyServerValidationSupport(FHIR),
            new CommonCodeSystemsTerminologyService(FHIR)));

    private FhirValidation() {}

    static RequestValidatingInterceptor interceptor() {
        RequestValidatingInterceptor validating = new RequestValidatingInterceptor();
        validating.addValidatorModule(VALIDATOR);
        validating.setFailOnSeverity(ResultSeverityEnum.ERROR);
        return validating;
    }
}
