package io.xraydrift.cli;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.embedder.service.EmbedderService;
import io.xraydrift.events.Level;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.indexer.service.IndexerService;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.Service;
import io.xraydrift.platform.ShellService;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job on the embedded default: the local stack, the four services in this JVM, a
 * labelled reference cohort of phantoms and synthetic patients flowing through embedder and
 * indexer, each patient's scores printed as they come. Stages not built yet are said plainly.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the pipeline on this machine with nothing to configure.",
            "Starts the local stack (real KRaft broker + real Apicurio Registry) and the four services in this JVM, "
                + "seeds a labelled reference cohort of phantoms (imbalanced like the published study), then streams "
                + "synthetic patients (worsening, stable, improving, fluctuating) through the embedder (the bundled "
                + "model) and the indexer (36 nearest labelled neighbours, severity score), printing each patient's "
                + "scores.",
            "",
            "Not built yet: ingest's processing and the drift monitor's alerts (their services run their shell: "
                + "health, metrics, topic setup). Until ingest exists the demo writes normalised, pseudonymised scans "
                + "straight to xray.scans, as ingest will."})
final class DemoCommand implements Callable<Integer> {

    /** Pseudonyms as ingest makes them in demo mode. */
    private static final String DEMO_KEY = IngestConfig.DEMO_PSEUDONYM_KEY;

    @Option(names = "--cohort", defaultValue = "150,60,60",
            description = "Labelled reference scans: healthy,infected,severe (default: ${DEFAULT-VALUE}).")
    String cohort;

    @Option(names = "--patients", defaultValue = "8", description = "Synthetic patients (default: ${DEFAULT-VALUE}).")
    int patients;

    @Option(names = "--scans-per-patient", defaultValue = "6", description = "Scans per patient (default: ${DEFAULT-VALUE}).")
    int scansPerPatient;

    @Option(names = "--exit-when-done", description = "Stop once every scan is scored and print a summary "
            + "(exit code 0 when every scan got its neighbours).")
    boolean exitWhenDone;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        int[] counts = java.util.Arrays.stream(cohort.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        List<Service> services = new ArrayList<>();
        try (LocalRun run = LocalRun.start(out)) {
            Settings settings = serviceSettings(run);
            EmbedderService embedder = new EmbedderService(EmbedderConfig.from(settings.with(Map.of(
                    EmbedderConfig.DEVICE, "cpu", EmbedderConfig.MAX_BATCH, "16"))));
            IndexerService indexer = new IndexerService(IndexerConfig.from(settings.with(Map.of(
                    IndexerConfig.SNAPSHOT_DIR, java.nio.file.Files.createTempDirectory("xray-demo-index").toString()))));
            ShellService ingest = new ShellService(ServiceConfig.from(settings, "ingest", 0));
            ShellService drift = new ShellService(ServiceConfig.from(settings, "drift-monitor", 0));
            for (Service s : List.of(ingest, embedder, indexer, drift)) {
                s.start();
                services.add(s);
            }
            out.printf("  %-14s health http://127.0.0.1:%d/health (shell only: processing not built yet)%n", "ingest",
                    ingest.httpPort());
            out.printf("  %-14s health http://127.0.0.1:%d/health  POST /embed%n", "embedder", embedder.httpPort());
            out.printf("  %-14s health http://127.0.0.1:%d/health  GET /index (Bearer " + Settings.DEMO_API_TOKEN + ")%n", "indexer",
                    indexer.httpPort());
            out.printf("  %-14s health http://127.0.0.1:%d/health (shell only: alerts not built yet)%n", "drift-monitor",
                    drift.httpPort());
            run.printConnectionHelp(out);

            List<PhantomSet.Item> reference = PhantomSet.labelled(counts[0], counts[1], counts[2], 424242, 0.15);
            List<PhantomSet.Item> series = PhantomSet.trajectories(patients, scansPerPatient, 515151, 0.15);
            long began = System.nanoTime();
            publish(run, reference, true);
            out.printf("Seeded the labelled cohort: %d healthy, %d infected, %d severe phantoms -> %s%n", counts[0],
                    counts[1], counts[2], Topics.SCANS.name());
            publish(run, series, false);
            out.printf("Streamed %d patients x %d scans -> %s; waiting for their neighbours...%n", patients,
                    scansPerPatient, Topics.SCANS.name());
            Map<String, ScanNeighbours> scored = awaitScores(run, reference.size() + series.size(), out);
            double seconds = (System.nanoTime() - began) / 1e9;
            int patientScans = report(series, scored, out);
            boolean complete = scored.size() == reference.size() + series.size();
            out.printf(Locale.ROOT, "%d of %d scans embedded and scored in %.1f s (%.1f scans/s end to end).%n",
                    scored.size(), reference.size() + series.size(), seconds, scored.size() / seconds);
            out.println("Drift alerts: not built yet (the drift monitor's issue); the scores above are what it will "
                    + "read from " + Topics.NEIGHBOURS.name() + ".");
            if (!exitWhenDone) {
                out.println("Running. Ctrl-C stops everything and removes the data.");
                run.awaitStop();
            }
            return complete && patientScans == series.size() ? 0 : 1;
        } finally {
            for (int i = services.size() - 1; i >= 0; i--) {
                services.get(i).close();
            }
        }
    }

    private static Settings serviceSettings(LocalRun run) {
        Map<String, String> s = new HashMap<>(LocalRun.settings(run.stack()));
        s.put(ServiceConfig.HTTP_HOST, "127.0.0.1");
        s.put(ServiceConfig.HTTP_PORT, "0");
        s.put(ServiceConfig.INSTANCE_ID, "demo");
        s.put(Settings.DEMO_MODE, "true");
        return Settings.of(s);
    }

    /** Normalised phantoms as ingest will emit them: pseudonymised patient, deterministic scan id. */
    private static void publish(LocalRun run, List<PhantomSet.Item> items, boolean labelled) {
        PhantomRenderer renderer = new PhantomRenderer(512);
        byte[][] pngs = new byte[items.size()][];
        IntStream.range(0, items.size()).parallel().forEach(i -> pngs[i] = PhantomSet.render(renderer, items.get(i)).toPng());
        Map<String, Object> props = new HashMap<>(run.kafka().clientProperties("demo-feed"));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        EventSerdes serdes = new EventSerdes(run.kafka().registryApiUrl());
        try (var producer = new KafkaProducer<>(props, EventSerdes.keys().serializer(),
                serdes.valueSerializer(Topics.SCANS))) {
            for (int i = 0; i < items.size(); i++) {
                PhantomSet.Item item = items.get(i);
                String pseudonym = pseudonym(item.patient());
                ScanReceived scan = ScanReceived.newBuilder()
                        .setScanId(scanId(pseudonym, item.acquiredAt()))
                        .setPatient(pseudonym)
                        .setAcquiredAt(item.acquiredAt())
                        .setReceivedAt(Instant.now())
                        .setSource("demo")
                        .setView(item.portable() ? ViewPosition.AP : ViewPosition.PA)
                        .setWidth(512).setHeight(512)
                        .setImage(ByteBuffer.wrap(pngs[i]))
                        .setReferenceLabel(labelled ? Level.valueOf(item.grade().name()) : null)
                        .setAttributes(item.trajectory().isEmpty() ? Map.of() : Map.of("demo_trajectory", item.trajectory()))
                        .build();
                producer.send(new ProducerRecord<>(Topics.SCANS.name(), pseudonym, scan));
            }
            producer.flush();
        }
    }

    private static Map<String, ScanNeighbours> awaitScores(LocalRun run, int expected, PrintStream out) {
        Map<String, Object> props = new HashMap<>(run.kafka().clientProperties("demo-reader"));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "xray-demo-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        EventSerdes serdes = new EventSerdes(run.kafka().registryApiUrl());
        Map<String, ScanNeighbours> scored = new LinkedHashMap<>();
        try (var consumer = new KafkaConsumer<>(props, EventSerdes.keys().deserializer(),
                serdes.valueDeserializer(Topics.NEIGHBOURS))) {
            consumer.subscribe(Set.of(Topics.NEIGHBOURS.name()));
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            long lastProgress = System.nanoTime();
            int shown = 0;
            while (scored.size() < expected && System.nanoTime() < deadline
                    && System.nanoTime() - lastProgress < Duration.ofSeconds(60).toNanos()) {
                int before = scored.size();
                consumer.poll(Duration.ofMillis(500)).forEach(r -> scored.put(r.value().getScanId(), r.value()));
                if (scored.size() > before) {
                    lastProgress = System.nanoTime();
                }
                if (scored.size() / 50 > shown / 50 || scored.size() == expected) {
                    shown = scored.size();
                    out.printf("  scored %d / %d scans%n", shown, expected);
                }
            }
        }
        return scored;
    }

    /** One line per patient: trajectory kind, then level and score per scan in acquisition order. */
    private static int report(List<PhantomSet.Item> series, Map<String, ScanNeighbours> scored, PrintStream out) {
        out.println("Patients (true severity -> level and score from the 36 nearest labelled neighbours):");
        Map<String, List<PhantomSet.Item>> byPatient = new LinkedHashMap<>();
        series.forEach(i -> byPatient.computeIfAbsent(i.patient(), p -> new ArrayList<>()).add(i));
        int found = 0;
        for (var e : byPatient.entrySet()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %s %-11s",
                    pseudonym(e.getKey()).substring(0, 10), e.getValue().get(0).trajectory()));
            for (PhantomSet.Item item : e.getValue()) {
                ScanNeighbours n = scored.get(scanId(pseudonym(item.patient()), item.acquiredAt()));
                if (n == null) {
                    line.append("  ?");
                    continue;
                }
                found++;
                line.append(String.format(Locale.ROOT, "  %.2f->%s %.2f", item.severity(),
                        n.getLevel().name().charAt(0), n.getSeverityScore()));
            }
            out.println(line);
        }
        return found;
    }

    static String pseudonym(String patientId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(DEMO_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(patientId.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 missing from the JDK", e);
        }
    }

    private static String scanId(String pseudonym, Instant acquiredAt) {
        return pseudonym.substring(0, 16) + "-" + acquiredAt.toEpochMilli();
    }
}
