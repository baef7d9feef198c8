package io.xraydrift.ingest.service;

import io.xraydrift.events.AuditOutcome;
import io.xraydrift.ingest.edge.Ingestor;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Submission;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both DICOM ways in do with one file: read it, admit it ({@link Admission}), keep a refused
 * file in the quarantine, and write the receipt's audit record.
 */
final class DicomReceipts {

    private static final Logger LOG = LoggerFactory.getLogger(DicomReceipts.class);

    private final DicomSupport dicom;
    private final Admission admission;
    private final AuditTrail audit;
    private final Ingestor ingestor;
    private final Quarantine quarantine;

    DicomReceipts(DicomSupport dicom, Admission admission, AuditTrail audit, Ingestor ingestor, Quarantine quarantine) {
        this.dicom = dicom;
        this.admission = admission;
        this.audit = audit;
        this.ingestor = ingestor;
        this.quarantine = quarantine;
    }

    /** The audit trail (for receipts refused before a file is read: a refused association, a part of another type). */
    AuditTrail trail() {
        return audit;
    }

    /** The admission (for refusals found before a file is read). */
    Admission admission() {
        return admission;
    }

    /** What became of one file, and its SOP class and instance UIDs when its header gave them (for the sender only). */
    record Outcome(Admission.Result result, DicomSupport.SopRef sop) {}

    Outcome admitFile(byte[] file, String way, String requestId) {
        Submission s;
        try {
            s = dicom.read(file, "dicom:" + way, Instant.now());
        } catch (Rejected e) {
            quarantine.keep(file, requestId);
            admission.refuse(way, Admission.Named.of(way, requestId), e);
            // Only a file that did not read is parsed again, for the UIDs its header may still give.
            return new Outcome(new Admission.Refused(e), dicom.identify(file).orElse(null));
        }
        Admission.Result r = admission.admit(s, way, Admission.Named.of(way, requestId));
        if (r instanceof Admission.Refused) {
            quarantine.keep(file, requestId);
        }
        return new Outcome(
                r,
                DicomSupport.SopRef.of(s.dicom() == null ? null : s.dicom().sopClassUid(), s.sopInstanceUid())
                        .orElse(null));
    }

    /** The audit record of one receipt: the pseudonym, the instance by its keyed hash, the decision. */
    void audit(String way, Outcome o, String address, String agent, String requestId) {
        if (o.result() instanceof Admission.Admitted a) {
            record(() -> audit.recordDicom(
                    way,
                    AuditOutcome.ANSWERED,
                    address,
                    agent,
                    a.patient(),
                    requestId + ": " + (a.duplicate() ? "duplicate of " : "admitted as ") + "instance " + a.scanId()));
        } else if (o.result() instanceof Admission.Refused r) {
            String instance = o.sop() == null || o.sop().instance() == null
                    ? "instance UID unread"
                    : "instance " + ingestor.scanIdOfSop(o.sop().instance());
            record(() -> audit.recordDicom(
                    way,
                    AuditOutcome.REFUSED,
                    address,
                    agent,
                    null,
                    requestId + ": " + instance + " refused (" + r.reason().kind() + ", "
                            + r.reason().field() + ")"));
        }
    }

    /** An audit write that Kafka does not take now is logged, not thrown: the instance is already safe. */
    static void record(Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            LOG.warn("a DICOM audit record could not be written: {}", e.toString());
        }
    }
}
