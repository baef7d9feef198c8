package io.xraydrift.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xraydrift.cli.ops.CohortCommand;
import io.xraydrift.cli.ops.CohortLoader;
import io.xraydrift.cli.ops.LocalRun;
import io.xraydrift.drift.DriftMonitorConfig;
import io.xraydrift.drift.DriftMonitorService;
import io.xraydrift.drift.rule.Alert;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.embedder.service.EmbedderService;
import io.xraydrift.events.AlertKind;
import io.xraydrift.events.Level;
import io.xraydrift.events.LevelCounts;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.indexer.service.IndexerService;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Pseudonyms;
import io.xraydrift.ingest.service.IngestService;
import io.xraydrift.phantoms.Manifest;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.Service;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.score.LevelThresholds;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.TempDirs;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job on the embedded default: the local stack, the four services in this JVM (the same
 * classes their own mains run), a labelled reference cohort of phantoms through the intake topic,
 * then synthetic patients in accelerated time through the intake topic and HTTP — with live
 * counters, one line per alert, the web view's URL and, with {@code --exit-when-done}, a summary.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the whole pipeline on this machine with nothing to configure.",
            "Starts the local stack (real KRaft broker + real Apicurio Registry) and ingest, embedder, indexer and "
                    + "drift monitor in this JVM; seeds a labelled reference cohort of phantoms (imbalanced like the "
                    + "published study) through the intake topic; then streams synthetic patients (worsening, stable, "
                    + "improving, fluctuating) in accelerated time — one scan per patient per --interval, a day apart in "
                    + "acquisition time — through the intake topic and, for every fourth patient, HTTP uploads.",
            "Prints live counters, each drift alert as one line, and the web view's URL. Ctrl-C stops everything and "
                    + "removes the data. With --exit-when-done it stops by itself and prints a summary per trajectory: "
                    + "patients, alerts, and the time from a triggering scan's submission to its alert (median, p99). "
                    + "Exit code 0 when every worsening patient was alerted and no stable one was."
        })
public final class DemoCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(
            names = "--cohort",
            defaultValue = "150,60,60",
            description = "Labelled reference cohort: phantom counts healthy,infected,severe, or a labelled folder "
                    + "(manifest.csv, e.g. ../shared/real-cxr/dev) loaded through ingest's HTTP API as 'cohort load' "
                    + "does (default: ${DEFAULT-VALUE}).")
    String cohort;

    @Option(
            names = "--patients-dir",
            description = "Real patient series instead of synthetic patients: a folder whose "
                    + "manifest.csv has patient, acquired_at and trajectory (e.g. ../shared/real-cxr/dev/trajectories). Their "
                    + "patients are left out of a --cohort folder, so nobody is scored against their own films.")
    Path patientsDir;

    @Option(names = "--patients", defaultValue = "8", description = "Synthetic patients (default: ${DEFAULT-VALUE}).")
    int patients;

    @Option(
            names = "--scans-per-patient",
            defaultValue = "8",
            description = "Scans per patient (default: ${DEFAULT-VALUE}).")
    int scansPerPatient;

    @Option(
            names = "--interval",
            defaultValue = "1s",
            description = "Wall time between a patient's scans, each a day later in acquisition time "
                    + "(default: ${DEFAULT-VALUE}; e.g. 500ms, 2s).")
    String interval;

    @Option(
            names = "--exit-when-done",
            description = "Stop once every patient scan went through the drift monitor "
                    + "and print a summary (exit code 0 when every worsening patient alerted and no stable one did).")
    boolean exitWhenDone;

    @Option(
            names = "--result",
            paramLabel = "FILE",
            description = "With --exit-when-done, also write what the run "
                    + "saw as JSON for scripted checks: each (pseudonymised) patient's trajectory kind, every scored scan id, "
                    + "every alert with its reason and the scan ids of its evidence.")
    Path result;

    @Option(
            names = "--hospital",
            description = "Also run the hospital path: every fourth patient's films come from "
                    + "a PACS by C-STORE (dcmtk's img2dcm and storescu) to ingest's DICOM SCP, and alert-out files each alert "
                    + "in an EHR this command starts — an MLLP peer (HAPI v2) that prints and acknowledges each ORU^R01 and a "
                    + "FHIR R4 server (HAPI FHIR) that stores each Observation and Flag. Needs dcmtk and ingest built with "
                    + "DICOM support (libpixelmed-java). With --exit-when-done the exit code also needs every alert delivered "
                    + "to both.")
    boolean hospital;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Path cohortDir = Path.of(cohort);
        boolean realCohort = Files.isDirectory(cohortDir);
        LevelCounts counts = realCohort ? null : parseCohort(cohort);
        List<DemoScan> realSeries = patientsDir == null ? null : DemoScan.series(patientsDir);
        Duration step = Settings.of(Map.of("interval", interval))
                .duration("interval", Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(10));
        List<Path> temp = new ArrayList<>();
        Map<String, String> names = new ConcurrentHashMap<>();
        long began = System.nanoTime();
        try (LocalRun run = LocalRun.start(out);
                DemoHospital ehr = hospital ? DemoHospital.start(p -> names.getOrDefault(p, p), out) : null) {
            Settings settings = serviceSettings(run, temp, !realCohort);
            IngestService ingest =
                    new IngestService(IngestConfig.from(ehr == null ? settings : settings.with(ehr.ingestSettings())));
            EmbedderService embedder = new EmbedderService(EmbedderConfig.from(
                    settings.with(Map.of(EmbedderConfig.DEVICE.name(), "cpu", EmbedderConfig.MAX_BATCH.name(), "16"))));
            IndexerService indexer = new IndexerService(IndexerConfig.from(settings));
            DriftMonitorService drift = new DriftMonitorService(DriftMonitorConfig.from(settings));
            for (Service s : List.of(ingest, embedder, indexer, drift)) {
                run.closeFirst(s); // closed before the stack, also on Ctrl-C/SIGTERM (the run's shutdown hook)
                s.start();
            }
            String token = Settings.DEMO_API_TOKEN;
            printAddresses(ingest, embedder, indexer, drift, token, out);
            if (ehr != null) {
                ehr.startAlertOut(settings);
                ehr.printAddresses(out);
            }
            run.printConnectionHelp(out);

            Pseudonyms pseudonyms = new Pseudonyms(IngestConfig.DEMO_PSEUDONYM_KEY);
            List<PhantomSet.Item> phantomSeries =
                    realSeries != null ? null : PhantomSet.trajectories(patients, scansPerPatient, 515151, 0.15);
            // Phantom images are rendered once the cohort is in (names and kinds need only the items).
            List<DemoScan> series = realSeries != null ? realSeries : DemoScan.phantoms(phantomSeries, null);
            Map<String, String> kinds = new LinkedHashMap<>();
            nameThePatients(series, pseudonyms, names, kinds);
            Map<String, Long> submitted = new ConcurrentHashMap<>();
            try (DemoMonitor monitor = new DemoMonitor(
                            run.kafka(), out, p -> names.getOrDefault(p, p.substring(0, 10)), submitted);
                    DemoFeed feed = new DemoFeed(run.kafka(), ingest.httpPort(), token)) {
                monitor.start();
                int referenceScans = realCohort
                        ? loadCohort(cohortDir, series, ingest.httpPort(), indexer.httpPort(), token, out)
                        : seedCohort(feed, counts, indexer.httpPort(), token, out);
                if (phantomSeries != null) {
                    series = DemoScan.phantoms(phantomSeries, feed.render(phantomSeries));
                }
                stream(feed, ehr, series, pseudonyms, submitted, step, out);
                out.printf(
                        "Web view of a patient: http://127.0.0.1:%d/patients/%s?token=%s%n",
                        drift.httpPort(), names.keySet().iterator().next(), token);
                if (!exitWhenDone) {
                    out.println("Streaming done; the services keep running. Ctrl-C stops everything and removes "
                            + "the data.");
                    run.awaitStop();
                    return 0;
                }
                int code =
                        finish(monitor, series, pseudonyms, names, kinds, series.size() + referenceScans, began, out);
                return ehr == null || delivered(ehr, monitor.alerts().size(), out) ? code : 1;
            }
        } finally {
            temp.forEach(TempDirs::deleteQuietly);
        }
    }

    private static void printAddresses(
            IngestService ingest,
            EmbedderService embedder,
            IndexerService indexer,
            DriftMonitorService drift,
            String token,
            PrintStream out) {
        String web = "http://127.0.0.1:" + drift.httpPort() + "/?token=" + token;
        out.printf(
                "  %-14s http://127.0.0.1:%d  POST /scans, /pseudonyms (Bearer %s)%n",
                "ingest", ingest.httpPort(), token);
        out.printf("  %-14s http://127.0.0.1:%d  POST /embed%n", "embedder", embedder.httpPort());
        out.printf(
                "  %-14s http://127.0.0.1:%d  GET /index, /scans/{id}/neighbours, POST /search%n",
                "indexer", indexer.httpPort());
        out.printf(
                "  %-14s http://127.0.0.1:%d  GET /patients/{id}, /alerts; web view: %s%n",
                "drift-monitor", drift.httpPort(), web);
    }

    /** Each patient's pseudonym with a readable name ("worsening #2") and trajectory kind, in series order. */
    private static void nameThePatients(
            List<DemoScan> series, Pseudonyms pseudonyms, Map<String, String> names, Map<String, String> kinds) {
        Map<String, Integer> numbers = new HashMap<>();
        for (DemoScan item : series) {
            String p = pseudonyms.patient(item.patient());
            if (!names.containsKey(p)) {
                int n = numbers.merge(item.trajectory(), 1, Integer::sum);
                names.put(p, item.trajectory() + " #" + n);
                kinds.put(p, item.trajectory());
            }
        }
    }

    /** Waits for the drift monitor, writes --result, prints the summary; the exit code. */
    private int finish(
            DemoMonitor monitor,
            List<DemoScan> series,
            Pseudonyms pseudonyms,
            Map<String, String> names,
            Map<String, String> kinds,
            int scans,
            long began,
            PrintStream out)
            throws Exception {
        Map<String, Integer> expected = new HashMap<>();
        series.forEach(x -> expected.merge(pseudonyms.patient(x.patient()), 1, Integer::sum));
        boolean complete = awaitDrift(monitor, expected, out);
        Thread.sleep(1500);
        monitor.progress(true);
        if (result != null) {
            DemoResult.of(kinds, monitor.scored(), monitor.alerts()).write(result);
            out.println("Result written to " + result);
        }
        boolean ok = DemoSummary.print(out, kinds, names, monitor.alerts(), (System.nanoTime() - began) / 1e9, scans);
        return complete && ok ? 0 : 1;
    }

    private static LevelCounts parseCohort(String cohort) {
        String[] parts = cohort.split(",");
        try {
            if (parts.length == 3) {
                return new LevelCounts(
                        Integer.parseInt(parts[0].trim()),
                        Integer.parseInt(parts[1].trim()),
                        Integer.parseInt(parts[2].trim()));
            }
        } catch (IllegalArgumentException notCounts) { // NumberFormatException included
            // answered below
        }
        throw new IllegalArgumentException(
                "--cohort=" + cohort + " must be three counts of 0 or more (healthy,infected,severe) or a folder");
    }

    /**
     * The score levels for a phantom reference cohort, fitted for the bundled model on phantoms
     * (`crossval --data PHANTOMS --model default`: Youden's J on held-out folds, 540 phantoms of
     * another seed, mean of ten folds: 0.107 / 0.641). The model's own levels (its card) are fitted
     * on real films, whose neighbours are rarely all of one level: with them a phantom patient whose
     * 36 neighbours are all infected (score about 0.5) would be called severe. A --cohort folder of
     * real films keeps the model's levels.
     */
    static final double PHANTOM_INFECTED = 0.107;

    static final double PHANTOM_SEVERE = 0.641;

    private static Settings serviceSettings(LocalRun run, List<Path> temp, boolean phantomCohort) {
        Map<String, String> s = new HashMap<>(LocalRun.settings(run.stack()));
        if (phantomCohort) {
            s.put(LevelThresholds.INFECTED.name(), Double.toString(PHANTOM_INFECTED));
            s.put(LevelThresholds.SEVERE.name(), Double.toString(PHANTOM_SEVERE));
        }
        s.put(ServiceConfig.HTTP_HOST.name(), "127.0.0.1");
        s.put(ServiceConfig.HTTP_PORT.name(), "0");
        s.put(ServiceConfig.INSTANCE_ID.name(), "demo");
        s.put(Settings.DEMO_MODE.name(), "true");
        Path index = TempDirs.create("xray-demo-index");
        Path drift = TempDirs.create("xray-demo-drift");
        Path ingest = TempDirs.create("xray-demo-ingest");
        temp.addAll(List.of(index, drift, ingest));
        s.put(IndexerConfig.SNAPSHOT_DIR.name(), index.toString());
        s.put(DriftMonitorConfig.STATE_DIR.name(), drift.toString());
        s.put(IngestConfig.STATE_DIR.name(), ingest.toString());
        return Settings.of(s);
    }

    /** The labelled phantom cohort through the intake topic; returns its size once the indexer holds all of it. */
    private static int seedCohort(DemoFeed feed, LevelCounts counts, int indexerPort, String token, PrintStream out)
            throws Exception {
        List<PhantomSet.Item> reference =
                PhantomSet.labelled(counts.healthy(), counts.infected(), counts.severe(), 424242, 0.15);
        byte[][] pngs = feed.render(reference);
        for (int i = 0; i < reference.size(); i++) {
            feed.publish(
                    reference.get(i),
                    pngs[i],
                    Level.valueOf(reference.get(i).grade().name()));
        }
        feed.flush();
        out.printf(
                "Seeding the labelled reference cohort through %s: %d healthy, %d infected, %d severe phantoms...%n",
                Topics.INTAKE.name(), counts.healthy(), counts.infected(), counts.severe());
        out.printf(
                "Levels for a phantom cohort: infected from %.3f, severe from %.3f (fitted on phantoms; the model's own, "
                        + "fitted on real films, apply with --cohort DIR).%n",
                PHANTOM_INFECTED, PHANTOM_SEVERE);
        awaitIndexed(indexerPort, token, reference.size(), out);
        return reference.size();
    }

    /**
     * A labelled folder as the reference cohort, through ingest's HTTP API (the patients streamed as
     * series left out); returns once the indexer holds what ingest took. Returns the scans sent.
     */
    private static int loadCohort(
            Path dir, List<DemoScan> series, int ingestPort, int indexerPort, String token, PrintStream out)
            throws Exception {
        Set<String> streamed = new HashSet<>();
        series.forEach(s -> streamed.add(s.patient()));
        List<Manifest.Entry> rows = Manifest.read(dir).stream()
                .filter(e -> !streamed.contains(e.patient()))
                .toList();
        out.printf(
                "Loading the labelled reference cohort from %s through ingest's POST /scans: %d scans (%d patients "
                        + "of the series left out)...%n",
                dir, rows.size(), streamed.size());
        CohortLoader.Result r = new CohortLoader("http://127.0.0.1:" + ingestPort, token, System.err)
                .load(rows, "cohort:" + dir.toAbsolutePath().normalize().getFileName(), 4);
        CohortCommand.print(r, rows.size());
        awaitIndexed(indexerPort, token, r.accepted() + r.duplicates(), out);
        return rows.size();
    }

    /** Waits (up to 5 minutes) until the indexer holds {@code wanted} labelled scans. */
    private static void awaitIndexed(int indexerPort, String token, int wanted, PrintStream out) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        int labelled = 0;
        while (labelled < wanted && System.nanoTime() < deadline) {
            Thread.sleep(500);
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + indexerPort + "/index"))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode models = JSON.readTree(r.body()).path("models");
            labelled = models.size() == 0 ? 0 : models.get(0).path("labelled").asInt();
        }
        out.printf("Reference cohort indexed: %d labelled scans.%n", labelled);
    }

    /**
     * Whether the EHR took every alert (waiting up to a minute for alert-out); prints the hospital
     * path's summary.
     */
    private static boolean delivered(DemoHospital ehr, int alerts, PrintStream out) throws InterruptedException {
        boolean all = ehr.awaitDelivered(alerts, Duration.ofMinutes(1));
        out.println(ehr.summary());
        if (!all) {
            out.printf(
                    "  not every alert reached the EHR: %d alerts, %d ORU^R01, %d Observations%n",
                    alerts, ehr.messages(), ehr.observations());
        }
        return all && ehr.filmsStored() > 0;
    }

    /**
     * One scan per patient per step, in acquisition order; every fourth patient uploads over HTTP
     * and, with the hospital path, another fourth comes from the PACS by C-STORE.
     */
    private static void stream(
            DemoFeed feed,
            DemoHospital ehr,
            List<DemoScan> series,
            Pseudonyms pseudonyms,
            Map<String, Long> submitted,
            Duration step,
            PrintStream out)
            throws Exception {
        Map<String, List<DemoScan>> byPatient = new LinkedHashMap<>();
        series.forEach(s ->
                byPatient.computeIfAbsent(s.patient(), p -> new ArrayList<>()).add(s));
        List<String> order = new ArrayList<>(byPatient.keySet());
        int rounds = byPatient.values().stream().mapToInt(List::size).max().orElse(0);
        out.printf(
                "Streaming %d patients, one scan each every %s (in acquisition order), through %s%s and " + "HTTP...%n",
                order.size(), step, Topics.INTAKE.name(), ehr == null ? "" : ", C-STORE");
        for (int round = 0; round < rounds; round++) {
            for (int p = 0; p < order.size(); p++) {
                List<DemoScan> scans = byPatient.get(order.get(p));
                if (round >= scans.size()) {
                    continue;
                }
                DemoScan scan = scans.get(round);
                String pseudonym = pseudonyms.patient(scan.patient());
                boolean byCStore = ehr != null && p % 4 == 1;
                // DICOM carries the acquisition time to the second
                Instant acquired = byCStore ? scan.acquiredAt().truncatedTo(ChronoUnit.SECONDS) : scan.acquiredAt();
                submitted.put(pseudonym + "|" + acquired.toEpochMilli(), System.currentTimeMillis());
                if (byCStore) {
                    ehr.send(scan, out);
                } else if (p % 4 == 3) {
                    HttpResponse<String> r = feed.upload(scan);
                    if (r.statusCode() != 202) {
                        out.println("  upload refused (" + r.statusCode() + "): " + r.body());
                    }
                } else {
                    feed.publish(scan);
                }
            }
            feed.flush();
            Thread.sleep(step.toMillis());
        }
    }

    /** Waits until every patient's trajectory holds all its scans (or nothing moved for a minute). */
    private static boolean awaitDrift(DemoMonitor monitor, Map<String, Integer> scansPerPatient, PrintStream out)
            throws InterruptedException {
        Set<String> patients = scansPerPatient.keySet();
        int wanted =
                scansPerPatient.values().stream().mapToInt(Integer::intValue).sum();
        long lastMove = System.nanoTime();
        int lastTotal = -1;
        while (System.nanoTime() - lastMove < Duration.ofSeconds(60).toNanos()) {
            int total = patients.stream().mapToInt(monitor::points).sum();
            if (total == wanted) {
                return true;
            }
            if (total != lastTotal) {
                lastTotal = total;
                lastMove = System.nanoTime();
            }
            Thread.sleep(250);
        }
        out.println("  stopped waiting: the drift monitor holds " + lastTotal + " of " + wanted + " patient scans");
        return false;
    }

    /** Kinds of alert that mean "worse". */
    static boolean worse(AlertKind kind) {
        return Alert.worsens(kind);
    }
}
