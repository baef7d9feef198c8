package io.xraydrift.cli.ops;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

import io.xraydrift.drift.DriftMonitorApp;
import io.xraydrift.embedder.EmbedderApp;
import io.xraydrift.indexer.IndexerApp;
import io.xraydrift.ingest.IngestApp;
import picocli.CommandLine.Command;

/**
 * One command per service, each running that service's own {@code main} (the same entry point the
 * container images use). Configuration comes from the environment.
 */
public final class ServiceCommands {

    private static final String COMMON = "Common: XRAY_KAFKA_BOOTSTRAP_SERVERS (127.0.0.1:9092), XRAY_REGISTRY_URL "
            + "(http://127.0.0.1:8080), XRAY_REGISTRY_PATIENCE (15s), XRAY_HTTP_HOST (0.0.0.0), XRAY_HTTP_PORT, "
            + "XRAY_INSTANCE_ID, "
            + "XRAY_TOPIC_REPLICATION_FACTOR (1), XRAY_KAFKA_CLIENT_* (passed to Kafka clients), XRAY_CONFIG_FILE.";

    private ServiceCommands() {
    }

    private static Integer run(Consumer<String[]> main) {
        main.accept(new String[0]);
        return 0;
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = {"Runs the ingest service (hospital feeds in).", "Intake topic, HTTP and DICOMweb in; "
                + "pseudonymised, normalised scans out.",
                "HTTP (bearer token): POST /scans (multipart image + metadata), POST /pseudonyms {\"patientId\"} "
                + "(the pseudonym a hospital identifier has downstream; header X-Xray-On-Behalf-Of names the "
                + "person asking; every lookup is recorded on xray.audit before it is answered).", "",
                "Keys: XRAY_PSEUDONYM_KEY (required unless XRAY_DEMO_MODE=true; >= 32 chars), XRAY_API_TOKEN "
                + "(required unless demo), XRAY_DEMO_MODE (false), XRAY_INGEST_MAX_IMAGE_SIDE (1024), "
                + "XRAY_INGEST_MAX_UPLOAD_BYTES (33554432), XRAY_INGEST_ATTRIBUTES (ward,station,demo_trajectory), "
                + "XRAY_INGEST_FILE_ROOT, XRAY_INGEST_FETCH_HOSTS, XRAY_INGEST_FETCH_PRIVATE (false), "
                + "XRAY_INGEST_STATE_DIR (data/ingest), XRAY_DICOMWEB_URL (PACS to poll), XRAY_DICOMWEB_NAME (pacs), "
                + "XRAY_DICOMWEB_POLL_INTERVAL (5s), XRAY_DICOM_PORT (0: no C-STORE SCP), XRAY_DICOM_AE_TITLE "
                + "(XRAYDRIFT). HTTP port default 8081; POST /studies is STOW-RS (multipart/related; "
                + "type=\"application/dicom\"). DICOM in needs Debian's libpixelmed-java at build time (libpixelmed-imageio-java at run time for JPEG lossless).",
                "", COMMON})
    public static final class Ingest implements Callable<Integer> {
        @Override
        public Integer call() {
            return run(IngestApp::main);
        }
    }

    @Command(name = "embedder", mixinStandardHelpOptions = true,
            description = {"Runs the embedder service (scans in, vectors out).", "DJL + PyTorch, CPU or GPU.", "",
                "Keys: XRAY_EMBEDDER_MODEL (bundled default), XRAY_EMBEDDER_DEVICE (auto|cpu|gpu), "
                + "XRAY_EMBEDDER_MAX_BATCH (16), XRAY_EMBEDDER_MAX_WAIT (50ms), XRAY_EMBEDDER_THREADS (cores); for a "
                + "bare TorchScript model XRAY_EMBEDDER_INPUT_SIZE (224), XRAY_EMBEDDER_MEAN (0.449), "
                + "XRAY_EMBEDDER_STD (0.226); XRAY_EMBEDDER_BACKFILL (false); XRAY_API_TOKEN (required unless "
                + "XRAY_DEMO_MODE=true). HTTP port default 8082; POST /embed "
                + "takes image/png or image/jpeg and answers the vector.", "", COMMON})
    public static final class Embedder implements Callable<Integer> {
        @picocli.CommandLine.Option(names = "--backfill", description = "Replay xray.scans from the beginning under a "
                + "consumer group of this model version, emitting vectors beside the old ones.")
        boolean backfill;

        @picocli.CommandLine.Option(names = "--model", description = "Model directory (model.json) or TorchScript "
                + "file; default: the bundled model (same as XRAY_EMBEDDER_MODEL).")
        String model;

        @Override
        public Integer call() {
            java.util.List<String> args = new java.util.ArrayList<>();
            if (backfill) {
                args.add("--backfill");
            }
            if (model != null) {
                args.add("--model");
                args.add(model);
            }
            EmbedderApp.main(args.toArray(String[]::new));
            return 0;
        }
    }

    @Command(name = "indexer", mixinStandardHelpOptions = true,
            description = {"Runs the indexer service (nearest labelled neighbours).", "The ANN forest and each scan's "
                + "nearest labelled neighbours.", "",
                "Keys: XRAY_INDEXER_K (36), XRAY_INDEXER_TREES (20), XRAY_INDEXER_SEARCH_K (k*trees), "
                + "XRAY_INDEXER_METRIC (angular|euclidean), XRAY_INDEXER_SNAPSHOT_DIR (data/indexer), "
                + "XRAY_INDEXER_REBUILD_FRACTION (0.1), XRAY_INDEXER_REBUILD_INTERVAL (5m), "
                + "XRAY_INDEXER_SNAPSHOT_INTERVAL (5m), XRAY_SCORE_INFECTED_THRESHOLD (0.15), "
                + "XRAY_SCORE_SEVERE_THRESHOLD (0.55), XRAY_SCORE_AXIS_WEIGHT (0.3), XRAY_INDEXER_MIN_COHORT (k), XRAY_API_TOKEN (required unless "
                + "XRAY_DEMO_MODE=true). HTTP port default 8083: GET /index, GET /scans/{scanId}/neighbours?k=36, "
                + "POST /search {vector, k, model}, all with 'Authorization: Bearer <token>'.",
                "", COMMON})
    public static final class Indexer implements Callable<Integer> {
        @Override
        public Integer call() {
            return run(IndexerApp::main);
        }
    }

    @Command(name = "alert-out", mixinStandardHelpOptions = true,
            description = {"Runs alert-out (alerts to the hospital).", "HL7 v2.5 ORU^R01 over MLLP and/or FHIR R4 "
                + "Observation + Flag, each its own consumer of xray.alerts; a peer that is down is retried until "
                + "it is back, a refused alert dead-lettered after XRAY_ALERT_OUT_ATTEMPTS.", "",
                "Keys (one peer at least): XRAY_HL7_HOST, XRAY_HL7_PORT (2575), XRAY_HL7_RECEIVING_APPLICATION (EHR), "
                + "XRAY_HL7_RECEIVING_FACILITY (HOSPITAL), XRAY_HL7_TIMEOUT (30s); XRAY_FHIR_URL, XRAY_FHIR_TOKEN, "
                + "XRAY_FHIR_FLAG (true); XRAY_ALERT_OUT_ATTEMPTS (5), XRAY_ALERT_OUT_MAX_BACKOFF (30s), "
                + "XRAY_ALERT_OUT_FROM_START (true). HTTP port default 8085 (health, metrics). "
                + "See docs/hospital-integration.md.", "", COMMON})
    public static final class AlertOut implements Callable<Integer> {
        @Override
        public Integer call() {
            return run(io.xraydrift.alertout.AlertOutApp::main);
        }
    }

    @Command(name = "drift-monitor", mixinStandardHelpOptions = true,
            description = {"Runs the drift monitor (trajectories and alerts).", "Per-patient trajectories and drift "
                + "alerts in Kafka Streams.",
                "HTTP (bearer token): GET /patients/{pseudonym}/trajectory, /alerts?since=, /thumbnails/{scanId}; "
                + "web view GET /patients/{pseudonym} and / (browsers sign in once at /login with the token and "
                + "keep a 12 h session cookie).", "",
                "Keys: XRAY_SCORE_INFECTED_THRESHOLD (0.15), XRAY_SCORE_SEVERE_THRESHOLD (0.55) (shared with the indexer; "
                + "the former XRAY_DRIFT_INFECTED_THRESHOLD / XRAY_DRIFT_SEVERE_THRESHOLD still read), "
                + "XRAY_DRIFT_HYSTERESIS (0.05), XRAY_DRIFT_WORSENING_WINDOW (4), XRAY_DRIFT_WORSENING_RISE (0.15), "
                + "XRAY_DRIFT_CONFIRM_SCANS (2), XRAY_DRIFT_BASELINE_JUMP ("
                + io.xraydrift.drift.DriftMonitorConfig.DEFAULT_BASELINE_JUMP + "), XRAY_DRIFT_BASELINE_DRIFT ("
                + io.xraydrift.drift.DriftMonitorConfig.DEFAULT_BASELINE_DRIFT + "), "
                + "XRAY_DRIFT_STANDBY_REPLICAS (0), XRAY_DRIFT_EVIDENCE_SCANS (32), XRAY_DRIFT_ALERT_RETENTION (90d), "
                + "XRAY_DRIFT_STATE_DIR (data/drift-monitor), XRAY_DRIFT_APPLICATION_ID (xray-drift-monitor), "
                + "XRAY_ADVERTISED_HOST (where other instances reach this one), XRAY_DRIFT_PEER_TOKEN (required unless "
                + "demo), XRAY_DRIFT_PEERS (hosts queries are routed to), XRAY_API_TOKEN (required unless demo). "
                + "HTTP port default 8084.", "", COMMON})
    public static final class DriftMonitor implements Callable<Integer> {
        @Override
        public Integer call() {
            return run(DriftMonitorApp::main);
        }
    }
}
