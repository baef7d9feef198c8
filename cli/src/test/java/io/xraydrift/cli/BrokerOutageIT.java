package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.cli.ops.HangingTransactions;
import io.xraydrift.cli.ops.LocalRun;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.EmbeddedStack;
import io.xraydrift.stack.TempDirs;
import io.xraydrift.testing.ServiceProcess;
import io.xraydrift.testing.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away mid-run for longer than the transaction timeout and comes back: the three
 * transactional services (ingest's intake, the embedder, the indexer; separate processes) ride it
 * out and every scan is still ingested, embedded and scored exactly once (read_committed), nothing
 * dead-lettered. A service Kafka fences across the restart exits 70 and is started again, as the
 * compose file's {@code restart: on-failure} does; the restarts are printed.
 *
 * <p>Kafka can leave a transaction hanging across a single broker's stop and start (it completes
 * a transaction without markers when a partition has no leader at that instant; see
 * {@link HangingTransactions}). When answers stop for 60 s after the restart, the test aborts the
 * hanging transactions as an operator would ({@code topics hanging --abort}) and goes on; a stall
 * with none to abort fails at once with the offsets, open transactions, group offsets and each
 * service's threads.
 */
class BrokerOutageIT {

    private static final String SOURCE = "outage-test";

    private static final int[] COHORT = {24, 12, 12};
    private static final int PATIENTS = 40;
    private static final int SCANS = 4;
    private static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration OUTAGE = Duration.ofSeconds(15);
    /**
     * No answer for this long after the broker is back (or a service's restart): stalled. Longer
     * than a consumer session (45 s), which a group may wait for an exited member before it
     * rebalances; a run needs about 2 s a batch.
     */
    private static final Duration STALL = Duration.ofSeconds(60);

    @Test
    void aBrokerOutagePastTheTransactionTimeoutMidRunLosesAndDuplicatesNothing() throws Exception {
        Path work = Path.of("target", "outage-test").toAbsolutePath();
        TempDirs.deleteQuietly(work);
        Files.createDirectories(work);
        try (EmbeddedStack stack = EmbeddedStack.start()) {
            Map<String, String> common = new HashMap<>(LocalRun.settings(stack));
            common.put("XRAY_HTTP_HOST", "127.0.0.1");
            common.put("XRAY_HTTP_PORT", "0");
            common.put(Settings.DEMO_MODE.name(), "true");
            common.put("XRAY_KAFKA_CLIENT_TRANSACTION_TIMEOUT_MS", String.valueOf(TRANSACTION_TIMEOUT.toMillis()));
            KafkaSettings kafka = KafkaSettings.from(Settings.of(common));
            KafkaBootstrap.prepare(kafka, "outage-setup");
            common.put("XRAY_EMBEDDER_MAX_BATCH", "8");
            Map<String, ServiceProcess> services =
                    PipelineProcesses.of(work, "outage", List.of("ingest", "embedder", "indexer"), name -> common);
            List<PhantomSet.Item> cohort = PhantomSet.labelled(COHORT[0], COHORT[1], COHORT[2], 515, 0.15);
            List<PhantomSet.Item> series = PhantomSet.trajectories(PATIENTS, SCANS, 616, 0.15);
            int total = cohort.size() + series.size();
            EventSerdes serdes = kafka.serdes();
            String outage = "none";
            List<HangingTransactions.Hanging> repaired = new ArrayList<>();
            List<String> restarts = new ArrayList<>();
            try {
                for (ServiceProcess s : services.values()) {
                    s.start();
                }
                try (ScanFeed feed = new ScanFeed(stack, serdes.valueSerializer(Topics.INTAKE), SOURCE);
                        KafkaConsumer<byte[], byte[]> progress = new KafkaConsumer<>(
                                stack.readerProperties("outage-"),
                                new ByteArrayDeserializer(),
                                new ByteArrayDeserializer())) {
                    feed.cohort(cohort);
                    List<TopicPartition> parts = progress.partitionsFor(Topics.NEIGHBOURS.name()).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
                    progress.assign(parts);
                    progress.seekToBeginning(parts);
                    int scored = 0;
                    int sent = 0;
                    boolean paused = false;
                    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                    long lastGrowth = System.nanoTime();
                    while (scored < total && System.nanoTime() < deadline) {
                        if (paused && System.nanoTime() - lastGrowth > STALL.toNanos()) {
                            // Kafka can leave a transaction hanging across a single broker's restart (see
                            // HangingTransactions): the operator's repair is 'topics hanging --abort'.
                            List<HangingTransactions.Hanging> hanging = repair(stack, services, restarts);
                            if (hanging.isEmpty() || repaired.size() > 4) {
                                outage += "; STALLED at " + scored + "/" + total + " scored, " + sent + " sent";
                                System.out.println("outage test: " + outage + "\n"
                                        + PipelineDiagnostics.diagnose(stack, services, work));
                                throw new AssertionError("answers stopped after the broker came back (" + outage
                                        + "); offsets, open transactions and thread dumps above and in " + work);
                            }
                            repaired.addAll(hanging);
                            System.out.println("outage test: stalled at " + scored + "/" + total
                                    + "; aborted hanging transactions " + hanging);
                            lastGrowth = System.nanoTime();
                        }
                        if (scored >= cohort.size() && sent < series.size()) {
                            sent = feed.series(series, sent, Math.min(series.size(), sent + 20));
                        }
                        if (supervise(services, restarts)) {
                            lastGrowth = System.nanoTime(); // a restarted service rejoins its group first
                        }
                        int got = progress.poll(Duration.ofMillis(300)).count();
                        if (got > 0) {
                            scored += got;
                            lastGrowth = System.nanoTime();
                        }
                        if (!paused && scored >= cohort.size() + series.size() / 3) {
                            paused = true;
                            outage = "broker stopped at " + scored + "/" + total + " scored, " + sent + " sent";
                            System.out.println("outage test: " + outage + " for " + OUTAGE.toSeconds() + " s");
                            stack.kafka().pause();
                            Thread.sleep(OUTAGE.toMillis());
                            stack.kafka().resume();
                            lastGrowth = System.nanoTime();
                        }
                    }
                }
                System.out.println("outage test: after the run\n" + PipelineDiagnostics.offsets(stack));
                for (ServiceProcess s : services.values()) {
                    assertTrue(s.alive(), s.name() + " is not running; logs in " + work);
                }
            } finally {
                for (ServiceProcess s : services.values()) {
                    s.close();
                }
            }
            PipelineOutcome.read(stack, SOURCE, total).assertEachScanOnce(total, outage + "; logs in " + work);
            List<String> deadLetters = new ArrayList<>();
            TopicReader.readAll(
                    stack,
                    Topics.DEAD_LETTER.name(),
                    serdes.valueDeserializer(Topics.DEAD_LETTER),
                    0,
                    d -> deadLetters.add(d.getReason()));
            assertEquals(List.of(), deadLetters, "dead letters");
            System.out.println("outage test: " + outage + "; " + total + " scans exactly once; "
                    + "hanging transactions aborted: " + repaired.size() + "; services restarted: " + restarts + "; "
                    + "retried batches: " + retries(work));
        }
    }

    /**
     * Finds the hanging transactions (open past their timeout) and aborts each, then restarts the
     * service that owned it, as the operator's procedure says: the abort takes back what that
     * service remembers having written (ingest's duplicate check would drop the scan read again).
     */
    private static List<HangingTransactions.Hanging> repair(
            EmbeddedStack stack, Map<String, ServiceProcess> services, List<String> restarts) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            List<HangingTransactions.Hanging> found = HangingTransactions.find(admin, TRANSACTION_TIMEOUT);
            Set<String> owners = new TreeSet<>();
            for (HangingTransactions.Hanging h : found) {
                HangingTransactions.abort(admin, h);
                HangingTransactions.service(h).ifPresent(owners::add);
            }
            for (String owner : owners) {
                ServiceProcess s = services.get(owner);
                if (s != null) {
                    s.close();
                    s.start();
                    restarts.add(owner + " (after abort)");
                }
            }
            return found;
        }
    }

    /**
     * What the compose file's {@code restart: on-failure} does: a service that exited non-zero is
     * started again. Kafka can fence a transactional producer across a broker restart (its
     * transaction timed out and was aborted with a new epoch); the loop then exits 70 by design.
     */
    private static boolean supervise(Map<String, ServiceProcess> services, List<String> restarts) throws Exception {
        boolean restarted = false;
        for (ServiceProcess s : services.values()) {
            Integer rc = s.alive() ? null : s.awaitExit(Duration.ZERO);
            if (rc != null && rc != 0) {
                if (restarts.size() >= 6) {
                    throw new AssertionError(s.name() + " exited " + rc + " again after restarts " + restarts);
                }
                restarts.add(s.name() + " (exit " + rc + ")");
                System.out.println("outage test: " + s.name() + " exited " + rc + ", started again");
                s.start();
                restarted = true;
            }
        }
        return restarted;
    }

    /** How often each service's log says a batch was read again or a commit/abort retried. */
    private static Map<String, Long> retries(Path work) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        try (var files = Files.list(work)) {
            for (Path log :
                    files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                long n = Files.readAllLines(log).stream()
                        .filter(l -> l.contains("read again") || l.contains("retrying"))
                        .count();
                out.put(log.getFileName().toString(), n);
            }
        }
        return out;
    }
}
