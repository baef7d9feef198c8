package io.xraydrift.alertout.delivery;

import io.xraydrift.events.DriftAlert;
import io.xraydrift.platform.reid.IdentifierSeal;
import java.io.IOException;
import java.time.Duration;

/**
 * One peer alerts go to. {@link #deliver} returns once the peer holds the alert, throws
 * {@link Refused} when the peer answered that it will not take it (tried again, then dead-lettered),
 * and {@link IOException} when it could not be reached or failed on its side (tried until it can).
 * Delivering the same alert twice must not store it twice at the peer: each sink names the
 * message by the alert id.
 */
public interface Sink extends AutoCloseable {

    /** Short name: the consumer group's suffix and the dead letter's stage ({@code hl7}, {@code fhir}). */
    String name();

    void deliver(DriftAlert alert) throws Refused, IOException;

    /**
     * Checks that the peer answers without sending it an alert (MLLP: a TCP connection; FHIR: its
     * CapabilityStatement), so readiness tells the truth before the first alert; throws when it does not.
     */
    void probe() throws IOException;

    @Override
    default void close() {}

    /**
     * The hospital identifiers of an alert's scan, when re-identification is on ({@code reader}
     * non-null) and ingest sealed them; null otherwise (the alert goes under the pseudonym).
     */
    static IdentifierSeal.Identifiers identifiers(SealedIdentifierReader reader, DriftAlert alert) throws IOException {
        if (reader == null) {
            return null;
        }
        try {
            return reader.identifiers(alert.getScanId(), LOOKUP_WAIT).orElse(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted looking up the identifiers of scan " + alert.getScanId(), e);
        }
    }

    /** How long a delivery waits for its scan's sealed identifiers to be read. */
    Duration LOOKUP_WAIT = Duration.ofSeconds(30);

    /**
     * The peer's refusal, in its own words (truncated). A permanent refusal counts toward the loop's
     * attempts; a transient one (an HL7 application error, {@code AE}/{@code CE}) is retried, with
     * backoff, for {@link #retryFor()} before the alert is dead-lettered.
     */
    final class Refused extends Exception {

        private static final long serialVersionUID = 1L;
        private final transient Duration retryFor;

        public Refused(String why) {
            this(why, null);
        }

        public Refused(String why, Duration retryFor) {
            super(why.length() > 300 ? why.substring(0, 300) + "..." : why);
            this.retryFor = retryFor;
        }

        /** How long a transient refusal is retried; null for a permanent one. */
        public Duration retryFor() {
            return retryFor;
        }
    }
}
