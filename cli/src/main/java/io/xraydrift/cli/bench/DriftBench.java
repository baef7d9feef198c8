package io.xraydrift.cli.bench;

import io.xraydrift.cli.ops.LocalRun;
import io.xraydrift.drift.DriftMonitorConfig;
import io.xraydrift.drift.DriftMonitorService;
import io.xraydrift.drift.SyntheticScans;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.TempDirs;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Throughput of the drift monitor's topology on the local stack: scored scans are written to
 * {@code xray.neighbours} first, then the Streams application (exactly-once, RocksDB) is started
 * and timed from its first trajectory out to its last.
 */
@Command(
        name = "drift",
        mixinStandardHelpOptions = true,
        description = {
            "Events/s the drift monitor's topology sustains on the local stack (exactly-once, RocksDB).",
            "Prints: events=... patients=... scans_per_patient=... seconds=... events_per_s=... alerts=..."
        })
final class DriftBench implements Callable<Integer> {

    @Option(names = "--patients", defaultValue = "2000", description = "Patients (default: ${DEFAULT-VALUE}).")
    int patients;

    @Option(names = "--scans", defaultValue = "10", description = "Scans per patient (default: ${DEFAULT-VALUE}).")
    int scans;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the score walks (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        try (LocalRun run = LocalRun.start(out)) {
            Map<String, String> settings = new HashMap<>(LocalRun.settings(run.stack()));
            Path state = TempDirs.create("xray-bench-drift");
            settings.put(DriftMonitorConfig.STATE_DIR.name(), state.toString());
            settings.put("XRAY_HTTP_HOST", "127.0.0.1");
            settings.put("XRAY_HTTP_PORT", "0");
            settings.put(Settings.DEMO_MODE.name(), "true");
            settings.put(DriftMonitorConfig.APPLICATION_ID.name(), "xray-bench-drift");
            DriftMonitorConfig config = DriftMonitorConfig.from(Settings.of(settings));
            EventSerdes serdes = config.common().kafka().serdes();
            int events = produce(run, serdes);
            out.printf(
                    Locale.ROOT,
                    "%d scored scans written to %s; starting the drift monitor%n",
                    events,
                    Topics.NEIGHBOURS.name());
            try (DriftMonitorService service = new DriftMonitorService(config)) {
                service.start();
                long[] firstLast = await(run, Topics.TRAJECTORIES.name(), events);
                double seconds = (firstLast[1] - firstLast[0]) / 1e9;
                long alerts = count(run, Topics.ALERTS.name());
                out.printf(
                        Locale.ROOT,
                        "events=%d patients=%d scans_per_patient=%d seconds=%.2f events_per_s=%.0f " + "alerts=%d%n",
                        events,
                        patients,
                        scans,
                        seconds,
                        events / Math.max(seconds, 1e-9),
                        alerts);
            } finally {
                TempDirs.deleteQuietly(state);
            }
        }
        return 0;
    }

    /** Score random walks (some drifting up), interleaved across patients as a ward's feed would be. */
    private int produce(LocalRun run, EventSerdes serdes) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] score = new double[patients];
        double[] drift = new double[patients];
        for (int p = 0; p < patients; p++) {
            score[p] = r.nextDouble(0.0, 0.1);
            drift[p] = p % 4 == 0 ? r.nextDouble(0.05, 0.12) : r.nextDouble(-0.02, 0.02);
        }
        Map<String, Object> props = new HashMap<>(run.kafka().clientProperties("bench-drift-producer"));
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        int n = 0;
        try (KafkaProducer<String, ScanNeighbours> producer =
                new KafkaProducer<>(props, new StringSerializer(), serdes.valueSerializer(Topics.NEIGHBOURS))) {
            for (int i = 0; i < scans; i++) {
                for (int p = 0; p < patients; p++) {
                    score[p] = Math.min(1, Math.max(0, score[p] + drift[p] + r.nextDouble(-0.03, 0.03)));
                    String patient = String.format(Locale.ROOT, "bench-%06d", p);
                    producer.send(new ProducerRecord<>(
                            Topics.NEIGHBOURS.name(), patient, SyntheticScans.scan(patient, i, score[p])));
                    n++;
                }
            }
        }
        return n;
    }

    /** Nano times of the first and the n-th committed record of a topic. */
    private static long[] await(LocalRun run, String topic, int n) {
        long first = 0;
        int seen = 0;
        try (KafkaConsumer<byte[], byte[]> c = consumer(run)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (seen < n && System.nanoTime() < deadline) {
                int got = c.poll(Duration.ofMillis(200)).count();
                if (got > 0 && first == 0) {
                    first = System.nanoTime();
                }
                seen += got;
            }
        }
        if (seen < n) {
            throw new IllegalStateException(
                    "only " + seen + " of " + n + " trajectories came out of the drift monitor");
        }
        return new long[] {first, System.nanoTime()};
    }

    private static long count(LocalRun run, String topic) {
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> c = consumer(run)) {
            c.subscribe(List.of(topic));
            int empty = 0;
            while (empty < 5) {
                int got = c.poll(Duration.ofMillis(300)).count();
                n += got;
                empty = got == 0 ? empty + 1 : 0;
            }
        }
        return n;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(LocalRun run) {
        Map<String, Object> props = new HashMap<>(run.kafka().clientProperties("bench-drift-reader"));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-drift-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
