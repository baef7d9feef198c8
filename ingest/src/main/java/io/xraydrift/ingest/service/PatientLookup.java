package io.xraydrift.ingest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.xraydrift.events.AuditOutcome;
import io.xraydrift.ingest.edge.Ingestor;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.platform.http.BearerToken;
import io.xraydrift.schemas.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /pseudonyms {"patientId": "..."}}: the pseudonym a patient's scans carry past ingest,
 * so a clinician who knows the hospital's identifier can open the drift monitor's view and API
 * (addressed by pseudonym). Only ingest holds the key, so only ingest can answer. The identifier
 * travels in the body (never the URL: URLs end up in access logs and browser history), is never
 * logged, and no refusal repeats it. A lookup changes nothing, so a refusal is a 400 and no dead
 * letter. Behind the same bearer token as uploads. Every request — answered, refused or
 * unauthorised — is recorded on {@code xray.audit} ({@link AuditTrail}) before it is answered.
 */
final class PatientLookup {

    private static final Logger LOG = LoggerFactory.getLogger(PatientLookup.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String ACTION = "pseudonym-lookup";

    private final BearerToken token;
    private final Ingestor ingestor;
    private final AuditTrail audit;
    private final Counter answered;
    private final Counter refused;
    private final Counter unauthorised;
    private final UnauthorisedSampler sampler = new UnauthorisedSampler(Duration.ofMinutes(1));

    PatientLookup(String apiToken, Ingestor ingestor, AuditTrail audit, MeterRegistry registry) {
        this.token = new BearerToken(apiToken, false);
        this.ingestor = ingestor;
        this.audit = audit;
        this.answered = Counter.builder("xray_ingest_pseudonym_lookups")
                .description("pseudonym lookups answered")
                .register(registry);
        this.refused = Counter.builder("xray_ingest_pseudonym_lookups_refused")
                .description("pseudonym lookups refused (400)")
                .register(registry);
        this.unauthorised = Counter.builder("xray_ingest_pseudonym_lookups_unauthorised")
                .description("pseudonym lookups without the right token (401), recorded or only counted")
                .register(registry);
    }

    void post(Context ctx) {
        if (!token.check(ctx)) {
            unauthorised.increment();
            UnauthorisedSampler.Decision d = sampler.attempt(ctx.ip(), System.nanoTime());
            if (d.record()) {
                audited(
                        ctx,
                        AuditOutcome.UNAUTHORISED,
                        null,
                        "no or wrong bearer token"
                                + (d.unrecordedBefore() == 0
                                        ? ""
                                        : "; " + d.unrecordedBefore()
                                                + " more such attempts from this address in the minute "
                                                + "before were counted, not recorded"));
            }
            return;
        }
        String behalf = AuditTrail.onBehalfOfProblem(ctx);
        if (behalf != null) {
            refused.increment();
            if (audited(ctx, AuditOutcome.REFUSED, null, behalf)) {
                ctx.status(400).json(Map.of("error", behalf, "field", AuditTrail.ON_BEHALF_OF));
            }
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (IOException e) {
            refuse(ctx, "body is not JSON (send {\"patientId\": \"...\"})");
            return;
        }
        if (body == null || !body.isObject()) {
            refuse(ctx, "body must be a JSON object {\"patientId\": \"...\"}");
            return;
        }
        JsonNode id = body.get("patientId");
        if (id != null && !id.isTextual()) {
            refuse(ctx, "field 'patientId' must be a string, got " + id.getNodeType());
            return;
        }
        try {
            String pseudonym = ingestor.pseudonymOf(id == null ? null : id.asText());
            if (audited(ctx, AuditOutcome.ANSWERED, pseudonym, null)) {
                answered.increment();
                LOG.info("pseudonym lookup answered");
                ctx.json(Map.of("patient", pseudonym));
            }
        } catch (Rejected e) {
            refuse(ctx, e.getMessage());
        }
    }

    private void refuse(Context ctx, String reason) {
        refused.increment();
        LOG.info("pseudonym lookup refused: {}", reason);
        if (audited(ctx, AuditOutcome.REFUSED, null, reason)) {
            ctx.status(400).json(Map.of("error", reason, "field", "patientId"));
        }
    }

    /**
     * Records the request on the audit trail; if that fails nothing is answered (503), so no
     * pseudonym leaves without its record. A 401 stays a 401.
     */
    private boolean audited(Context ctx, AuditOutcome outcome, String subject, String detail) {
        try {
            audit.record(ctx, ACTION, outcome, subject, detail);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("pseudonym lookup not answered: audit trail unavailable ({})", e.getMessage());
            if (outcome != AuditOutcome.UNAUTHORISED) {
                ctx.status(503)
                        .json(Map.of(
                                "error",
                                "the audit trail (" + Topics.AUDIT.name()
                                        + ") is unavailable; lookups are answered only once recorded"));
            }
            return false;
        }
    }
}
