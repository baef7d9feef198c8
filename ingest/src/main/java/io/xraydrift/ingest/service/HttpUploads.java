package io.xraydrift.ingest.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.xraydrift.events.Level;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Shape;
import io.xraydrift.ingest.edge.Submission;
import io.xraydrift.platform.http.BearerToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /scans}: multipart with an {@code image} part (PNG or JPEG) and a {@code metadata}
 * part (JSON: patientId, acquiredAt, view, modality, sopInstanceUid, photometricInterpretation,
 * referenceLabel, attributes, source). Answers 202 {@code {scanId}} once the scan is in Kafka — the
 * same scanId, and no second event, when the same scan comes again — or 400 (naming the field),
 * 401, 413, 415, each refusal also written as a dead letter with the image bytes (never the metadata:
 * it holds the raw patient identifier).
 */
final class HttpUploads {

    private static final Logger LOG = LoggerFactory.getLogger(HttpUploads.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "application/octet-stream");
    private static final Set<String> FIELDS = Set.of(
            "patientId",
            "acquiredAt",
            "view",
            "modality",
            "sopInstanceUid",
            "photometricInterpretation",
            "referenceLabel",
            "referenceSeverity",
            "attributes",
            "source");

    private final IngestConfig config;
    private final BearerToken token;
    private final Admission admission;

    HttpUploads(IngestConfig config, Admission admission) {
        this.config = config;
        this.token = new BearerToken(config.apiToken(), false);
        this.admission = admission;
    }

    /** Room for the metadata part and the multipart framing beyond the image's own bound. */
    static final long METADATA_ALLOWANCE = 1024 * 1024;

    void post(Context ctx) throws IOException {
        String requestId = UUID.randomUUID().toString();
        if (!token.check(ctx)) {
            return;
        }
        Submission s;
        try {
            byte[] image = image(ctx);
            try {
                s = submission(metadata(ctx), image);
            } catch (Rejected e) {
                throw new Refusal(e, image);
            }
        } catch (Refusal r) {
            refuse(ctx, requestId, r.reason, r.image);
            return;
        }
        Admission.Result r = admission.admit(s, "http", named(requestId, s.image()));
        if (r instanceof Admission.Refused refused) {
            answer(ctx, requestId, refused.reason());
            return;
        }
        Admission.Admitted a = (Admission.Admitted) r;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("scanId", a.scanId());
        body.put("patient", a.patient());
        body.put("duplicate", a.duplicate());
        body.put("requestId", requestId);
        ctx.status(202).json(body);
    }

    /** A refused upload: why, and the image bytes its dead letter keeps (null where none were read). */
    private static final class Refusal extends Exception {
        private final Rejected reason;
        private final byte[] image;

        Refusal(Rejected reason, byte[] image) {
            super(reason.getMessage(), null, false, false);
            this.reason = reason;
            this.image = image;
        }
    }

    /**
     * The request's image part, within the bounds (the declared length, the multipart parser's,
     * the part's own) and of an image type; refused naming what is wrong.
     */
    private byte[] image(Context ctx) throws Refusal, IOException {
        long length = ctx.contentLength();
        if (length > config.maxUploadBytes() + 65_536L) {
            throw new Refusal(
                    new Rejected(
                            Rejected.Kind.TOO_LARGE,
                            "image",
                            "request is " + length + " bytes, maximum upload is " + config.maxUploadBytes()),
                    null);
        }
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("multipart/form-data")) {
            throw new Refusal(
                    new Rejected(
                            Rejected.Kind.UNSUPPORTED_TYPE,
                            "request",
                            "content type '" + type
                                    + "' is not multipart/form-data (send parts 'image' and 'metadata')"),
                    null);
        }
        UploadedFile file = imagePart(ctx);
        if (file == null) {
            throw new Refusal(Rejected.invalid("image", "part 'image' is missing"), null);
        }
        byte[] image;
        try (var in = file.content()) {
            image = in.readNBytes(config.maxUploadBytes() + 1);
        }
        if (image.length > config.maxUploadBytes()) {
            throw new Refusal(
                    new Rejected(
                            Rejected.Kind.TOO_LARGE,
                            "image",
                            "part 'image' is over " + config.maxUploadBytes() + " bytes"),
                    Arrays.copyOf(image, config.maxUploadBytes()));
        }
        String partType = file.contentType() == null
                ? "application/octet-stream"
                : file.contentType().toLowerCase(Locale.ROOT);
        if (!IMAGE_TYPES.contains(partType)) {
            throw new Refusal(
                    new Rejected(
                            Rejected.Kind.UNSUPPORTED_TYPE,
                            "image",
                            "part 'image' has type '"
                                    + partType + "'; PNG or JPEG only"
                                    + (partType.contains("dicom")
                                            ? " (send DICOM files to POST /studies, STOW-RS, or the C-STORE SCP)"
                                            : "")),
                    image);
        }
        return image;
    }

    /** The 'image' part (null when missing); a body over the parser's bound or that does not parse is refused. */
    private UploadedFile imagePart(Context ctx) throws Refusal {
        try {
            return ctx.uploadedFile("image");
        } catch (Exception e) { // Jetty's ServletException comes through Kotlin unchecked
            // The multipart parser stops at the configured bound, declared length or not (chunked).
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("max")) {
                    throw new Refusal(
                            new Rejected(
                                    Rejected.Kind.TOO_LARGE,
                                    "request",
                                    "multipart request is over "
                                            + (config.maxUploadBytes() + METADATA_ALLOWANCE) + " bytes (maximum upload "
                                            + config.maxUploadBytes() + " plus metadata)"),
                            null);
                }
            }
            throw new Refusal(
                    Rejected.invalid(
                            "request",
                            "multipart body does not parse (" + e.getClass().getSimpleName() + ")"),
                    null);
        }
    }

    /** An upload's dead letter keeps its image (a PNG or JPEG carries no metadata), never the metadata part. */
    private static Admission.Named named(String requestId, byte[] image) {
        return new Admission.Named(requestId, "upload " + requestId + ": ", image);
    }

    private JsonNode metadata(Context ctx) throws Rejected, IOException {
        String raw = ctx.formParam("metadata");
        if (raw == null) {
            UploadedFile part = ctx.uploadedFile("metadata");
            if (part != null) {
                try (var in = part.content()) {
                    raw = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
                }
            }
        }
        if (raw == null) {
            throw Rejected.invalid("metadata", "part 'metadata' (JSON) is missing");
        }
        JsonNode m;
        try {
            m = JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            // Never the parser's message: it quotes the token it choked on, which can be the patient id
            // ("Unrecognized token 'MRN4711'"). Where it failed is enough to find the mistake.
            var at = e.getLocation();
            throw Rejected.invalid(
                    "metadata",
                    "part 'metadata' is not valid JSON (" + raw.length() + " characters; "
                            + (at == null
                                    ? "no position"
                                    : "error at line " + at.getLineNr() + ", column " + at.getColumnNr())
                            + "; the parser's message is not repeated, as it may quote the metadata)");
        }
        if (m == null || !m.isObject()) {
            throw Rejected.invalid("metadata", "part 'metadata' must be a JSON object");
        }
        for (var it = m.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                // A field name is echoed only if it looks like one: a misplaced identifier is not.
                boolean nameLike = f.matches("[A-Za-z_]{1,40}");
                throw Rejected.invalid(
                        nameLike ? f : "metadata",
                        "metadata field "
                                + (nameLike ? "'" + f + "'" : "of " + f.length() + " characters (not repeated)")
                                + " is unknown; known: " + FIELDS);
            }
        }
        return m;
    }

    private static Submission submission(JsonNode m, byte[] image) throws Rejected {
        Map<String, String> attributes = new LinkedHashMap<>();
        JsonNode attrs = m.path("attributes");
        if (!attrs.isMissingNode() && !attrs.isObject()) {
            throw Rejected.invalid("attributes", "field 'attributes' must be an object of strings");
        }
        attrs.fields()
                .forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
        JsonNode patient = m.path("patientId");
        if (!patient.isMissingNode() && !patient.isTextual()) {
            throw Rejected.invalid("patientId", "field 'patientId' must be a string, got " + patient.getNodeType());
        }
        return new Submission(
                patient.isTextual() ? patient.asText() : null,
                instant(m, "acquiredAt"),
                m.path("source").asText("http"),
                enumOf(m, "view", ViewPosition.class, ViewPosition.UNKNOWN),
                m.path("modality").asText("CR"),
                text(m, "sopInstanceUid"),
                image,
                text(m, "photometricInterpretation"),
                enumOf(m, "referenceLabel", Level.class, null),
                severity(m),
                attributes);
    }

    private static Double severity(JsonNode m) throws Rejected {
        JsonNode n = m.path("referenceSeverity");
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw Rejected.invalid(
                    "referenceSeverity",
                    "field 'referenceSeverity' must be a number in [0, 1], got " + n.getNodeType());
        }
        return n.asDouble();
    }

    private static String text(JsonNode m, String field) {
        JsonNode n = m.path(field);
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }

    private static Instant instant(JsonNode m, String field) throws Rejected {
        String raw = text(m, field);
        if (raw == null) {
            return null;
        }
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException e) {
            throw Rejected.invalid(
                    field,
                    "field '" + field + "' (" + Shape.of(raw) + ", not repeated) is not an "
                            + "ISO-8601 instant (e.g. 2026-11-25T08:30:00Z)");
        }
    }

    private static <E extends Enum<E>> E enumOf(JsonNode m, String field, Class<E> type, E fallback) throws Rejected {
        String raw = text(m, field);
        if (raw == null) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Rejected.invalid(
                    field,
                    "field '" + field + "' (" + Shape.of(raw) + ", not repeated) is not one of "
                            + Arrays.toString(type.getEnumConstants()));
        }
    }

    private void refuse(Context ctx, String requestId, Rejected e, byte[] image) {
        try {
            admission.refuse("http", named(requestId, image), e);
        } catch (RuntimeException ex) {
            // The caller is told why all the same; only the record of it is missing.
            LOG.error("could not write the dead letter of upload {}: {}", requestId, ex.toString());
        }
        answer(ctx, requestId, e);
    }

    private static void answer(Context ctx, String requestId, Rejected e) {
        LOG.info("refused upload {} ({}): {}", requestId, e.kind().status(), e.getMessage());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.answer());
        body.put("field", e.field());
        body.put("requestId", requestId);
        ctx.status(e.kind().status()).json(body);
    }
}
