package io.xraydrift.ingest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.DicomDates;
import io.xraydrift.ingest.edge.Ingestor;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Submission;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls new CR/DX instances from a PACS over DICOMweb: QIDO-RS ({@code /instances?Modality=CR&StudyDate=from-})
 * finds them, the instance metadata (DICOM JSON) gives PatientID, acquisition date/time, ViewPosition
 * and PhotometricInterpretation, WADO-RS {@code /rendered} gives the pixels as PNG. The watermark —
 * the earliest study date still polled and the SOP Instance UIDs handled since — is a file that
 * survives restarts; scan ids come from the SOP Instance UID, so a re-read instance is the same scan.
 */
final class DicomWebPoller implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DicomWebPoller.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DATE = DateTimeFormatter.BASIC_ISO_DATE;
    /** Study dates polled back from the newest seen: late arrivals within this window are still found. */
    private static final int WINDOW_DAYS = 2;

    private final IngestConfig config;
    private final Ingestor ingestor;
    private final Admission admission;
    private final String base;
    private final String source;
    private final Path watermarkFile;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ingest-dicomweb");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    /** SOP Instance UID → study date (yyyyMMdd) of instances handled. */
    private final Map<String, String> handled = new TreeMap<>();
    /** The DICOM attributes the poller reads, as DICOMweb JSON keys (group and element, hex). */
    private static final class Tag {
        static final String SOP_INSTANCE_UID = "00080018";
        static final String STUDY_INSTANCE_UID = "0020000D";
        static final String SERIES_INSTANCE_UID = "0020000E";
        static final String STUDY_DATE = "00080020";
        static final String PATIENT_ID = "00100020";
        static final String ACCESSION_NUMBER = "00080050";
        static final String SOP_CLASS_UID = "00080016";
        static final String VIEW_POSITION = "00185101";
        static final String MODALITY = "00080060";
        static final String ACQUISITION_DATE = "00080022";
        static final String ACQUISITION_TIME = "00080032";
        static final String CONTENT_DATE = "00080023";
        static final String CONTENT_TIME = "00080033";
        static final String STUDY_TIME = "00080030";

        private Tag() {}
    }

    /**
     * Earliest study date polled until instances are seen. De-identified data sets set dates to a
     * placeholder (RSNA's files say 1901-01-01), so the first window reaches back that far.
     */
    private volatile String from = "19000101";

    DicomWebPoller(IngestConfig config, Ingestor ingestor, Admission admission) {
        this.config = config;
        this.ingestor = ingestor;
        this.admission = admission;
        String url = config.dicomWebUrl().toString();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.source = "dicomweb:" + config.dicomWebName();
        this.watermarkFile = config.stateDir().resolve("dicomweb-" + config.dicomWebName() + ".watermark.json");
        load();
    }

    void start() {
        timer.scheduleWithFixedDelay(this::pollSafely, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("polling {} every {} for CR/DX instances (study dates from {})", base, config.pollInterval(), from);
    }

    boolean healthy() {
        return healthy.get();
    }

    private void pollSafely() {
        try {
            poll();
            healthy.set(true);
        } catch (IOException e) {
            healthy.set(false);
            LOG.warn("DICOMweb poll of {} failed: {}", base, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            healthy.set(false);
            LOG.error("DICOMweb poll of {} failed", base, e);
        }
    }

    /** One pass: every CR/DX instance with a study date in the window that was not handled yet. */
    void poll() throws IOException, InterruptedException {
        int found = 0;
        for (String modality : List.of("CR", "DX")) {
            JsonNode list = getJson(base + "/instances?Modality=" + modality + "&StudyDate=" + from + "-"
                    + "&includefield=00080018&includefield=0020000D&includefield=0020000E&includefield=00080020");
            for (JsonNode inst : list) {
                String sop = value(inst, Tag.SOP_INSTANCE_UID);
                if (sop == null || handled.containsKey(sop)) {
                    continue;
                }
                found++;
                try {
                    handle(
                            value(inst, Tag.STUDY_INSTANCE_UID),
                            value(inst, Tag.SERIES_INSTANCE_UID),
                            sop,
                            value(inst, Tag.STUDY_DATE));
                    failures.remove(sop);
                } catch (IOException e) {
                    // One instance the PACS does not serve (a 500 on its metadata, a cut connection) must
                    // not stop every poll: it is tried again on the next polls, then dead-lettered.
                    failed(sop, value(inst, Tag.STUDY_DATE), "the PACS did not serve it: " + e.getMessage());
                }
            }
        }
        if (found > 0) {
            advance();
            save();
        }
    }

    private void handle(String study, String series, String sop, String studyDate)
            throws IOException, InterruptedException {
        String path = base + "/studies/" + enc(study) + "/series/" + enc(series) + "/instances/" + enc(sop);
        // Logs and dead letters name the instance by its scan id (a keyed hash of the SOP Instance UID),
        // never by its UIDs: those identify a patient's study outside ingest.
        String scanId = ingestor.scanIdOfSop(sop);
        String requestId = "dicomweb:" + config.dicomWebName() + ":" + scanId;
        byte[] png = null;
        try {
            JsonNode meta = getJson(path + "/metadata").path(0);
            HttpResponse<byte[]> r = http.send(
                    HttpRequest.newBuilder(URI.create(path + "/rendered"))
                            .header("Accept", "image/png")
                            .timeout(Duration.ofSeconds(60))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw Rejected.invalid("image", "WADO-RS rendered frame answered HTTP " + r.statusCode());
            }
            png = r.body();
            Instant now = Instant.now();
            // No plausible date (a de-identified 1901-01-01): null, and ingest's undated policy decides.
            Instant acquired = DicomDates.plausible(acquired(meta), now);
            Submission s = new Submission(
                    value(meta, Tag.PATIENT_ID),
                    acquired,
                    source,
                    view(value(meta, Tag.VIEW_POSITION)),
                    value(meta, Tag.MODALITY),
                    sop,
                    png,
                    // The rendered frame is already for display (MONOCHROME1 inverted by the PACS).
                    "MONOCHROME2",
                    null,
                    null,
                    Map.of(),
                    new Submission.DicomRefs(
                            value(meta, Tag.ACCESSION_NUMBER),
                            value(meta, Tag.STUDY_INSTANCE_UID),
                            value(meta, Tag.SERIES_INSTANCE_UID),
                            value(meta, Tag.SOP_CLASS_UID)));
            admission.admit(s, "dicomweb", named(requestId, scanId, png));
        } catch (Rejected e) {
            admission.refuse("dicomweb", named(requestId, scanId, png), e);
        }
        handled.put(sop, studyDate == null ? from : studyDate);
    }

    /** A poller's dead letter names the instance by its scan id and the PACS, keeping the rendered PNG. */
    private Admission.Named named(String requestId, String scanId, byte[] png) {
        return new Admission.Named(
                requestId, "DICOMweb instance " + scanId + " from " + config.dicomWebName() + ": ", png);
    }

    /** Attempts per instance the PACS does not serve before it is dead-lettered. */
    static final int ATTEMPTS = 3;

    private final Map<String, Integer> failures = new HashMap<>();

    private void failed(String sop, String studyDate, String why) {
        String scanId = ingestor.scanIdOfSop(sop);
        int n = failures.merge(sop, 1, Integer::sum);
        if (n < ATTEMPTS) {
            LOG.warn(
                    "DICOMweb instance {} from {}: attempt {} of {} failed, {}",
                    scanId,
                    config.dicomWebName(),
                    n,
                    ATTEMPTS,
                    why);
            return;
        }
        failures.remove(sop);
        String requestId = "dicomweb:" + config.dicomWebName() + ":" + scanId;
        admission.refuse(
                "dicomweb",
                named(requestId, scanId, null),
                Rejected.invalid("image", ATTEMPTS + " attempts failed, " + why));
        handled.put(sop, studyDate == null ? from : studyDate);
    }

    /** Moves the window's start to WINDOW_DAYS before the newest study date handled; forgets older UIDs. */
    private void advance() {
        String newest = handled.values().stream().max(String::compareTo).orElse(from);
        try {
            String start = LocalDate.parse(newest, DATE).minusDays(WINDOW_DAYS).format(DATE);
            if (start.compareTo(from) > 0) {
                from = start;
                handled.values().removeIf(d -> d.compareTo(from) < 0);
            }
        } catch (DateTimeParseException e) {
            LOG.warn("study date '{}' is not yyyyMMdd; watermark stays at {}", newest, from);
        }
    }

    /** AcquisitionDate/Time, else ContentDate/Time, else StudyDate/Time — read as UTC. */
    static Instant acquired(JsonNode meta) throws Rejected {
        return DicomDates.acquired(
                value(meta, Tag.ACQUISITION_DATE),
                value(meta, Tag.ACQUISITION_TIME),
                value(meta, Tag.CONTENT_DATE),
                value(meta, Tag.CONTENT_TIME),
                value(meta, Tag.STUDY_DATE),
                value(meta, Tag.STUDY_TIME));
    }

    private static ViewPosition view(String raw) {
        if (raw == null) {
            return ViewPosition.UNKNOWN;
        }
        return switch (raw.trim().toUpperCase(Locale.ROOT)) {
            case "PA" -> ViewPosition.PA;
            case "AP" -> ViewPosition.AP;
            case "LL", "RL", "LAT", "LATERAL" -> ViewPosition.LATERAL;
            default -> ViewPosition.UNKNOWN;
        };
    }

    /** A DICOM JSON attribute's first value as text (PersonName's Alphabetic form). */
    static String value(JsonNode node, String tag) {
        JsonNode v = node.path(tag).path("Value").path(0);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        return v.isObject() ? v.path("Alphabetic").asText(null) : v.asText();
    }

    private JsonNode getJson(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Accept", "application/dicom+json")
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 204 || r.body().isBlank()) {
            return JSON.createArrayNode();
        }
        if (r.statusCode() != 200) {
            throw new IOException(url + " answered HTTP " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void load() {
        if (!Files.exists(watermarkFile)) {
            return;
        }
        try {
            JsonNode w = JSON.readTree(watermarkFile.toFile());
            from = w.path("from").asText(from);
            w.path("handled")
                    .fields()
                    .forEachRemaining(e -> handled.put(e.getKey(), e.getValue().asText()));
            LOG.info(
                    "DICOMweb watermark {}: study dates from {}, {} instances handled",
                    watermarkFile,
                    from,
                    handled.size());
        } catch (IOException e) {
            LOG.warn("DICOMweb watermark {} is unreadable ({}); polling from {}", watermarkFile, e.toString(), from);
        }
    }

    private void save() throws IOException {
        Files.createDirectories(watermarkFile.getParent());
        ObjectNode w = JSON.createObjectNode();
        w.put("from", from);
        ObjectNode h = w.putObject("handled");
        handled.forEach(h::put);
        Path tmp = watermarkFile.resolveSibling(watermarkFile.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), w);
        Files.move(tmp, watermarkFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
