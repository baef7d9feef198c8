package io.xraydrift.ingest.service;

import io.javalin.http.Context;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Ingestor;
import java.io.IOException;

/**
 * DICOM in: {@code POST /studies} (STOW-RS, {@code multipart/related; type="application/dicom"})
 * and the C-STORE SCP (the DICOM door: its host, the calling AE titles and hosts it lets in, TLS),
 * both through {@link Admission}. A refused file's dead letter says why and keeps no bytes (a DICOM
 * header names the patient); the file itself is kept in ingest's quarantine folder
 * ({@value #QUARANTINE} under the state directory), named by its request id, so it can be sent again
 * once the cause is fixed; the sender is told the truth (a STOW-RS FailedSOPSequence item, a C-STORE
 * failure status naming the tag). Kafka not taking an admitted scan is answered 503 to a STOW-RS
 * sender (it retries); a C-STORE is kept on disk and admitted when Kafka is back ({@link CStoreSpool}):
 * nothing is lost. Every receipt and every refused association goes to the audit topic.
 */
final class DicomIn implements AutoCloseable {

    static final String QUARANTINE = "dicom-refused";
    static final String PENDING = "dicom-pending";
    /** Files kept in quarantine at most; past it a refused file is only dead-lettered. */
    static final int QUARANTINE_FILES = 1000;

    static final String STOW = "stow-rs";
    static final String STORE = "c-store";

    private final StowRs stow;
    private final CStoreSpool spool;

    DicomIn(IngestConfig config, DicomSupport dicom, Admission admission, AuditTrail audit, Ingestor ingestor) {
        Quarantine quarantine =
                new Quarantine(config.stateDir().resolve(QUARANTINE), QUARANTINE_FILES, config.quarantineRetention());
        DicomReceipts receipts = new DicomReceipts(dicom, admission, audit, ingestor, quarantine);
        this.stow = new StowRs(config, receipts);
        this.spool = new CStoreSpool(config, dicom, receipts, quarantine);
    }

    /** Starts the C-STORE SCP when a port is configured. */
    void start() throws IOException {
        spool.start();
    }

    /** STOW-RS, {@code POST /studies}. */
    void post(Context ctx) {
        stow.post(ctx);
    }

    @Override
    public void close() throws Exception {
        spool.close();
    }
}
