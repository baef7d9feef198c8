package io.xraydrift.ingest.service;

import io.javalin.http.Context;
import io.xraydrift.events.AuditOutcome;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.platform.http.BearerToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.http.MultiPart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /studies}, STOW-RS ({@code multipart/related; type="application/dicom"}): the body
 * read under ingest's own bound, each part admitted on its own, the answer in DICOM JSON naming each
 * instance stored or failed (and why), or 503 when Kafka does not take a part (the sender retries).
 */
final class StowRs {

    private static final Logger LOG = LoggerFactory.getLogger(StowRs.class);
    static final String STOW = DicomIn.STOW;

    private final IngestConfig config;
    private final BearerToken token;
    private final DicomReceipts receipts;

    StowRs(IngestConfig config, DicomReceipts receipts) {
        this.config = config;
        this.token = new BearerToken(config.apiToken(), false);
        this.receipts = receipts;
    }

    /** STOW-RS: every part admitted on its own; 200 all stored, 202 some, 409 none (PS3.18 10.5). */
    void post(Context ctx) {
        if (!token.check(ctx)) {
            return;
        }
        String requestId = STOW + ":" + UUID.randomUUID();
        String type = ctx.contentType() == null ? "" : ctx.contentType();
        String lower = type.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("multipart/related")) {
            answerError(
                    ctx,
                    415,
                    "content type is not multipart/related (STOW-RS sends "
                            + "multipart/related; type=\"application/dicom\")");
            return;
        }
        String boundary = MultiPart.extractBoundary(type);
        if (boundary == null || boundary.isEmpty()) {
            answerError(ctx, 400, "multipart/related content type has no boundary");
            return;
        }
        // Read under ingest's own bound (Javalin's plain-body bound is 1 MB; one film is often more).
        long bound = (long) config.maxUploadBytes() + HttpUploads.METADATA_ALLOWANCE;
        byte[] body;
        try (var in = ctx.bodyInputStream()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, bound + 1));
        } catch (IOException e) {
            answerError(
                    ctx,
                    400,
                    "the request body could not be read (" + e.getClass().getSimpleName() + ")");
            return;
        }
        if (body.length > bound) {
            receipts.admission()
                    .refuse(
                            STOW,
                            Admission.Named.of(STOW, requestId),
                            new Rejected(
                                    Rejected.Kind.TOO_LARGE,
                                    "request",
                                    "STOW-RS request is over "
                                            + bound + " bytes (" + IngestConfig.MAX_UPLOAD_BYTES
                                            + " plus an allowance); send fewer instances "
                                            + "per request"));
            answerError(ctx, 413, "request is over " + bound + " bytes; send fewer instances per request");
            return;
        }
        List<MultipartRelated.Part> parts;
        try {
            parts = MultipartRelated.parts(boundary, body);
        } catch (IllegalArgumentException e) {
            answerError(ctx, 400, "multipart/related body does not parse: " + e.getMessage());
            return;
        }
        if (parts.isEmpty()) {
            answerError(ctx, 400, "multipart/related body holds no part");
            return;
        }
        List<Map<String, Object>> stored = new ArrayList<>();
        List<Map<String, Object>> failed = new ArrayList<>();
        boolean warned = false;
        int n = 0;
        for (MultipartRelated.Part p : parts) {
            n++;
            String partId = requestId + ":" + n;
            if (!p.type().startsWith("application/dicom")) {
                Rejected e = new Rejected(
                        Rejected.Kind.UNSUPPORTED_TYPE,
                        "part",
                        "part " + n + " has type '" + p.type().replaceAll("[^a-z0-9/+.-]", "?")
                                + "'; STOW-RS parts are application/dicom");
                receipts.admission().refuse(STOW, Admission.Named.of(STOW, partId), e);
                failed.add(sop(null, 0xA900, -1));
                DicomReceipts.record(() -> receipts.trail()
                        .recordDicom(
                                STOW,
                                AuditOutcome.REFUSED,
                                ctx.ip(),
                                ctx.userAgent(),
                                null,
                                partId + ": refused (" + e.kind() + ", " + e.field() + ")"));
                continue;
            }
            DicomReceipts.Outcome o;
            try {
                o = receipts.admitFile(p.bytes(), STOW, partId);
            } catch (RuntimeException e) {
                // Kafka did not take it: nothing of this part is kept, the sender retries the request.
                LOG.warn("STOW-RS {}: part {} could not be written ({}); answered 503", requestId, n, e.toString());
                ctx.header("Retry-After", "5");
                answerError(ctx, 503, "the scan could not be written now; send the request again");
                return;
            }
            receipts.audit(STOW, o, ctx.ip(), ctx.userAgent(), partId);
            if (o.result() instanceof Admission.Refused f) {
                failed.add(sop(o.sop(), f.reason().kind() == Rejected.Kind.UNSUPPORTED_TYPE ? 0xA900 : 0xC000, -1));
            } else if (o.result() instanceof Admission.Admitted a && a.receiptTime()) {
                warned = true;
                stored.add(sop(o.sop(), -1, COERCED));
            } else {
                stored.add(sop(o.sop(), -1, -1));
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        if (!stored.isEmpty()) {
            answer.put("00081199", Map.of("vr", "SQ", "Value", stored));
        }
        if (!failed.isEmpty()) {
            answer.put("00081198", Map.of("vr", "SQ", "Value", failed));
        }
        // PS3.18 10.5.3: 200 when every instance is stored as sent, 202 with failures or warnings, 409 when none is
        int status = failed.isEmpty() && !warned ? 200 : stored.isEmpty() ? 409 : 202;
        ctx.status(status).contentType("application/dicom+json").json(answer);
    }

    /** WarningReason (and C-STORE status) "Coercion of data elements": the acquisition time came from the receipt. */
    static final int COERCED = 0xB000;

    /**
     * A ReferencedSOPSequence / FailedSOPSequence item (PS3.18 10.5.3): the instance's SOP class and
     * instance UIDs (the sender's own, so it can correlate; absent only where the part's header could
     * not be read), if failed the FailureReason, if stored with a coerced element the WarningReason.
     * No RetrieveURL: ingest keeps no instance to retrieve (the PACS holds the film).
     */
    private static Map<String, Object> sop(DicomSupport.SopRef sop, int failure, int warning) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (sop != null && sop.sopClass() != null) {
            m.put("00081150", Map.of("vr", "UI", "Value", List.of(sop.sopClass())));
        }
        if (sop != null && sop.instance() != null) {
            m.put("00081155", Map.of("vr", "UI", "Value", List.of(sop.instance())));
        }
        if (failure >= 0) {
            m.put("00081197", Map.of("vr", "US", "Value", List.of(failure)));
        }
        if (warning >= 0) {
            m.put("00081196", Map.of("vr", "US", "Value", List.of(warning)));
        }
        return m;
    }

    private static void answerError(Context ctx, int status, String error) {
        ctx.status(status).json(Map.of("error", error));
    }
}
