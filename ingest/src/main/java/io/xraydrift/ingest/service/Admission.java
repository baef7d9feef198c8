package io.xraydrift.ingest.service;

import io.xraydrift.events.DeadLetter;
import io.xraydrift.ingest.edge.Ingestor;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Submission;
import io.xraydrift.platform.kafka.DeadLetters;
import java.time.Instant;

/**
 * The one admission path of a scan that arrives outside the intake topic (HTTP upload, DICOMweb
 * poll, C-STORE, STOW-RS): the edge's checks ({@link Ingestor}: pseudonym, gate, scan id), the
 * duplicate/conflict check on the scan id, the write to Kafka, and for a refusal its dead letter.
 * Callers answer their peer from the sealed {@link Result}. A write Kafka does not take is thrown
 * (the peer must retry), never dead-lettered. (The intake topic's loop takes the same decision,
 * {@link #claimNew}, but writes inside its consume-produce transaction, so it keeps its own write.)
 */
final class Admission {

    /** What became of one submission. */
    sealed interface Result permits Admitted, Refused {}

    /**
     * In Kafka (or, when {@code duplicate}, already there from an earlier submission);
     * {@code receiptTime}: the submission had no plausible acquisition time and took the receipt
     * time instead (a coerced element: C-STORE warns 0xB000, STOW-RS names it in WarningReason).
     */
    record Admitted(String scanId, String patient, boolean duplicate, boolean receiptTime) implements Result {}

    /** Refused with its reason; the dead letter is written. */
    record Refused(Rejected reason) implements Result {}

    private final Ingestor ingestor;
    private final ScanWriter writer;
    private final RecentScans recent;
    private final IngestCounters counters;

    Admission(Ingestor ingestor, ScanWriter writer, RecentScans recent, IngestCounters counters) {
        this.ingestor = ingestor;
        this.writer = writer;
        this.recent = recent;
        this.counters = counters;
    }

    /** How a refusal's dead letter names what was refused, and the bytes it may keep. */
    record Named(String requestId, String reasonPrefix, byte[] bytes) {

        /** Named {@code "<way> <requestId>: "}, keeping no bytes (a DICOM file's header names the patient). */
        static Named of(String way, String requestId) {
            return new Named(requestId, way + " " + requestId + ": ", null);
        }
    }

    /**
     * Admits one submission read from a way in ({@code way}: the counters' label), its dead letter
     * named as {@code named} says.
     */
    Result admit(Submission s, String way, Named named) {
        try {
            Ingestor.Accepted a = ingestor.ingest(s, Instant.now());
            String scanId = a.scan().getScanId();
            String patient = a.scan().getPatient();
            if (!claimNew(recent, a)) {
                counters.duplicate(way);
                return new Admitted(scanId, patient, true, a.scan().getAcquiredAtFromReceipt());
            }
            try {
                writer.write(a);
            } catch (RuntimeException e) {
                recent.forget(scanId);
                throw e;
            }
            counters.accepted(way, 1);
            if (a.scan().getAcquiredAtFromReceipt()) {
                counters.undated(way);
            }
            return new Admitted(scanId, patient, false, a.scan().getAcquiredAtFromReceipt());
        } catch (Rejected e) {
            refuse(way, named, e);
            return new Refused(e);
        }
    }

    /**
     * The one duplicate/conflict decision on an accepted scan's id, for every way in (the intake
     * topic's loop too): true when it is new (and now claimed), false when an earlier submission
     * brought it (a duplicate: answered, not written again). The same id for another patient is a
     * conflict and refused — answering would map the identifier to a pseudonym without a trace, and
     * the scan would be dropped silently; both pseudonyms go into the dead letter only.
     */
    static boolean claimNew(RecentScans recent, Ingestor.Accepted a) throws Rejected {
        String scanId = a.scan().getScanId();
        String patient = a.scan().getPatient();
        RecentScans.Claim claim = recent.claim(scanId, patient);
        if (claim == RecentScans.Claim.CONFLICT) {
            throw new Rejected(
                    Rejected.Kind.CONFLICT,
                    "sopInstanceUid",
                    "scan " + scanId + " (its SOP Instance UID)"
                            + " came before for patient " + recent.patientOf(scanId) + "; now for patient " + patient
                            + ": refused as a conflict",
                    "this SOP Instance UID came before for another patient");
        }
        return claim != RecentScans.Claim.DUPLICATE;
    }

    /**
     * Dead-letters a refusal (also one found before a submission could be made: a file that does not
     * parse). A dead letter Kafka does not take is thrown, as a scan is: the caller keeps the input
     * for a retry (the poller polls it again, a C-STORE waits in the pending folder, STOW answers 503).
     */
    void refuse(String way, Named named, Rejected e) {
        DeadLetter d = DeadLetters.ofRequest(
                "ingest", named.requestId(), named.bytes(), named.reasonPrefix() + e.getMessage(), e);
        writer.deadLetter(d);
        counters.rejected(way);
    }
}
