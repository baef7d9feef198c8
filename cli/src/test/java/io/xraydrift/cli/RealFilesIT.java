package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xraydrift.cli.evaluate.SiteTrainingTest;
import io.xraydrift.cli.ops.ScanUpload;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.embedder.service.EmbedderService;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.indexer.service.IndexerService;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.service.IngestService;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.Await;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.RealCxr;
import io.xraydrift.testing.ServiceEnv;
import io.xraydrift.testing.Stdout;
import io.xraydrift.testing.TopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real radiographs through the running services: a small real labelled cohort loaded with
 * {@code cohort load} (twice: the second run adds nothing), then every PNG and JPEG of
 * {@code ../shared/real-cxr/formats} — gray PNGs, gray stored as RGB, a PadChest JPEG, a 2373²
 * ieee8023 JPEG — uploaded over HTTP as hospitals send them: each is accepted, embedded and
 * answered with its 36 nearest labelled neighbours, and nothing is dead-lettered.
 */
@ExtendWith(LocalStackExtension.class)
class RealFilesIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aRealCohortLoadsOnceAndEveryRealFileIsAcceptedAndScored(LocalStack stack) throws Exception {
        Map<String, String> env = ServiceEnv.onStack(stack, "real-files-it");
        env.put(Settings.DEMO_MODE.name(), "true");
        env.put(IngestConfig.STATE_DIR.name(), dir.resolve("ingest").toString());
        env.put(IndexerConfig.SNAPSHOT_DIR.name(), dir.resolve("indexer").toString());
        env.put(EmbedderConfig.DEVICE.name(), "cpu");
        Settings settings = Settings.of(env);
        KafkaBootstrap.prepare(KafkaSettings.from(settings), "it-setup");
        Path cohort = SiteTrainingTest.subset(dir.resolve("cohort"), 14);
        String source = "cohort:real-files-it";
        try (IngestService ingest = new IngestService(IngestConfig.from(settings));
                EmbedderService embedder = new EmbedderService(EmbedderConfig.from(settings));
                IndexerService indexer = new IndexerService(IndexerConfig.from(settings))) {
            ingest.start();
            embedder.start();
            indexer.start();
            String ingestUrl = "http://127.0.0.1:" + ingest.httpPort();
            Map<String, String> tokenEnv = Map.of(IndexerConfig.API_TOKEN.name(), Settings.DEMO_API_TOKEN);

            String first = cohortLoad(cohort, ingestUrl, source, tokenEnv);
            assertTrue(first.contains("42 rows: 42 new, 0 already there, 0 refused"), first);
            awaitLabelled(indexer.httpPort(), 42);
            String second = cohortLoad(cohort, ingestUrl, source, tokenEnv);
            assertTrue(second.contains("42 rows: 0 new, 42 already there, 0 refused"), second);
            assertEquals(
                    42,
                    read(stack, Topics.SCANS, s -> s.getSource().equals(source), 42, Duration.ofSeconds(5))
                            .size(),
                    "each cohort scan is on xray.scans once");

            List<Path> files = new ArrayList<>();
            try (var list = Files.list(RealCxr.formats())) {
                list.filter(p -> ScanUpload.contentType(bytes(p)) != null)
                        .sorted()
                        .forEach(files::add);
            }
            assertEquals(7, files.size(), "PNG and JPEG files in formats/: " + files);
            Set<String> scanIds = upload(ingestUrl, files, "REAL-FILES-", "real-files-it");
            List<ScanNeighbours> answered = read(
                    stack,
                    Topics.NEIGHBOURS,
                    s -> scanIds.contains(s.getScanId()),
                    files.size(),
                    Duration.ofSeconds(3));
            assertEquals(files.size(), answered.size(), "every real file is scored");
            for (ScanNeighbours s : answered) {
                assertEquals(36, s.getNeighbours().size(), s.getScanId());
                assertTrue(
                        s.getSeverityScore() >= 0 && s.getSeverityScore() <= 1,
                        s.getScanId() + " score " + s.getSeverityScore());
            }
            List<DeadLetter> dead = read(stack, Topics.DEAD_LETTER, d -> true, 0, Duration.ofSeconds(3));
            assertEquals(List.of(), dead, "nothing of the real files or the cohort is dead-lettered");
        }
    }

    /**
     * Uploads each file over HTTP as a hospital feed does (patient {@code prefix + n}, PA); asserts each
     * is accepted (202) and returns their scan ids.
     */
    static Set<String> upload(String ingestUrl, List<Path> files, String prefix, String source) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Set<String> scanIds = new HashSet<>();
        int n = 0;
        for (Path f : files) {
            byte[] image = Files.readAllBytes(f);
            String meta = JSON.createObjectNode()
                    .put("patientId", prefix + n++)
                    .put("acquiredAt", "2026-11-20T08:00:00Z")
                    .put("view", "PA")
                    .put("source", source)
                    .toString();
            HttpResponse<String> r = http.send(
                    ScanUpload.request(
                            ingestUrl + "/scans", Settings.DEMO_API_TOKEN, meta, image, ScanUpload.contentType(image)),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, r.statusCode(), f.getFileName() + ": " + r.body());
            scanIds.add(JSON.readTree(r.body()).path("scanId").asText());
        }
        return scanIds;
    }

    private static String cohortLoad(Path cohort, String ingestUrl, String source, Map<String, String> env) {
        Path config = ServiceEnv.configFile(env, cohort.getParent());
        Stdout.Run run = Stdout.capture(() -> XrayDrift.commandLine()
                .execute(
                        "cohort",
                        "load",
                        "--config",
                        config.toString(),
                        "--data",
                        cohort.toString(),
                        "--ingest",
                        ingestUrl,
                        "--source",
                        source));
        assertEquals(0, run.rc(), run.out());
        return run.out();
    }

    /** Waits (90 s at most) until the indexer's GET /index says it holds {@code wanted} labelled scans. */
    static void awaitLabelled(int port, int wanted) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Await.until("the indexer holds " + wanted + " labelled scans", Duration.ofSeconds(90), () -> {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index"))
                            .header("Authorization", "Bearer " + Settings.DEMO_API_TOKEN)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode models = JSON.readTree(r.body()).path("models");
            return models.size() > 0 && models.get(0).path("labelled").asInt() >= wanted;
        });
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records of a topic that {@code keep} accepts, read from the start until n are seen and {@code settle} passed. */
    private static <V extends SpecificRecord> List<V> read(
            LocalStack stack, Topic<V> topic, Predicate<V> keep, int n, Duration settle) {
        return TopicReader.await(
                stack,
                topic.name(),
                new EventSerdes(stack.registryUrl()).valueDeserializer(topic),
                keep,
                n,
                settle,
                Duration.ofSeconds(180));
    }
}
