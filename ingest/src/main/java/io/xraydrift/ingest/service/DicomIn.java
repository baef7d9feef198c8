package io.xraydrift.ingest.service;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.io.Content;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.javalin.http.Context;
import io.xraydrift.events.AuditOutcome;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Ingestor;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Submission;
import io.xraydrift.platform.http.BearerToken;

/**
 * DICOM in: {@code POST /studies} (STOW-RS, {@code multipart/related; type="application/dicom"})
 * and the C-STORE SCP (the DICOM door: its host, the calling AE titles and hosts it lets in, TLS),
 * both through {@link Admission}. A refused file's dead letter says why and keeps no bytes (a DICOM
 * header names the patient); the file itself is kept in ingest's quarantine folder
 * ({@value #QUARANTINE} under the state directory), named by its request id, so it can be sent again
 * once the cause is fixed; the sender is told the truth (a STOW-RS FailedSOPSequence item, a C-STORE
 * failure status naming the tag). Kafka not taking an admitted scan is answered 503 to a STOW-RS
 * sender (it retries); a C-STORE is kept on disk and admitted when Kafka is back (see {@link #store}):
 * nothing is lost. Every receipt and every refused association goes to the audit topic.
 */
final class DicomIn implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DicomIn.class);
    static final String QUARANTINE = "dicom-refused";
    static final String PENDING = "dicom-pending";
    /** Files kept in quarantine at most; past it a refused file is only dead-lettered. */
    static final int QUARANTINE_FILES = 1000;
    static final String STOW = "stow-rs";
    static final String STORE = "c-store";

    private final IngestConfig config;
    private final DicomSupport dicom;
    private final Admission admission;
    private final BearerToken token;
    private final AuditTrail audit;
    private final Ingestor ingestor;
    private final Quarantine quarantine;
    private final Path pending;
    private AutoCloseable scp;
    private final java.util.concurrent.ScheduledExecutorService timer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ingest-dicom-pending");
                t.setDaemon(true);
                return t;
            });

    DicomIn(IngestConfig config, DicomSupport dicom, Admission admission, AuditTrail audit, Ingestor ingestor) {
        this.config = config;
        this.audit = audit;
        this.ingestor = ingestor;
        this.dicom = dicom;
        this.admission = admission;
        this.token = new BearerToken(config.apiToken(), false);
        this.quarantine = new Quarantine(config.stateDir().resolve(QUARANTINE), QUARANTINE_FILES,
                config.quarantineRetention());
        this.pending = config.stateDir().resolve(PENDING);
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
                    record(() -> audit.recordDicom("dicom-association", AuditOutcome.UNAUTHORISED, peer.address(),
                            agent(peer), null, why));
                }
            });
            timer.scheduleWithFixedDelay(this::admitPending, 0, 5, java.util.concurrent.TimeUnit.SECONDS);
            timer.scheduleWithFixedDelay(quarantine::expire, 0, 10, java.util.concurrent.TimeUnit.MINUTES);
            boolean loopback = java.net.InetAddress.getByName(door.host()).isLoopbackAddress();
            LOG.info("DICOM Storage SCP {} listening on {}:{}{}; calling AE titles {}, hosts {}", door.aeTitle(),
                    door.host(), door.port(), door.tls() ? " (DICOM TLS)" : "",
                    door.callingAeTitles().isEmpty() ? "any" : door.callingAeTitles(),
                    door.callingHosts().isEmpty() ? "any" : door.callingHosts());
            if (!loopback && door.callingAeTitles().isEmpty() && door.callingHosts().isEmpty()) {
                LOG.warn("the DICOM SCP on {}:{} lets in any calling AE title from any host: set {} and {} "
                        + "(and DICOM TLS) before go-live", door.host(), door.port(),
                        IngestConfig.DICOM_CALLING_AE_TITLES, IngestConfig.DICOM_CALLING_HOSTS);
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
            Outcome o = admitFile(file, STORE, requestId);
            audit(STORE, o, peer.address(), agent(peer), requestId);
            return o.result() instanceof Admission.Refused refused ? new DicomSupport.Stored(refused.reason(), false)
                    : new DicomSupport.Stored(null, ((Admission.Admitted) o.result()).receiptTime());
        } catch (RuntimeException e) {
            pend(file, requestId, e);
            record(() -> audit.recordDicom(STORE, AuditOutcome.ANSWERED, peer.address(), agent(peer), null,
                    requestId + ": kept until Kafka takes it"));
            return DicomSupport.Stored.KEPT;
        }
    }

    private static String agent(DicomSupport.Peer peer) {
        return "DICOM AE " + peer.callingAeTitle().replaceAll("[^ -~]", "?");
    }

    /** The audit record of one receipt: the pseudonym, the instance by its keyed hash, the decision. */
    private void audit(String way, Outcome o, String address, String agent, String requestId) {
        if (o.result() instanceof Admission.Admitted a) {
            record(() -> audit.recordDicom(way, AuditOutcome.ANSWERED, address, agent, a.patient(), requestId + ": "
                    + (a.duplicate() ? "duplicate of " : "admitted as ") + "instance " + a.scanId()));
        } else if (o.result() instanceof Admission.Refused r) {
            String instance = o.sop() == null || o.sop().instance() == null ? "instance UID unread"
                    : "instance " + ingestor.scanIdOfSop(o.sop().instance());
            record(() -> audit.recordDicom(way, AuditOutcome.REFUSED, address, agent, null, requestId + ": " + instance
                    + " refused (" + r.reason().kind() + ", " + r.reason().field() + ")"));
        }
    }

    /** An audit write that Kafka does not take now is logged, not thrown: the instance is already safe. */
    private static void record(Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            LOG.warn("a DICOM audit record could not be written: {}", e.toString());
        }
    }

    private void pend(byte[] file, String requestId, RuntimeException why) {
        try {
            Quarantine.privateFolder(pending);
            Path f = pending.resolve(System.currentTimeMillis() + "-" + requestId.replace(':', '_') + ".dcm");
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Quarantine.writePrivate(tmp, file);
            Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            LOG.warn("C-STORE {} could not be written to Kafka now ({}); kept in {} and admitted when Kafka is back",
                    requestId, why.toString(), pending);
        } catch (IOException e) {
            // Neither Kafka nor the disk takes it: the association is aborted and the sender retries.
            throw new java.io.UncheckedIOException("could not keep the instance of " + requestId + " in " + pending, e);
        }
    }

    /** Admits the pending files, oldest first; stops at the first Kafka still does not take. */
    void admitPending() {
        if (!Files.isDirectory(pending)) {
            return;
        }
        List<Path> files;
        try (var listing = Files.list(pending)) {
            files = listing.filter(f -> f.getFileName().toString().endsWith(".dcm")).sorted().toList();
        } catch (IOException e) {
            LOG.warn("could not list {}: {}", pending, e.toString());
            return;
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            String requestId = name.substring(name.indexOf('-') + 1, name.length() - 4).replace('_', ':');
            try {
                admitFile(Files.readAllBytes(f), STORE, requestId);
                Files.delete(f);
            } catch (RuntimeException | IOException e) {
                LOG.info("{} pending DICOM instance(s) wait for Kafka ({})", files.size(), e.toString());
                return;
            }
        }
    }

    /** What became of one file, and its SOP class and instance UIDs when its header gave them (for the sender only). */
    private record Outcome(Admission.Result result, DicomSupport.SopRef sop) {
    }

    private Outcome admitFile(byte[] file, String way, String requestId) {
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
        return new Outcome(r, DicomSupport.SopRef.of(s.dicom() == null ? null : s.dicom().sopClassUid(),
                s.sopInstanceUid()).orElse(null));
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
            answerError(ctx, 415, "content type is not multipart/related (STOW-RS sends "
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
            answerError(ctx, 400, "the request body could not be read (" + e.getClass().getSimpleName() + ")");
            return;
        }
        if (body.length > bound) {
            admission.refuse(STOW, Admission.Named.of(STOW, requestId), new Rejected(Rejected.Kind.TOO_LARGE, "request", "STOW-RS request is over "
                    + bound + " bytes (" + IngestConfig.MAX_UPLOAD_BYTES + " plus an allowance); send fewer instances "
                    + "per request"));
            answerError(ctx, 413, "request is over " + bound + " bytes; send fewer instances per request");
            return;
        }
        List<Part> parts;
        try {
            parts = parts(boundary, body);
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
        for (Part p : parts) {
            n++;
            String partId = requestId + ":" + n;
            if (!p.type().startsWith("application/dicom")) {
                Rejected e = new Rejected(Rejected.Kind.UNSUPPORTED_TYPE, "part", "part " + n + " has type '"
                        + p.type().replaceAll("[^a-z0-9/+.-]", "?") + "'; STOW-RS parts are application/dicom");
                admission.refuse(STOW, Admission.Named.of(STOW, partId), e);
                failed.add(sop(null, 0xA900, -1));
                record(() -> audit.recordDicom(STOW, AuditOutcome.REFUSED, ctx.ip(), ctx.userAgent(), null,
                        partId + ": refused (" + e.kind() + ", " + e.field() + ")"));
                continue;
            }
            Outcome o;
            try {
                o = admitFile(p.bytes(), STOW, partId);
            } catch (RuntimeException e) {
                // Kafka did not take it: nothing of this part is kept, the sender retries the request.
                LOG.warn("STOW-RS {}: part {} could not be written ({}); answered 503", requestId, n, e.toString());
                ctx.header("Retry-After", "5");
                answerError(ctx, 503, "the scan could not be written now; send the request again");
                return;
            }
            audit(STOW, o, ctx.ip(), ctx.userAgent(), partId);
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

    /** One part of a multipart/related body. */
    record Part(String type, byte[] bytes) {
    }

    static List<Part> parts(String boundary, byte[] body) {
        List<Part> parts = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        MultiPart.Parser parser = new MultiPart.Parser(boundary, new MultiPart.Parser.Listener() {
            private String type = "application/octet-stream";
            private java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();

            @Override
            public void onPartBegin() {
                type = "application/octet-stream";
                content = new java.io.ByteArrayOutputStream();
            }

            @Override
            public void onPartHeader(String name, String value) {
                if ("content-type".equalsIgnoreCase(name) && value != null) {
                    type = value.trim().toLowerCase(Locale.ROOT);
                }
            }

            @Override
            public void onPartContent(Content.Chunk chunk) {
                ByteBuffer b = chunk.getByteBuffer().slice();
                byte[] a = new byte[b.remaining()];
                b.get(a);
                content.writeBytes(a);
                chunk.release();
            }

            @Override
            public void onPartEnd() {
                parts.add(new Part(type, content.toByteArray()));
            }

            @Override
            public void onFailure(Throwable t) {
                failure[0] = t;
            }
        });
        parser.parse(Content.Chunk.from(ByteBuffer.wrap(body), true));
        if (failure[0] != null) {
            throw new IllegalArgumentException(failure[0].getClass().getSimpleName());
        }
        return parts;
    }


    @Override
    public void close() throws Exception {
        timer.shutdownNow();
        if (scp != null) {
            scp.close();
        }
    }
}
