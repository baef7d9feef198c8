package io.xraydrift.cli;

import io.xraydrift.cli.ops.LocalRun;
import io.xraydrift.events.Level;
import io.xraydrift.events.ScanIntake;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.stack.TempDirs;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The kill test: the four services as separate processes (each its own {@code main}), each killed
 * with SIGKILL at a random point of a run of about 1,400 scans and restarted. At the end every
 * scan was ingested, embedded and scored exactly once (read_committed), and the alerts are exactly
 * those the drift rule gives for the scores — what an undisturbed run emits.
 */
@ExtendWith(LocalStackExtension.class)
class PipelineKillIT {

    private static final int PATIENTS = 110;
    private static final int SCANS = 8;
    private static final int[] COHORT = {60, 24, 24};

    @Test
    void everyServiceKilledOnceAndRestartedLosesAndDuplicatesNothing(LocalStack stack) throws Exception {
        // Fresh each run: a snapshot or Streams state from an earlier run's broker would be replayed against this one.
        Path work = Path.of("target", "kill-test").toAbsolutePath();
        TempDirs.deleteQuietly(work);
        Files.createDirectories(work);
        Map<String, String> common = new HashMap<>(LocalRun.settings(stack));
        common.put("XRAY_HTTP_HOST", "127.0.0.1");
        common.put(Settings.DEMO_MODE.name(), "true");
        // A killed member's partitions move after the session timeout: keep it short for the test.
        common.put("XRAY_KAFKA_CLIENT_SESSION_TIMEOUT_MS", "6000");
        common.put("XRAY_KAFKA_CLIENT_HEARTBEAT_INTERVAL_MS", "1000");
        KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(common)), "kill-setup");
        Map<String, ServiceProcess> services = PipelineProcesses.of(
                work, "kill", List.of("ingest", "embedder", "indexer", "drift-monitor"), name -> common);
        List<PhantomSet.Item> cohort = PhantomSet.labelled(COHORT[0], COHORT[1], COHORT[2], 777, 0.15);
        List<PhantomSet.Item> series = PhantomSet.trajectories(PATIENTS, SCANS, 888, 0.15);
        int total = cohort.size() + series.size();
        PhantomRenderer renderer = new PhantomRenderer(256);
        byte[][] cohortPngs = new byte[cohort.size()][];
        IntStream.range(0, cohort.size())
                .parallel()
                .forEach(i -> cohortPngs[i] =
                        PhantomSet.render(renderer, cohort.get(i)).toPng());
        // The kill schedule's seed is printed and can be fixed (XRAY_KILL_SEED=N) to replay a failing run.
        String fixed = System.getenv("XRAY_KILL_SEED");
        long seed = fixed != null ? Long.parseLong(fixed.trim()) : System.nanoTime();
        System.out.println("kill test: schedule seed " + seed + " (replay with XRAY_KILL_SEED=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        List<String> order = new ArrayList<>(services.keySet());
        Collections.shuffle(order, new Random(random.nextLong()));
        // Each service is killed once the pipeline has scored a random fraction of the scans, in random order.
        TreeMap<Integer, String> schedule = new TreeMap<>();
        for (int i = 0; i < order.size(); i++) {
            schedule.put((int) (total * (0.15 + 0.17 * i + random.nextDouble(0.0, 0.1))), order.get(i));
        }
        List<String> report = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            for (ServiceProcess s : services.values()) {
                s.start();
            }
            try (KafkaProducer<String, ScanIntake> feed = new KafkaProducer<>(
                            Map.of(
                                    "bootstrap.servers",
                                    stack.bootstrapServers(),
                                    "max.request.size",
                                    24 * 1024 * 1024,
                                    "linger.ms",
                                    20),
                            EventSerdes.keys().serializer(),
                            new EventSerdes(stack.registryUrl()).valueSerializer(Topics.INTAKE));
                    KafkaConsumer<byte[], byte[]> progress = PipelineOutcome.answersFromNow(stack, "kill-test-")) {
                for (int i = 0; i < cohort.size(); i++) {
                    feed.send(record(
                            cohort.get(i),
                            cohortPngs[i],
                            Level.valueOf(cohort.get(i).grade().name())));
                }
                feed.flush();
                int scored = 0;
                int sent = 0;
                long deadline = System.nanoTime() + Duration.ofMinutes(12).toNanos();
                while (scored < total && System.nanoTime() < deadline) {
                    // Patients are fed in steady batches once the cohort is scored, as a ward's feed would.
                    if (scored >= cohort.size() && sent < series.size()) {
                        int from = sent;
                        int to = Math.min(series.size(), sent + 100);
                        byte[][] pngs = new byte[to - from][];
                        IntStream.range(from, to)
                                .parallel()
                                .forEach(i -> pngs[i - from] = PhantomSet.render(renderer, series.get(i))
                                        .toPng());
                        for (; sent < to; sent++) {
                            feed.send(record(series.get(sent), pngs[sent - from], null));
                        }
                        feed.flush();
                    }
                    scored += progress.poll(Duration.ofMillis(500)).count();
                    while (!schedule.isEmpty() && scored >= schedule.firstKey()) {
                        ServiceProcess victim =
                                services.get(schedule.pollFirstEntry().getValue());
                        long pid = victim.pid();
                        victim.kill();
                        String line = String.format(
                                Locale.ROOT,
                                "t=%5.1fs scored=%d/%d: SIGKILL %s (pid %d), " + "restarted",
                                (System.nanoTime() - t0) / 1e9,
                                scored,
                                total,
                                victim.name(),
                                pid);
                        report.add(line);
                        System.out.println("kill test: " + line);
                        victim.start();
                    }
                }
            }
            System.out.printf(
                    "kill test: %d scans scored in %.1f s with 4 kills%n", total, (System.nanoTime() - t0) / 1e9);

            // Other tests of this JVM share the stack: count only this run's scans (source kill-test).
            PipelineOutcome outcome = PipelineOutcome.read(stack, "kill-test", total);
            outcome.assertEachScanOnce(total, "kill schedule seed " + seed);
            int alerts = outcome.assertAlertsAsUndisturbed();
            System.out.println("kill test: " + String.join("; ", report) + " -> " + total + " scans exactly once, "
                    + alerts + " alerts exactly as undisturbed");
        } finally {
            for (ServiceProcess s : services.values()) {
                s.close();
            }
        }
    }

    private static ProducerRecord<String, ScanIntake> record(PhantomSet.Item item, byte[] png, Level label) {
        return IntakeRecords.of(item, png, label, "kill-test");
    }
}
