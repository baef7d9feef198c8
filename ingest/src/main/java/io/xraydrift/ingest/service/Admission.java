package io.xraydrift.ingest.service;

import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xraydrift.events.DeadLetter;
import io.xraydrift.ingest.edge.Ingestor;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Submission;
import io.xraydrift.platform.kafka.DeadLetters;

/**
 * The one admission path of a scan that arrives by DICOM (C-STORE, STOW-RS): the edge's checks
 * ({@link Ingestor}: pseudonym, gate, scan id), the duplicate/conflict check on the scan id, the
 * write to Kafka, and for a refusal its dead letter. Callers answer their peer from the sealed
 * {@link Result}. A write Kafka does not take is thrown (the peer must retry), never dead-lettered.
 */
final class Admission {

    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    /** What became of one submission. */
    sealed interface Result permits Admitted, Refused {
    }

    /** In Kafka (or, when {@code duplicate}, already there from an earlier submission). */
    record Admitted(String scanId, String patient, boolean duplicate) implements Result {
    }

    /** Refused with its reason; the dead letter is written. */
    record Refused(Rejected reason) implements Result {
    }

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

    /**
     * Admits one submission read from a way in ({@code way}: the counters' label), naming it by
     * {@code requestId} in its dead letter. The dead letter keeps no bytes: a DICOM file's header
     * names the patient, so the refused file stays in ingest's quarantine folder instead.
     */
    Result admit(Submission s, String way, String requestId) {
        try {
            Ingestor.Accepted a = ingestor.ingest(s, Instant.now());
            String scanId = a.scan().getScanId();
            String patient = a.scan().getPatient();
            RecentScans.Claim claim = recent.claim(scanId, patient);
            if (claim == RecentScans.Claim.CONFLICT) {
                throw new Rejected(Rejected.Kind.CONFLICT, "sopInstanceUid", "scan " + scanId + " (its SOP Instance UID)"
                        + " came before for patient " + recent.patientOf(scanId) + "; now for patient " + patient
                        + ": refused as a conflict", "this SOP Instance UID came before for another patient");
            }
            if (claim == RecentScans.Claim.DUPLICATE) {
                counters.duplicate(way);
                return new Admitted(scanId, patient, true);
            }
            try {
                writer.write(a);
            } catch (RuntimeException e) {
                recent.forget(scanId);
                throw e;
            }
            counters.accepted(way, 1);
            return new Admitted(scanId, patient, false);
        } catch (Rejected e) {
            refuse(way, requestId, e);
            return new Refused(e);
        }
    }

    /** Dead-letters a refusal found before a submission could be read (a file that does not parse). */
    void refuse(String way, String requestId, Rejected e) {
        DeadLetter d = DeadLetters.ofRequest("ingest", requestId, null, way + " " + requestId + ": " + e.getMessage(), e);
        writer.deadLetter(d);
        counters.rejected(way);
        LOG.warn("dead letter: {}", d.getReason());
    }
}
