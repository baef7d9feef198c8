package io.xraydrift.ingest.service;

import io.xraydrift.events.AuditOutcome;
import io.xraydrift.ingest.IngestConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The C-STORE SCP (the DICOM door: its host, the calling AE titles and hosts it lets in, TLS) with
 * store and forward: each instance is admitted before the SCP answers, or, when Kafka does not take
 * it, kept in the pending folder ({@value DicomIn#PENDING} under the state directory) and admitted
 * from there, oldest first, once Kafka is back; a timer also expires the quarantine.
 */
final class CStoreSpool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CStoreSpool.class);
    static final String STORE = DicomIn.STORE;

    private final IngestConfig config;
    private final DicomSupport dicom;
    private final DicomReceipts receipts;
    private final Quarantine quarantine;
    private final Path pending;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ingest-dicom-pending");
        t.setDaemon(true);
        return t;
    });
    private AutoCloseable scp;

    CStoreSpool(IngestConfig config, DicomSupport dicom, DicomReceipts receipts, Quarantine quarantine) {
        this.config = config;
        this.dicom = dicom;
        this.receipts = receipts;
        this.quarantine = quarantine;
        this.pending = config.stateDir().resolve(DicomIn.PENDING);
    }

    /** Starts the C-STORE SCP when a port is configured. */
    void start() throws IOException {
        IngestConfig.DicomDoor door = config.dicom();
        if (door.open()) {
            scp = dicom.listen(door, new DicomSupport.StoredFile() {
                @Override
                public DicomSupport.Stored stored(byte[] file, DicomSupport.Peer peer) {
                    return store(file, peer);
                }

                @Override
                public void associationRefused(DicomSupport.Peer peer, String why) {
                    DicomReceipts.record(() -> receipts.trail()
                            .recordDicom(
                                    "dicom-association",
                                    AuditOutcome.UNAUTHORISED,
                                    peer.address(),
                                    agent(peer),
                                    null,
                                    why));
                }
            });
            timer.scheduleWithFixedDelay(this::admitPending, 0, 5, TimeUnit.SECONDS);
            timer.scheduleWithFixedDelay(quarantine::expire, 0, 10, TimeUnit.MINUTES);
            boolean loopback = InetAddress.getByName(door.host()).isLoopbackAddress();
            LOG.info(
                    "DICOM Storage SCP {} listening on {}:{}{}; calling AE titles {}, hosts {}",
                    door.aeTitle(),
                    door.host(),
                    door.port(),
                    door.tls() ? " (DICOM TLS)" : "",
                    door.callingAeTitles().isEmpty() ? "any" : door.callingAeTitles(),
                    door.callingHosts().isEmpty() ? "any" : door.callingHosts());
            if (!loopback
                    && door.callingAeTitles().isEmpty()
                    && door.callingHosts().isEmpty()) {
                LOG.warn(
                        "the DICOM SCP on {}:{} lets in any calling AE title from any host: set {} and {} "
                                + "(and DICOM TLS) before go-live",
                        door.host(),
                        door.port(),
                        IngestConfig.DICOM_CALLING_AE_TITLES,
                        IngestConfig.DICOM_CALLING_HOSTS);
            }
        }
    }

    /**
     * One C-STORE, made safe before the SCP answers: admitted (Success), or refused and dead-lettered
     * (the reason, which the SCP answers as a failure status naming the tag), or — when Kafka does
     * not take it — kept in the pending folder, which a timer admits from, oldest first, until Kafka
     * is back (it survives a restart; Success: store and forward). When neither Kafka nor the disk
     * takes it, this throws and the peer is told to send again. Each receipt goes to the audit topic.
     */
    private DicomSupport.Stored store(byte[] file, DicomSupport.Peer peer) {
        String requestId = STORE + ":" + UUID.randomUUID();
        try {
            DicomReceipts.Outcome o = receipts.admitFile(file, STORE, requestId);
            receipts.audit(STORE, o, peer.address(), agent(peer), requestId);
            return o.result() instanceof Admission.Refused refused
                    ? new DicomSupport.Stored(refused.reason(), false)
                    : new DicomSupport.Stored(null, ((Admission.Admitted) o.result()).receiptTime());
        } catch (RuntimeException e) {
            pend(file, requestId, e);
            DicomReceipts.record(() -> receipts.trail()
                    .recordDicom(
                            STORE,
                            AuditOutcome.ANSWERED,
                            peer.address(),
                            agent(peer),
                            null,
                            requestId + ": kept until Kafka takes it"));
            return DicomSupport.Stored.KEPT;
        }
    }

    private static String agent(DicomSupport.Peer peer) {
        return "DICOM AE " + peer.callingAeTitle().replaceAll("[^ -~]", "?");
    }

    private void pend(byte[] file, String requestId, RuntimeException why) {
        try {
            Quarantine.privateFolder(pending);
            Path f = pending.resolve(System.currentTimeMillis() + "-" + requestId.replace(':', '_') + ".dcm");
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Quarantine.writePrivate(tmp, file);
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
            LOG.warn(
                    "C-STORE {} could not be written to Kafka now ({}); kept in {} and admitted when Kafka is back",
                    requestId,
                    why.toString(),
                    pending);
        } catch (IOException e) {
            // Neither Kafka nor the disk takes it: the association is aborted and the sender retries.
            throw new UncheckedIOException("could not keep the instance of " + requestId + " in " + pending, e);
        }
    }

    /** Admits the pending files, oldest first; stops at the first Kafka still does not take. */
    void admitPending() {
        if (!Files.isDirectory(pending)) {
            return;
        }
        List<Path> files;
        try (var listing = Files.list(pending)) {
            files = listing.filter(f -> f.getFileName().toString().endsWith(".dcm"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            LOG.warn("could not list {}: {}", pending, e.toString());
            return;
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            String requestId =
                    name.substring(name.indexOf('-') + 1, name.length() - 4).replace('_', ':');
            try {
                receipts.admitFile(Files.readAllBytes(f), STORE, requestId);
                Files.delete(f);
            } catch (RuntimeException | IOException e) {
                LOG.info("{} pending DICOM instance(s) wait for Kafka ({})", files.size(), e.toString());
                return;
            }
        }
    }

    @Override
    public void close() throws Exception {
        timer.shutdownNow();
        if (scp != null) {
            scp.close();
        }
    }
}
