package io.xraydrift.cli.bench;

import io.xraydrift.cli.ops.LocalRun;
import io.xraydrift.drift.DriftMonitorConfig;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.Level;
import io.xraydrift.events.ScanIntake;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Pseudonyms;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.ClusterStack;
import io.xraydrift.stack.LocalCluster;
import io.xraydrift.stack.TempDirs;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A soak: the pipeline (ingest, embedder, indexer, drift monitor, each its own JVM) on a Kafka
 * cluster of three nodes under a steady stream of scans for many minutes, one broker taken down and
 * brought back every few minutes (SIGKILL and SIGTERM in turn). Each report interval prints the
 * consumer groups' lag, scan-to-score and scan-to-alert latency (p50/p99), and every JVM's resident
 * memory; at the end, lost and duplicated scans (every scan must be scored exactly once).
 */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        description = {
            "A soak on a three-broker cluster: the four services as JVMs under a steady stream, a broker "
                    + "restarted every few minutes; per interval lag, scan->score and scan->alert p50/p99 and each JVM's "
                    + "RSS; at the end lost and duplicated scans.",
            "Prints a table, then: minutes=... rate=... scans=... lost=... duplicated=... alerts=..."
        })
final class SoakBench implements Callable<Integer> {

    private static final List<String> SERVICES = List.of("ingest", "embedder", "indexer", "drift-monitor");
    private static final Map<String, String> MAINS = Map.of(
            "ingest",
            "io.xraydrift.ingest.IngestApp",
            "embedder",
            "io.xraydrift.embedder.EmbedderApp",
            "indexer",
            "io.xraydrift.indexer.IndexerApp",
            "drift-monitor",
            "io.xraydrift.drift.DriftMonitorApp");
    private static final List<String> GROUPS =
            List.of("xray-ingest", "xray-embedder", "xray-indexer", "xray-drift-monitor");
    /** Scans per patient in the stream (each patient a phantom trajectory: stable, worsening or recovering). */
    private static final int SCANS = 8;
    /** Distinct phantom patients rendered once; the stream reuses their films under new patients. */
    private static final int POOL = 40;

    @Option(
            names = "--minutes",
            defaultValue = "30",
            description = "How long the stream runs (default: ${DEFAULT-VALUE}).")
    int minutes;

    @Option(names = "--rate", defaultValue = "20", description = "Scans per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--restart-every",
            defaultValue = "5m",
            description = "A broker is taken down and brought back this often (default: ${DEFAULT-VALUE}).")
    String restartEveryText;

    @Option(
            names = "--down-for",
            defaultValue = "15s",
            description = "How long a broker stays down (default: ${DEFAULT-VALUE}).")
    String downForText;

    @Option(names = "--report-every", defaultValue = "1m", description = "Report interval (default: ${DEFAULT-VALUE}).")
    String reportEveryText;

    private Duration restartEvery;
    private Duration downFor;
    private Duration reportEvery;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Settings durations = Settings.of(Map.of(
                "--restart-every", restartEveryText, "--down-for", downForText, "--report-every", reportEveryText));
        restartEvery = durations.duration(
                "--restart-every", Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofHours(1));
        downFor = durations.duration("--down-for", Duration.ofSeconds(15), Duration.ZERO, Duration.ofMinutes(10));
        reportEvery =
                durations.duration("--report-every", Duration.ofMinutes(1), Duration.ofSeconds(5), Duration.ofHours(1));
        try (LocalRun run = LocalRun.start(out, 3)) {
            LocalCluster cluster = ((ClusterStack) run.stack()).cluster();
            Path state = TempDirs.create("xray-bench-soak");
            List<Process> services = new ArrayList<>();
            // Stopped before the stack, also on Ctrl-C/SIGTERM (the run's shutdown hook): no orphaned service JVMs.
            run.closeFirst(() -> {
                stop(services);
                TempDirs.deleteQuietly(state);
            });
            Map<String, String> env = IngestBench.serviceSettings(run, state);
            env.put(EmbedderConfig.DEVICE.name(), "cpu");
            for (String name : SERVICES) {
                services.add(start(name, env, state));
            }
            return soak(run, cluster, services, out);
        }
    }

    private int soak(LocalRun run, LocalCluster cluster, List<Process> services, PrintStream out) throws Exception {
        KafkaSettings kafka = run.kafka();
        EventSerdes serdes = kafka.serdes();
        Pseudonyms pseudonyms = new Pseudonyms(IngestConfig.DEMO_PSEUDONYM_KEY);
        PhantomRenderer renderer = new PhantomRenderer(512);
        List<PhantomSet.Item> cohort = PhantomSet.labelled(48, 20, 20, 9191, 0.15);
        List<PhantomSet.Item> pool = PhantomSet.trajectories(POOL, SCANS, 9292, 0.15);
        byte[][] cohortPngs = render(renderer, cohort);
        byte[][] poolPngs = render(renderer, pool);
        out.printf(
                Locale.ROOT,
                "Rendered %d cohort and %d patient films; services: pids %s%n",
                cohort.size(),
                pool.size(),
                services.stream().map(p -> String.valueOf(p.pid())).toList());
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> sentTimes = new HashMap<>();
        Map<String, Integer> scoredTimes = new HashMap<>();
        List<Long> scoreLatency = new ArrayList<>();
        List<Long> alertLatency = new ArrayList<>();
        int alerts = 0;
        try (KafkaProducer<String, ScanIntake> feed = new KafkaProducer<>(
                        Map.of(
                                "bootstrap.servers",
                                kafka.bootstrapServers(),
                                "max.request.size",
                                24 * 1024 * 1024,
                                "linger.ms",
                                20,
                                "delivery.timeout.ms",
                                600_000),
                        EventSerdes.keys().serializer(),
                        serdes.valueSerializer(Topics.INTAKE));
                KafkaConsumer<String, ScanNeighbours> scored = reader(
                        run,
                        "bench-soak-scored",
                        serdes.valueDeserializer(Topics.NEIGHBOURS),
                        Topics.NEIGHBOURS.name());
                KafkaConsumer<String, DriftAlert> alerted = reader(
                        run, "bench-soak-alerts", serdes.valueDeserializer(Topics.ALERTS), Topics.ALERTS.name());
                Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            for (int i = 0; i < cohort.size(); i++) {
                PhantomSet.Item item = cohort.get(i);
                feed.send(intake(
                        item.patient(),
                        item.acquiredAt(),
                        item.portable(),
                        cohortPngs[i],
                        Level.valueOf(item.grade().name())));
            }
            feed.flush();
            while (scoredTimes.size() < cohort.size()) {
                scored.poll(Duration.ofMillis(500))
                        .forEach(r -> scoredTimes.merge(r.value().getScanId(), 1, Integer::sum));
            }
            out.printf(
                    Locale.ROOT,
                    "Cohort of %d scored; streaming %.1f scans/s for %d min, a broker down for %d s " + "every %d s%n",
                    cohort.size(),
                    rate,
                    minutes,
                    downFor.toSeconds(),
                    restartEvery.toSeconds());
            out.println(" min |  sent | scored | lag ingest/embed/index/drift | score p50/p99 s | alert p50/p99 s "
                    + "| alerts | RSS MB: services ; brokers | event");
            long t0 = System.nanoTime();
            long end = t0 + Duration.ofMinutes(minutes).toNanos();
            long nextReport = t0 + reportEvery.toNanos();
            long nextRestart = t0 + restartEvery.toNanos();
            int downNode = 0;
            long backAt = 0;
            int restarts = 0;
            int sent = 0;
            String event = "";
            // Acquisition times in the past (ingest refuses a film from the future): a patient a day, from years ago.
            Instant base = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(3650));
            while (System.nanoTime() < end
                    || sentAt.size() > 0
                            && System.nanoTime() < end + Duration.ofMinutes(5).toNanos()) {
                long now = System.nanoTime();
                // The stream: scan number `sent` is due at t0 + sent / rate.
                while (now < end && sent < (now - t0) / 1e9 * rate) {
                    int patient = sent / SCANS;
                    int k = sent % SCANS;
                    int source = (patient % POOL) * SCANS + k;
                    PhantomSet.Item item = pool.get(source);
                    String id = "SOAK-" + patient;
                    Instant acquired = base.plus(Duration.ofDays(patient)).plus(Duration.ofHours(6L * k));
                    String key = key(pseudonyms.patient(id), acquired);
                    sentAt.put(key, System.nanoTime());
                    sentTimes.put(key, System.nanoTime());
                    feed.send(intake(id, acquired, item.portable(), poolPngs[source], null));
                    sent++;
                }
                for (var r : scored.poll(Duration.ofMillis(200))) {
                    ScanNeighbours n = r.value();
                    Long at = sentAt.remove(key(n.getPatient(), n.getAcquiredAt()));
                    if (at != null) {
                        scoreLatency.add(System.nanoTime() - at);
                    }
                    scoredTimes.merge(n.getScanId(), 1, Integer::sum);
                }
                for (var r : alerted.poll(Duration.ZERO)) {
                    alerts++;
                    Long at =
                            sentTimes.get(key(r.value().getPatient(), r.value().getAcquiredAt()));
                    if (at != null) {
                        alertLatency.add(System.nanoTime() - at);
                    }
                }
                if (downNode == 0 && now >= nextRestart && now < end) {
                    downNode = restarts % cluster.size() + 1;
                    boolean kill = restarts % 2 == 0;
                    if (kill) {
                        cluster.kill(downNode);
                    } else {
                        cluster.stop(downNode);
                    }
                    event += (kill ? "SIGKILL" : "SIGTERM") + " node " + downNode + " ";
                    backAt = now + downFor.toNanos();
                    nextRestart += restartEvery.toNanos();
                    restarts++;
                } else if (downNode != 0 && now >= backAt) {
                    cluster.restart(downNode);
                    event += "node " + downNode + " back ";
                    downNode = 0;
                }
                if (now >= nextReport) {
                    out.println(String.format(
                            Locale.ROOT,
                            "%4.0f | %5d | %6d | %-27s | %6.1f / %6.1f | %6.1f / %6.1f " + "| %6d | %s | %s",
                            (now - t0) / 60e9,
                            sent,
                            scoredTimes.size(),
                            lag(admin),
                            pct(scoreLatency, 50),
                            pct(scoreLatency, 99),
                            pct(alertLatency, 50),
                            pct(alertLatency, 99),
                            alerts,
                            rss(services, cluster),
                            event.trim()));
                    scoreLatency.clear();
                    alertLatency.clear();
                    event = "";
                    nextReport += reportEvery.toNanos();
                }
            }
            feed.flush();
            long duplicated = scoredTimes.values().stream().filter(n -> n > 1).count();
            int lost = sent + cohort.size() - scoredTimes.size();
            out.println(String.format(
                    Locale.ROOT,
                    "bench=soak minutes=%d rate=%.1f scans=%d scored=%d lost=%d "
                            + "duplicated=%d dead_letter_offsets=%d alerts=%d broker_restarts=%d",
                    minutes,
                    rate,
                    sent + cohort.size(),
                    scoredTimes.size(),
                    lost,
                    duplicated,
                    deadLetters(run),
                    alerts,
                    restarts));
            return lost == 0 && duplicated == 0 ? 0 : 1;
        }
    }

    /** SIGTERM to each service, then waits (30 s each at most, then SIGKILL). */
    private static void stop(List<Process> services) throws InterruptedException {
        for (Process p : services) {
            p.destroy();
        }
        for (Process p : services) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** End offsets of the dead-letter topic (this run's stack: all the soak's; commit markers counted: 0 means none). */
    private static long deadLetters(LocalRun run) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", run.kafka().bootstrapServers()))) {
            var parts = admin.describeTopics(List.of(Topics.DEAD_LETTER.name()))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(Topics.DEAD_LETTER.name())
                    .partitions();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            parts.forEach(
                    p -> latest.put(new TopicPartition(Topics.DEAD_LETTER.name(), p.partition()), OffsetSpec.latest()));
            return admin
                    .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .values()
                    .stream()
                    .mapToLong(o -> o.offset())
                    .sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String key(String pseudonym, Instant acquired) {
        return pseudonym + "|" + acquired.toEpochMilli();
    }

    private static byte[][] render(PhantomRenderer renderer, List<PhantomSet.Item> items) {
        byte[][] pngs = new byte[items.size()][];
        IntStream.range(0, items.size())
                .parallel()
                .forEach(
                        i -> pngs[i] = PhantomSet.render(renderer, items.get(i)).toPng());
        return pngs;
    }

    private static ProducerRecord<String, ScanIntake> intake(
            String patient, Instant acquired, boolean portable, byte[] png, Level label) {
        return new ProducerRecord<>(
                Topics.INTAKE.name(),
                patient,
                ScanIntake.newBuilder()
                        .setPatientId(patient)
                        .setAcquiredAt(acquired)
                        .setSource("bench-soak")
                        .setView(portable ? ViewPosition.AP : ViewPosition.PA)
                        .setImage(ByteBuffer.wrap(png))
                        .setReferenceLabel(label)
                        .build());
    }

    private static <V> KafkaConsumer<String, V> reader(
            LocalRun run, String client, Deserializer<V> values, String topic) {
        Map<String, Object> props = new HashMap<>(run.stack().readerProperties(client + "-"));
        props.put("auto.offset.reset", "latest");
        KafkaConsumer<String, V> c =
                new KafkaConsumer<>(props, EventSerdes.keys().deserializer(), values);
        c.subscribe(List.of(topic));
        c.poll(Duration.ofMillis(500));
        return c;
    }

    /**
     * Each service group's lag as "a/b/c/d": records past its committed offsets, not counting the
     * commit marker a transactional writer leaves at the end of each partition (so ±1 a partition).
     */
    private static String lag(Admin admin) {
        List<String> parts = new ArrayList<>();
        for (String group : GROUPS) {
            try {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                        .all()
                        .get(10, TimeUnit.SECONDS);
                long lag = 0;
                for (var e : committed.entrySet()) {
                    lag += Math.max(
                            0,
                            ends.get(e.getKey()).offset()
                                    - (e.getValue() == null ? 0 : e.getValue().offset())
                                    - 1);
                }
                parts.add(String.valueOf(lag));
            } catch (Exception e) {
                parts.add("?");
            }
        }
        return String.join("/", parts);
    }

    private static double pct(List<Long> nanos, int p) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e9;
    }

    /** Resident memory (MB) of each service JVM, then of each broker JVM. */
    private static String rss(List<Process> services, LocalCluster cluster) {
        List<String> s = services.stream().map(p -> rssOf(p.pid())).toList();
        return String.join(" ", s) + " ; "
                + String.join(" ", cluster.pids().stream().map(SoakBench::rssOf).toList());
    }

    private static String rssOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return String.valueOf(Long.parseLong(line.replaceAll("\\D", "")) / 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            return "-";
        }
        return "-";
    }

    private static Process start(String name, Map<String, String> common, Path state) {
        Map<String, String> env = new LinkedHashMap<>(common);
        env.put(IngestConfig.STATE_DIR.name(), state.resolve("ingest").toString());
        env.put(IndexerConfig.SNAPSHOT_DIR.name(), state.resolve("indexer").toString());
        env.put(DriftMonitorConfig.STATE_DIR.name(), state.resolve("drift").toString());
        env.put("XRAY_INSTANCE_ID", "soak-" + name);
        List<String> cmd = new ArrayList<>(Arrays.asList(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx448m",
                "-XX:+UseSerialGC",
                "--add-modules",
                "jdk.incubator.vector",
                "-Dai.djl.offline=true",
                "-XX:ErrorFile=" + state.resolve(name + "-hs_err_pid%p.log"),
                "-cp",
                System.getProperty("java.class.path"),
                MAINS.get(name)));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(state.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }
}
