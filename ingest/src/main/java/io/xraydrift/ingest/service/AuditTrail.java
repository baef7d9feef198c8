package io.xraydrift.ingest.service;

import io.javalin.http.Context;
import io.xraydrift.events.AuditEvent;
import io.xraydrift.events.AuditOutcome;
import io.xraydrift.ingest.IngestConfig;
import java.time.Instant;
import java.util.UUID;

/**
 * Writes one {@link AuditEvent} per sensitive request to {@code xray.audit} (through the
 * {@link ScanWriter}'s producer) and returns once the broker holds it, so an answer never leaves without its record. Who asked is what a shared bearer
 * token can tell: the caller's address and User-Agent, and the person it states it asks for in
 * {@value #ON_BEHALF_OF} (a staff user name; never a patient identifier).
 */
final class AuditTrail {

    static final String ON_BEHALF_OF = "X-Xray-On-Behalf-Of";
    static final int MAX_ON_BEHALF_OF = 128;

    private final ScanWriter writer;
    private final String instance;

    AuditTrail(ScanWriter writer, String instance) {
        this.writer = writer;
        this.instance = instance;
    }

    /**
     * Why the {@value #ON_BEHALF_OF} header cannot be recorded, or null if it is absent or fine.
     * The header's value is not repeated: a caller may have put something sensitive in it.
     */
    static String onBehalfOfProblem(Context ctx) {
        String v = ctx.header(ON_BEHALF_OF);
        if (v == null) {
            return null;
        }
        if (v.isBlank() || v.length() > MAX_ON_BEHALF_OF || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "header " + ON_BEHALF_OF + " must be 1-" + MAX_ON_BEHALF_OF
                    + " printable characters (a staff user name), got " + v.length() + " characters";
        }
        return null;
    }

    /**
     * Writes the record of this request and waits for the broker; throws if Kafka does not take it.
     * An unauthorised request's record is sent without waiting: a caller without the token must not
     * be able to hold the service's threads while Kafka is slow.
     */
    void record(Context ctx, String action, AuditOutcome outcome, String subject, String detail) {
        String behalf = onBehalfOfProblem(ctx) == null ? ctx.header(ON_BEHALF_OF) : null;
        record(
                action,
                outcome,
                behalf,
                ctx.ip(),
                ctx.userAgent(),
                subject,
                detail,
                outcome != AuditOutcome.UNAUTHORISED);
    }

    /**
     * Writes the record of one DICOM receipt or refused association ({@code action}: c-store,
     * stow-rs, dicom-association): the peer's address, its calling AE title where DICOM gives one
     * (in {@code userAgent}, as {@code DICOM AE <title>}), the pseudonym and a detail that names the
     * instance only by its keyed hash (the scan id) and says what was decided. Sent, not awaited: the
     * instance is already safe (admitted, dead-lettered or kept), and a PACS is not held on a second write.
     */
    void recordDicom(String action, AuditOutcome outcome, String address, String agent, String subject, String detail) {
        record(action, outcome, null, address, agent, subject, detail, false);
    }

    private void record(
            String action,
            AuditOutcome outcome,
            String behalf,
            String address,
            String agent,
            String subject,
            String detail,
            boolean await) {
        AuditEvent e = AuditEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setAt(Instant.now())
                .setService(IngestConfig.SERVICE)
                .setInstance(instance)
                .setAction(action)
                .setOutcome(outcome)
                .setOnBehalfOf(behalf == null ? null : behalf.strip())
                .setClientAddress(address)
                .setUserAgent(agent == null ? null : agent.substring(0, Math.min(agent.length(), 200)))
                .setSubject(subject)
                .setDetail(detail)
                .build();
        writer.audit(subject == null ? action : subject, e, await);
    }
}
