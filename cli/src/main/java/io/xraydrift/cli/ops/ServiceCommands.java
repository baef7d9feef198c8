package io.xraydrift.cli.ops;

import io.xraydrift.alertout.AlertOutApp;
import io.xraydrift.drift.DriftMonitorApp;
import io.xraydrift.embedder.EmbedderApp;
import io.xraydrift.indexer.IndexerApp;
import io.xraydrift.ingest.IngestApp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;

/**
 * One command per service, each running that service's own {@code main} (the same entry point the
 * container images use). Configuration comes from the environment.
 */
public final class ServiceCommands {

    private ServiceCommands() {}

    private static Integer run(Consumer<String[]> main) {
        main.accept(new String[0]);
        return 0;
    }

    @Command(
            name = "ingest",
            mixinStandardHelpOptions = true,
            modelTransformer = ConfigReference.Keys.class,
            description = {
                "Runs the ingest service (hospital feeds in).",
                "Intake topic, HTTP and DICOMweb in; " + "pseudonymised, normalised scans out.",
                "HTTP (bearer token): POST /scans (multipart image + metadata), POST /pseudonyms {\"patientId\"} "
                        + "(the pseudonym a hospital identifier has downstream; header X-Xray-On-Behalf-Of names the "
                        + "person asking; every lookup is recorded on xray.audit before it is answered); POST /studies is STOW-RS "
                        + "(multipart/related; type=\"application/dicom\"). HTTP port default 8081.",
                "DICOM in needs Debian's libpixelmed-java at build time (libpixelmed-imageio-java at run time for "
                        + "JPEG lossless)."
            })
    public static final class Ingest implements Callable<Integer> {
        @Override
        public Integer call() {
            return run(IngestApp::main);
        }
    }

    @Command(
            name = "embedder",
            mixinStandardHelpOptions = true,
            modelTransformer = ConfigReference.Keys.class,
            description = {
                "Runs the embedder service (scans in, vectors out).",
                "DJL + PyTorch, CPU or GPU.",
                "HTTP (bearer token): POST /embed takes image/png or image/jpeg and answers the vector. HTTP port "
                        + "default 8082."
            })
    public static final class Embedder implements Callable<Integer> {
        @picocli.CommandLine.Option(
                names = "--backfill",
                description = "Replay xray.scans from the beginning under a "
                        + "consumer group of this model version, emitting vectors beside the old ones.")
        boolean backfill;

        @picocli.CommandLine.Option(
                names = "--model",
                description = "Model directory (model.json) or TorchScript "
                        + "file; default: the bundled model (same as XRAY_EMBEDDER_MODEL).")
        String model;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>();
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

    @Command(
            name = "indexer",
            mixinStandardHelpOptions = true,
            modelTransformer = ConfigReference.Keys.class,
            description = {
                "Runs the indexer service (nearest labelled neighbours).",
                "The ANN forest and each scan's " + "nearest labelled neighbours.",
                "HTTP (bearer token): GET /index, GET /scans/{scanId}/neighbours?k=36, POST /search {vector, k, "
                        + "model}. HTTP port default 8083."
            })
    public static final class Indexer implements Callable<Integer> {
        @Override
        public Integer call() {
            return run(IndexerApp::main);
        }
    }

    @Command(
            name = "alert-out",
            mixinStandardHelpOptions = true,
            modelTransformer = ConfigReference.Keys.class,
            description = {
                "Runs alert-out (alerts to the hospital).",
                "HL7 v2.5 ORU^R01 over MLLP and/or FHIR R4 "
                        + "Observation + Flag, each its own consumer of xray.alerts; a peer that is down is retried until "
                        + "it is back, a refused alert dead-lettered after XRAY_ALERT_OUT_ATTEMPTS.",
                "HTTP port default 8085 (health, metrics). See docs/hospital-integration.md."
            })
    public static final class AlertOut implements Callable<Integer> {
        @Override
        public Integer call() {
            return run(AlertOutApp::main);
        }
    }

    @Command(
            name = "drift-monitor",
            mixinStandardHelpOptions = true,
            modelTransformer = ConfigReference.Keys.class,
            description = {
                "Runs the drift monitor (trajectories and alerts).",
                "Per-patient trajectories and drift " + "alerts in Kafka Streams.",
                "HTTP (bearer token): GET /patients/{pseudonym}/trajectory, /alerts?since=, /thumbnails/{scanId}; "
                        + "web view GET /patients/{pseudonym} and / (browsers sign in once at /login with the token and "
                        + "keep a 12 h session cookie). HTTP port default 8084."
            })
    public static final class DriftMonitor implements Callable<Integer> {
        @Override
        public Integer call() {
            return run(DriftMonitorApp::main);
        }
    }
}
