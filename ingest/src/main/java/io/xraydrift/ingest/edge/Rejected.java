package io.xraydrift.ingest.edge;

/**
 * A scan ingest refuses, with a reason that names the offending value (never the raw patient
 * identifier) and the HTTP status an upload gets for it.
 */
public final class Rejected extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why, in kinds an HTTP client can act on. */
    public enum Kind {
        /** Bad metadata or an image that fails the gate: 400. */
        INVALID(400),
        /** Larger than allowed: 413. */
        TOO_LARGE(413),
        /** Not an image type ingest decodes: 415. */
        UNSUPPORTED_TYPE(415),
        /** The same scan (SOP Instance UID) already came for another patient: 409. */
        CONFLICT(409);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Kind kind;
    private final String field;
    private final String answer;

    public Rejected(Kind kind, String field, String reason) {
        this(kind, field, reason, null);
    }

    /** A refusal whose answer to the caller ({@code answer}) says less than its reason (dead letter, log). */
    public Rejected(Kind kind, String field, String reason, String answer) {
        super(reason);
        this.kind = kind;
        this.field = field;
        this.answer = answer;
    }

    /** What the caller is told: the reason, unless the refusal keeps part of it to the dead letter. */
    public String answer() {
        return answer != null ? answer : getMessage();
    }

    public static Rejected invalid(String field, String reason) {
        return new Rejected(Kind.INVALID, field, reason);
    }

    public Kind kind() {
        return kind;
    }

    /** The metadata field or part at fault ({@code image} for the pixels). */
    public String field() {
        return field;
    }
}
