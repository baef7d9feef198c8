package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.alertout.message.OruMessages;
import io.xraydrift.cli.ops.HangingTransactions;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.ClusterStack;
import io.xraydrift.stack.FreePorts;
import io.xraydrift.stack.LocalCluster;
import io.xraydrift.stack.TempDirs;
import io.xraydrift.stack.hospital.LocalMllpPeer;
import io.xraydrift.testing.Await;
import io.xraydrift.testing.ServiceProcess;
import io.xraydrift.testing.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * A broker lost mid-run, on a cluster as a hospital runs it: three KRaft nodes (a JVM each),
 * topics at replication factor 3 with {@code min.insync.replicas} 2, controlled shutdown on; the
 * whole pipeline (ingest, embedder, indexer, drift monitor, alert-out to an HL7 peer) as separate
 * processes under a steady stream of scans. The active controller is SIGKILLed and, once the
 * pipeline has scored on without it, started again; then another node is stopped cleanly (SIGTERM:
 * Kafka's controlled shutdown) and started again. At the end every scan was ingested, embedded and
 * scored exactly once, the alerts are exactly those of an undisturbed run and each reached the EHR,
 * no transaction is left open, nothing was dead-lettered and no service exited (no restart). The
 * time the pipeline took to score again after each loss is printed.
 */
class BrokerLossIT {

    private static final int[] COHORT = {48, 20, 20};
    private static final int PATIENTS = 56;
    private static final int SCANS = 8;
    /** Scans in flight at most: the feed keeps the pipeline busy, as a ward's feed would, without queueing the run. */
    private static final int IN_FLIGHT = 120;
    /** Scored on a degraded cluster before the lost node comes back. */
    private static final int SCORED_WHILE_DOWN = 60;
    /** No scan scored for this long: stalled (a consumer session is 6 s here; a batch about 2 s). */
    private static final Duration STALL = Duration.ofSeconds(90);

    private static final String SOURCE = "broker-loss-test";

    @Test
    void theActiveControllerKilledAndAnotherBrokerStoppedMidRunLoseAndDuplicateNothing() throws Exception {
        Path work = Path.of("target", "broker-loss-test").toAbsolutePath();
        TempDirs.deleteQuietly(work);
        Files.createDirectories(work);
        try (ClusterStack stack = ClusterStack.start(3);
                LocalMllpPeer ehr = new LocalMllpPeer(FreePorts.pick())) {
            LocalCluster cluster = stack.cluster();
            Set<String> delivered = ConcurrentHashMap.newKeySet();
            List<String> messages = Collections.synchronizedList(new ArrayList<>());
            ehr.onMessage(text -> {
                messages.add(text);
                delivered.add(controlId(text));
            });
            ehr.start();
            Map<String, String> common = PipelineProcesses.settings(stack);
            assertEquals(
                    "3", common.get(KafkaSettings.REPLICATION_FACTOR.name()), "topics replicated on the three nodes");
            common.put("XRAY_HL7_HOST", "127.0.0.1");
            common.put("XRAY_HL7_PORT", String.valueOf(ehr.port()));
            KafkaSettings kafka = KafkaSettings.from(Settings.of(common));
            KafkaBootstrap.prepare(kafka, "broker-loss-setup");
            Map<String, ServiceProcess> services = PipelineProcesses.of(
                    work,
                    "loss",
                    List.of("ingest", "embedder", "indexer", "drift-monitor", "alert-out"),
                    name -> common);
            List<PhantomSet.Item> cohort = PhantomSet.labelled(COHORT[0], COHORT[1], COHORT[2], 4141, 0.15);
            List<PhantomSet.Item> series = PhantomSet.trajectories(PATIENTS, SCANS, 4242, 0.15);
            int total = cohort.size() + series.size();
            List<String> report = new ArrayList<>();
            long t0 = System.nanoTime();
            try {
                for (ServiceProcess s : services.values()) {
                    s.start();
                }
                try (ScanFeed feed = new ScanFeed(stack, kafka.serdes().valueSerializer(Topics.INTAKE), SOURCE);
                        PipelineOutcome.Answers progress = new PipelineOutcome.Answers(stack, "broker-loss-", SOURCE)) {
                    feed.cohort(cohort);
                    Disturbance loss = null;
                    int killed = 0;
                    int scored = 0;
                    int sent = 0;
                    long lastGrowth = System.nanoTime();
                    while (scored < total) {
                        if (scored >= cohort.size()
                                && sent < series.size()
                                && sent - (scored - cohort.size()) < IN_FLIGHT) {
                            sent = feed.series(series, sent, Math.min(series.size(), sent + 40));
                        }
                        int answered = progress.distinct(Duration.ofMillis(300));
                        if (answered > scored) {
                            scored = answered;
                            lastGrowth = System.nanoTime();
                        } else if (System.nanoTime() - lastGrowth > STALL.toNanos()) {
                            String where =
                                    "STALLED at " + scored + "/" + total + " scored, " + sent + " sent after " + report;
                            System.out.println("broker loss test: " + where + "\n"
                                    + PipelineDiagnostics.diagnose(stack, services, work));
                            throw new AssertionError("answers stopped (" + where + "); offsets, open transactions "
                                    + "and thread dumps above and in " + work);
                        }
                        for (ServiceProcess s : services.values()) {
                            assertTrue(
                                    s.alive(),
                                    s.name() + " exited (" + s.awaitExit(Duration.ZERO) + ") after " + report
                                            + "; logs in " + work);
                        }
                        if (loss == null && report.isEmpty() && scored >= cohort.size() + series.size() / 4) {
                            loss = Disturbance.begin(cluster, cluster.activeController(), true, scored, t0);
                        } else if (loss == null
                                && report.size() == 1
                                && scored >= cohort.size() + series.size() * 3 / 5) {
                            loss = Disturbance.begin(cluster, otherThan(cluster, killed), false, scored, t0);
                        }
                        if (loss != null && loss.recovered(scored, SCORED_WHILE_DOWN)) {
                            report.add(loss.end(cluster, scored, t0));
                            System.out.println("broker loss test: " + report.get(report.size() - 1));
                            killed = loss.killed() ? loss.node() : killed;
                            loss = null;
                        }
                    }
                    assertEquals(2, report.size(), "both losses happened within the run");
                }
                System.out.printf(
                        Locale.ROOT,
                        "broker loss test: %d scans scored in %.1f s%n",
                        total,
                        (System.nanoTime() - t0) / 1e9);
                PipelineOutcome outcome = PipelineOutcome.read(stack, SOURCE, total);
                outcome.assertEachScanOnce(total, String.join("; ", report) + "; logs in " + work);
                int alerts = outcome.assertAlertsAsUndisturbed();
                TreeSet<String> expected = new TreeSet<>();
                TopicReader.readAll(
                        stack,
                        Topics.ALERTS.name(),
                        kafka.serdes().valueDeserializer(Topics.ALERTS),
                        alerts,
                        a -> expected.add(OruMessages.controlId(a.getAlertId())));
                Await.until(
                        "the EHR took each of the " + expected.size() + " alerts",
                        Duration.ofMinutes(2),
                        () -> delivered.containsAll(expected));
                assertEquals(expected, new TreeSet<>(delivered), "alerts the EHR took (MSH-10)");
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
                    assertEquals(
                            List.of(),
                            HangingTransactions.find(admin, Duration.ofSeconds(60)),
                            "transactions left open");
                }
                List<String> deadLetters = new ArrayList<>();
                TopicReader.readAll(
                        stack,
                        Topics.DEAD_LETTER.name(),
                        kafka.serdes().valueDeserializer(Topics.DEAD_LETTER),
                        0,
                        d -> deadLetters.add(d.getReason()));
                assertEquals(List.of(), deadLetters, "dead letters");
                System.out.println("broker loss test: " + String.join("; ", report) + " -> " + total
                        + " scans exactly once, " + alerts + " alerts exactly as undisturbed, the EHR took each ("
                        + (messages.size() - delivered.size())
                        + " sent again), no open transaction, no service restarted");
            } finally {
                for (ServiceProcess s : services.values()) {
                    s.close();
                }
            }
        }
    }

    /** One node taken away: killed or stopped at {@code scored}, brought back once the pipeline scored on without it. */
    private record Disturbance(int node, boolean killed, int scoredAtLoss, long lostAt, long[] firstScoreAfter) {

        static Disturbance begin(LocalCluster cluster, int node, boolean kill, int scored, long t0) {
            long at = System.nanoTime();
            if (kill) {
                cluster.kill(node);
            } else {
                cluster.stop(node);
            }
            System.out.printf(
                    Locale.ROOT,
                    "broker loss test: t=%.1fs scored=%d: %s node %d%n",
                    (at - t0) / 1e9,
                    scored,
                    kill ? "SIGKILL to the active controller," : "SIGTERM (controlled shutdown) to",
                    node);
            return new Disturbance(node, kill, scored, at, new long[] {0});
        }

        boolean recovered(int scored, int enough) {
            if (firstScoreAfter[0] == 0 && scored > scoredAtLoss) {
                firstScoreAfter[0] = System.nanoTime();
            }
            return scored >= scoredAtLoss + enough;
        }

        String end(LocalCluster cluster, int scored, long t0) {
            long back = System.nanoTime();
            cluster.restart(node);
            long listening = System.nanoTime();
            return String.format(
                    Locale.ROOT,
                    "%s node %d at t=%.1fs: first scan scored %.1f s later, %d scored in "
                            + "%.1f s on two nodes, restarted (listening in %.1f s)",
                    killed ? "SIGKILL" : "SIGTERM",
                    node,
                    (lostAt - t0) / 1e9,
                    (firstScoreAfter[0] - lostAt) / 1e9,
                    scored - scoredAtLoss,
                    (back - lostAt) / 1e9,
                    (listening - back) / 1e9);
        }
    }

    private static int otherThan(LocalCluster cluster, int node) {
        return cluster.nodeIds().stream().filter(id -> id != node).findFirst().orElseThrow();
    }

    /** MSH-10 of an HL7 v2 message (its control id). */
    private static String controlId(String message) {
        for (String segment : message.split("[\r\n]+")) {
            if (segment.startsWith("MSH")) {
                String[] f = segment.split("\\|", -1);
                return f.length > 9 ? f[9] : "";
            }
        }
        return "";
    }
}
