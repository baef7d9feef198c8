package io.xraydrift.ingest.service;

import io.javalin.http.Context;
import io.javalin.http.ServiceUnavailableResponse;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.ImageNormaliser;
import io.xraydrift.ingest.edge.Ingestor;
import io.xraydrift.ingest.edge.Pseudonyms;
import io.xraydrift.platform.AbstractService;
import io.xraydrift.platform.ServiceShell;
import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.platform.reid.IdentifierSeal;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Ingest: the intake-topic loop, {@code POST /scans}, and — when a PACS is configured — the
 * DICOMweb poller, all through the same edge ({@link Ingestor}); {@code POST /pseudonyms} answers
 * the pseudonym of a hospital identifier ({@link PatientLookup}).
 */
public final class IngestService extends AbstractService {

    /** Scan ids remembered for idempotency. */
    static final int RECENT_SCANS = 200_000;
    /** Bound on a normalised PNG: the scans topic takes 8 MiB messages, leave room for the rest of the event. */
    static final int MAX_EVENT_IMAGE_BYTES = 7 * 1024 * 1024;

    private final IngestConfig config;
    private IntakeLoop loop;
    private volatile Thread thread;
    private ScanWriter writer;
    private volatile HttpUploads uploads;
    private volatile PatientLookup lookup;
    private DicomWebPoller poller;
    private volatile DicomIn dicomIn;
    /** The DICOM toolkit, looked up once: empty where ingest was built without it. */
    private final Optional<DicomSupport> dicom = DicomSupport.available();

    public IngestService(IngestConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return IngestConfig.SERVICE;
    }

    @Override
    public void start() {
        if (dicom.isEmpty() && config.dicom().open()) {
            throw new ConfigException(IngestConfig.DICOM_PORT + " is set but ingest was "
                    + "built without DICOM support: install " + DicomSupport.PACKAGE + " and build again");
        }
        EventSerdes serdes = config.common().kafka().serdes();
        Ingestor ingestor = new Ingestor(
                new Pseudonyms(config.pseudonymKey()),
                new ImageNormaliser(config.maxImageSide(), config.maxUploadBytes()),
                config.attributes(),
                MAX_EVENT_IMAGE_BYTES,
                config.reidKey() == null ? null : IdentifierSeal.ofBase64(config.reidKey()),
                config.undated());
        RecentScans recent = new RecentScans(RECENT_SCANS);
        // The route exists from the start; uploads needs the shell's metrics, so it is set right after.
        shell = ServiceShell.start(
                config.common(),
                health,
                routes -> {
                    routes.post("/scans", ctx -> starting(ctx, uploads).post(ctx));
                    routes.post("/pseudonyms", ctx -> starting(ctx, lookup).post(ctx));
                    routes.post("/studies", ctx -> stow(ctx));
                    routes.post("/studies/{study}", ctx -> stow(ctx));
                },
                config.maxUploadBytes() + HttpUploads.METADATA_ALLOWANCE,
                config.apiToken());
        IngestCounters counters = new IngestCounters(shell.metrics().registry());
        writer = new ScanWriter(config, serdes, shell.metrics());
        Admission admission = new Admission(ingestor, writer, recent, counters);
        uploads = new HttpUploads(config, admission);
        AuditTrail audit = new AuditTrail(writer, config.common().instanceId());
        lookup = new PatientLookup(
                config.apiToken(), ingestor, audit, shell.metrics().registry());
        ImageFetcher fetcher = new ImageFetcher(
                config.fileRoot(),
                config.maxUploadBytes(),
                config.fetchHosts(),
                config.fetchPrivate(),
                ImageFetcher.DEADLINE);
        loop = new IntakeLoop(config, serdes, ingestor, fetcher, recent, counters, shell.metrics());
        health.register("intake-loop", loop::healthy);
        watchProgress(config.common(), ServiceAccess.INGEST.prefix(), Set.of(Topics.INTAKE.name()), "intake-progress");
        thread = new Thread(loop, "ingest-intake");
        thread.start();
        health.registerLiveness("intake-loop", thread::isAlive);
        if (dicom.isPresent()) {
            dicomIn = new DicomIn(config, dicom.get(), admission, audit, ingestor);
            try {
                dicomIn.start();
            } catch (IOException e) {
                throw new IllegalStateException(
                        "the DICOM C-STORE SCP could not listen on "
                                + config.dicom().host() + ":" + config.dicom().port() + ": " + e.getMessage(),
                        e);
            }
        }
        if (config.dicomWebUrl() != null) {
            poller = new DicomWebPoller(config, ingestor, admission);
            health.register("dicomweb-poller", poller::healthy);
            poller.start();
        }
    }

    /** STOW-RS, or 501 naming the package when ingest was built without DICOM support. */
    private void stow(Context ctx) {
        if (dicom.isEmpty()) {
            ctx.status(501)
                    .json(Map.of(
                            "error",
                            "ingest was built without DICOM support; install " + DicomSupport.PACKAGE
                                    + " and build again"));
            return;
        }
        starting(ctx, dicomIn).post(ctx);
    }

    @Override
    protected void stopParts() {
        if (dicomIn != null) {
            try {
                dicomIn.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the DICOM SCP failed", e);
            }
        }
        if (poller != null) {
            poller.close();
        }
        if (loop != null) {
            loop.stop();
        }
        if (writer != null) {
            writer.close();
        }
    }

    /** The part once it exists; until then (the routes are up a moment before it) a 503, not an NPE. */
    private static <T> T starting(Context ctx, T part) {
        if (part == null) {
            throw new ServiceUnavailableResponse("ingest is starting; retry in a moment");
        }
        return part;
    }
}
