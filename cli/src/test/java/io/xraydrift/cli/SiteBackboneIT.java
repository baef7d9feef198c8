package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.cli.evaluate.SiteTrainingTest;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.embedder.model.ModelCard;
import io.xraydrift.embedder.service.EmbedderService;
import io.xraydrift.events.Level;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.indexer.service.IndexerService;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.service.IngestService;
import io.xraydrift.phantoms.Manifest;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.RealCxr;
import io.xraydrift.testing.ServiceEnv;
import io.xraydrift.testing.Stdout;
import io.xraydrift.testing.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A site's own backbone end to end: {@code train --backbone} with the public MobileNetV1 (frozen) and
 * a projection learnt on a small real cohort; the model directory, with level thresholds fitted for it
 * in its card, runs in the embedder; the cohort loads through ingest; real films uploaded over HTTP
 * are answered by the indexer with the backbone model's vectors, and each scan's level follows the
 * model's own thresholds (the deployment sets none). Runs with oneDNN capped at AVX (its own Failsafe
 * execution): MobileNet's 1x1 convolutions die of SIGFPE on machines that hide their cache sizes.
 */
@ExtendWith(LocalStackExtension.class)
class SiteBackboneIT {

    @TempDir
    Path dir;

    @Test
    void aModelOnTheSitesBackboneAnswersWithItsOwnLevels(LocalStack stack) throws Exception {
        Path cohort = SiteTrainingTest.subset(dir.resolve("cohort"), 14);
        Path model = dir.resolve("site-backbone-model");
        Stdout.Run train = Stdout.capture(() -> XrayDrift.commandLine()
                .execute(
                        "train",
                        "--data",
                        cohort.toString(),
                        "--backbone",
                        RealCxr.pretrainedMobileNet().toString(),
                        "--out",
                        model.toString(),
                        "--phantoms",
                        "10",
                        "--projection-steps",
                        "300"));
        assertEquals(0, train.rc(), train.out());
        ModelCard card = ModelCard.read(model);
        assertEquals(64, card.embeddingSize());
        assertTrue(Files.isRegularFile(model.resolve("backbone.pt")));
        card.withLevels(new ModelCard.Levels(0.30, 0.70, "set by the test")).write(model);

        Map<String, String> env = ServiceEnv.onStack(stack, "site-backbone-it");
        env.put(Settings.DEMO_MODE.name(), "true");
        env.put(IngestConfig.STATE_DIR.name(), dir.resolve("ingest").toString());
        env.put(IndexerConfig.SNAPSHOT_DIR.name(), dir.resolve("indexer").toString());
        env.put(EmbedderConfig.DEVICE.name(), "cpu");
        env.put(EmbedderConfig.MODEL.name(), model.toString());
        Settings settings = Settings.of(env);
        KafkaBootstrap.prepare(KafkaSettings.from(settings), "it-setup");
        try (IngestService ingest = new IngestService(IngestConfig.from(settings));
                EmbedderService embedder = new EmbedderService(EmbedderConfig.from(settings));
                IndexerService indexer = new IndexerService(IndexerConfig.from(settings))) {
            ingest.start();
            embedder.start();
            indexer.start();
            String ingestUrl = "http://127.0.0.1:" + ingest.httpPort();
            Path config = ServiceEnv.configFile(Map.of(IndexerConfig.API_TOKEN.name(), Settings.DEMO_API_TOKEN), dir);
            Stdout.Run load = Stdout.capture(() -> XrayDrift.commandLine()
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
                            "cohort:site-backbone-it"));
            assertEquals(0, load.rc(), load.out());
            // the films are scored against the whole cohort, not against what the indexer holds so far
            int cohortRows = Manifest.read(cohort).size();
            RealFilesIT.awaitLabelled(indexer.httpPort(), cohortRows);

            List<Path> files = new ArrayList<>();
            try (var list = Files.list(RealCxr.formats())) {
                list.filter(p -> p.getFileName().toString().startsWith("nih-"))
                        .sorted()
                        .forEach(files::add);
            }
            Set<String> scanIds = RealFilesIT.upload(ingestUrl, files, "SITE-BACKBONE-", "site-backbone-it");
            List<ScanNeighbours> answered = TopicReader.await(
                    stack,
                    Topics.NEIGHBOURS.name(),
                    new EventSerdes(stack.registryUrl()).valueDeserializer(Topics.NEIGHBOURS),
                    s -> scanIds.contains(s.getScanId()),
                    files.size(),
                    Duration.ofSeconds(3),
                    Duration.ofSeconds(240));
            assertEquals(files.size(), answered.size(), "every uploaded film is scored");
            for (ScanNeighbours s : answered) {
                assertEquals(card.id(), s.getModel().getId());
                assertEquals(card.version(), s.getModel().getVersion());
                assertEquals(64, s.getModel().getDimension());
                assertEquals(0.30, s.getModel().getInfectedThreshold(), 1e-9);
                assertEquals(36, s.getNeighbours().size(), s.getScanId());
                double score = s.getSeverityScore();
                Level expected = score >= 0.70 ? Level.SEVERE : score >= 0.30 ? Level.INFECTED : Level.HEALTHY;
                assertEquals(expected, s.getLevel(), "the model's own thresholds level score " + score);
            }
        }
    }
}
