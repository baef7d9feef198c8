package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.FreePorts;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.stack.TempDirs;
import io.xraydrift.stack.hospital.LocalMllpPeer;
import io.xraydrift.testing.Await;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clean stops: SIGTERM — what an orchestrator sends — to each service under load, and to the demo
 * while it starts and while it streams. Each process ends by its shutdown hook (exit 143, the
 * JVM's status for SIGTERM; not 134 or a crash), says it stopped, and leaves no JVM error file
 * ({@code hs_err_pid*.log}: the drift monitor's RocksDB once crashed the JVM at SIGTERM); the
 * services, started again, lose and duplicate nothing and raise the alerts of an undisturbed run
 * (a scan in hand at SIGTERM was once dead-lettered: ImageIO's shutdown hook closed its encoder's
 * cache file). {@code -Dxray.cleanstop.rounds=N} stops
 * every service N times (CI: once each).
 */
@ExtendWith(LocalStackExtension.class)
class CleanStopIT {

    private static final int[] COHORT = {24, 12, 12};
    private static final int PATIENTS = 30;
    private static final int SCANS = 6;
    private static final int IN_FLIGHT = 60;
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);
    private static final Duration STALL = Duration.ofSeconds(90);
    private static final String SOURCE = "clean-stop-test";
    /** The JVM's exit status after SIGTERM once its shutdown hooks ran. */
    private static final int SIGTERM_EXIT = 143;

    @Test
    void everyServiceStoppedBySigtermUnderLoadEndsCleanlyAndLosesNothing(LocalStack stack) throws Exception {
        Path work = Path.of("target", "clean-stop-test").toAbsolutePath();
        TempDirs.deleteQuietly(work);
        Files.createDirectories(work);
        int rounds = Integer.getInteger("xray.cleanstop.rounds", 1);
        try (LocalMllpPeer ehr = new LocalMllpPeer(FreePorts.pick())) {
            ehr.start();
            Map<String, String> common = PipelineProcesses.settings(stack);
            common.put("XRAY_HL7_HOST", "127.0.0.1");
            common.put("XRAY_HL7_PORT", String.valueOf(ehr.port()));
            KafkaSettings kafka = KafkaSettings.from(Settings.of(common));
            KafkaBootstrap.prepare(kafka, "clean-stop-setup");
            Map<String, ServiceProcess> services = PipelineProcesses.of(
                    work,
                    "stop",
                    List.of("ingest", "embedder", "indexer", "drift-monitor", "alert-out"),
                    name -> common);
            List<String> schedule = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                schedule.addAll(services.keySet());
            }
            List<PhantomSet.Item> cohort = PhantomSet.labelled(COHORT[0], COHORT[1], COHORT[2], 5151, 0.15);
            List<PhantomSet.Item> series = PhantomSet.trajectories(PATIENTS * rounds, SCANS, 5252, 0.15);
            int total = cohort.size() + series.size();
            // Stop i once cohort + (i + 1) / (stops + 1) of the series is scored: spread over the run.
            List<Integer> stopAt = IntStream.rangeClosed(1, schedule.size())
                    .mapToObj(i -> cohort.size() + i * series.size() / (schedule.size() + 1))
                    .toList();
            List<String> report = new ArrayList<>();
            Set<String> answeredScans = new HashSet<>();
            try {
                for (ServiceProcess s : services.values()) {
                    s.start();
                }
                try (ScanFeed feed = new ScanFeed(stack, kafka.serdes().valueSerializer(Topics.INTAKE), SOURCE);
                        PipelineOutcome.Answers progress = new PipelineOutcome.Answers(stack, "clean-stop-", SOURCE)) {
                    feed.cohort(cohort);
                    int scored = 0;
                    int sent = 0;
                    long lastGrowth = System.nanoTime();
                    while (scored < total) {
                        if (scored >= cohort.size()
                                && sent < ScanFeed.feedable(series, schedule)
                                && sent - (scored - cohort.size()) < IN_FLIGHT) {
                            sent = feed.series(series, sent, Math.min(ScanFeed.feedable(series, schedule), sent + 20));
                        }
                        int answered = progress.distinct(Duration.ofMillis(300));
                        if (answered > scored) {
                            scored = answered;
                            lastGrowth = System.nanoTime();
                        } else if (System.nanoTime() - lastGrowth > STALL.toNanos()) {
                            throw new AssertionError("answers stopped at " + scored + "/" + total + " after " + report
                                    + "\n" + PipelineDiagnostics.diagnose(stack, services, work));
                        }
                        if (!schedule.isEmpty() && scored >= stopAt.get(report.size())) {
                            ServiceProcess victim = services.get(schedule.remove(0));
                            report.add(stopCleanly(victim, scored));
                            System.out.println("clean stop test: " + report.get(report.size() - 1));
                            victim.start();
                        }
                    }
                    answeredScans.addAll(progress.scans());
                }
                assertEquals(List.of(), schedule, "services left to stop when the run ended");
                PipelineOutcome outcome = PipelineOutcome.read(stack, SOURCE, total);
                outcome.assertEachScanOnce(
                        total,
                        String.join("; ", report) + "; answered but not ingested from the feed: "
                                + outcome.notIngested(answeredScans) + "; logs in " + work);
                int alerts = outcome.assertAlertsAsUndisturbed();
                assertEquals(List.of(), errorFiles(work), "JVM error files");
                System.out.println("clean stop test: " + String.join("; ", report) + " -> " + total
                        + " scans exactly once, " + alerts + " alerts as undisturbed, no JVM error file");
            } finally {
                for (ServiceProcess s : services.values()) {
                    s.close();
                }
            }
        }
    }

    @Test
    void theDemoStoppedBySigtermWhileStartingAndWhileStreamingEndsCleanly(@TempDir Path dir) throws Exception {
        Path jar = Path.of("target", "xray-drift.jar").toAbsolutePath();
        int n = 0;
        for (String moment : List.of("Local stack up", "Streaming ")) {
            Path log = dir.resolve("demo-" + ++n + ".log");
            // As the launcher runs it; the working directory is where an error file would have landed before.
            Process demo = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Xmx1g",
                            "-XX:+UseSerialGC",
                            "-XX:ErrorFile=" + dir.resolve("errors") + "/hs_err_pid%p.log",
                            "--add-modules",
                            "jdk.incubator.vector",
                            "-Dai.djl.offline=true",
                            "-jar",
                            jar.toString(),
                            "demo",
                            "--cohort",
                            "24,12,12",
                            "--patients",
                            "6",
                            "--interval",
                            "200ms")
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try {
                Await.until("the demo prints '" + moment + "' (its output: " + log + ")", Duration.ofMinutes(3), () -> {
                    assertTrue(demo.isAlive(), "the demo ended before '" + moment + "':\n" + Files.readString(log));
                    return Files.readString(log).contains(moment);
                });
                demo.destroy();
                assertTrue(
                        demo.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS),
                        "the demo did not end within " + STOP_WAIT + " of SIGTERM at '" + moment + "':\n"
                                + Files.readString(log));
                assertEquals(
                        SIGTERM_EXIT,
                        demo.exitValue(),
                        "exit status after SIGTERM at '" + moment + "':\n" + Files.readString(log));
                System.out.println("clean stop test: demo stopped by SIGTERM at '" + moment.trim() + "': exit "
                        + demo.exitValue());
            } finally {
                demo.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            assertEquals(List.of(), errorFiles(dir), "JVM error files");
        }
    }

    /** SIGTERM; the exit status and the service's own "stopped" line are checked; one line of report. */
    private static String stopCleanly(ServiceProcess victim, int scored) throws Exception {
        long pid = victim.pid();
        long began = System.nanoTime();
        Integer rc = victim.terminate(STOP_WAIT);
        double seconds = (System.nanoTime() - began) / 1e9;
        String log = Files.readString(victim.log());
        assertEquals(
                Integer.valueOf(SIGTERM_EXIT),
                rc,
                victim.name() + " (pid " + pid + ") after SIGTERM; its log: " + victim.log());
        assertTrue(log.contains(" stopped"), victim.name() + " never said it stopped; its log: " + victim.log());
        return String.format(
                Locale.ROOT,
                "scored=%d: SIGTERM %s (pid %d), exit %d in %.1f s, started again",
                scored,
                victim.name(),
                pid,
                rc,
                seconds);
    }

    private static List<Path> errorFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().contains("hs_err"))
                    .toList();
        }
    }
}
