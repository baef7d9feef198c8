package io.xraydrift.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.ModelCard;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.embedder.model.TransferNet;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Learns a projection on the committed TorchScript fixture (torchvision MobileNetV3-Small, random
 * weights, traced in eval mode by fixtures/make_backbone.py), kept frozen, and checks that the
 * saved model reloads to identical outputs and that the backbone's features come from the cache
 * the second time.
 */
class TransferLearningTest {

    @Test
    void learnsAProjectionOnAFrozenTorchScriptBackboneAndReloadsIdentically(
            @TempDir Path data, @TempDir Path out, @TempDir Path again) throws Exception {
        PhantomSet.write(data, PhantomSet.labelled(16, 16, 16, 5150, 0.1), 128);
        Path backbone = Fixtures.backbone(Files.createTempDirectory(data, "fixture"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ModelTrainer trainer = new ModelTrainer(new PrintStream(log, true, StandardCharsets.UTF_8));
        ModelTrainer.Options options = options(data, out, backbone);
        List<float[]> inputs = new ArrayList<>();
        try (EmbeddingModel trained = trainer.train(options)) {
            String progress = log.toString(StandardCharsets.UTF_8);
            assertTrue(progress.contains("computing"), progress);
            assertTrue(progress.contains("projection step 200/200"), progress);
            assertEquals(ModelTrainer.PROJECTION_EMBEDDING, trained.card().embeddingSize());
            assertEquals(3, trained.card().channels());
            assertTrue(Files.isRegularFile(out.resolve(TransferNet.BACKBONE_FILE)));
            assertTrue(Files.isRegularFile(out.resolve("MODEL_CARD.md")));

            for (String file : List.of("healthy", "infected", "severe")) {
                try (var files = Files.list(data.resolve(file))) {
                    Path first = files.sorted().findFirst().orElseThrow();
                    inputs.add(trained.preprocessing().input(Preprocessing.decode(Files.readAllBytes(first))));
                }
            }
            List<float[]> embeddingsBefore = trained.embed(inputs);
            List<float[]> headBefore = trained.head(inputs);
            try (EmbeddingModel reloaded = EmbeddingModel.load(out)) {
                assertEquals(trained.card().version(), reloaded.card().version());
                assertEquals(trained.card().backbone(), reloaded.card().backbone());
                List<float[]> embeddingsAfter = reloaded.embed(inputs);
                List<float[]> headAfter = reloaded.head(inputs);
                for (int i = 0; i < inputs.size(); i++) {
                    assertEquals(ModelTrainer.PROJECTION_EMBEDDING, embeddingsAfter.get(i).length);
                    assertArrayEquals(embeddingsBefore.get(i), embeddingsAfter.get(i), 1e-6f);
                    assertArrayEquals(headBefore.get(i), headAfter.get(i), 1e-6f);
                }
            }
        }
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        try (EmbeddingModel retrained = new ModelTrainer(new PrintStream(second, true, StandardCharsets.UTF_8))
                .train(options(data, again, backbone))) {
            String progress = second.toString(StandardCharsets.UTF_8);
            assertTrue(progress.contains("from the cache"), progress);
            assertEquals(ModelTrainer.PROJECTION_EMBEDDING, retrained.card().embeddingSize());
        }
    }

    private static ModelTrainer.Options options(Path data, Path out, Path backbone) {
        return new ModelTrainer.Options(
                List.of(data),
                out,
                1,
                3,
                16,
                0.001f,
                Optional.of(backbone),
                96,
                "mobilenet-v3-small-random",
                "test",
                Set.of(),
                Set.of(),
                false,
                new Augmentation(0.5),
                Optional.empty(),
                1f,
                0,
                ModelCard.XRAY_NET,
                Optional.empty(),
                200,
                2,
                1,
                false,
                0.1f,
                0f,
                0f,
                ModelTrainer.Projection.LEARNT,
                1);
    }
}
