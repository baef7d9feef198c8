package io.xraydrift.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.ModelCard;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.embedder.model.StudentNet;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --teacher}: the student is distilled from a TorchScript teacher (the committed
 * MobileNetV3-Small fixture, random weights), its projection learnt on the labels; the saved
 * model is the project's own network (no teacher file beside it), reloads to identical outputs,
 * and {@code --init} on it re-learns only the projection (the student's weights stay as they are).
 */
class DistillationTest {

    @Test
    void distilsAStudentThatReloadsIdenticallyAndKeepsItWhenTheProjectionIsRelearnt(
            @TempDir Path data, @TempDir Path student, @TempDir Path site) throws Exception {
        PhantomSet.write(data, PhantomSet.labelled(12, 12, 12, 4242, 0.1), 128);
        Path teacher = Fixtures.backbone(Files.createTempDirectory(data, "fixture"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ModelTrainer trainer = new ModelTrainer(new PrintStream(log, true, StandardCharsets.UTF_8));
        List<float[]> inputs = new ArrayList<>();
        float[] studentEmbedding;
        try (EmbeddingModel trained = trainer.train(options(data, student, Optional.of(teacher), Optional.empty()))) {
            String progress = log.toString(StandardCharsets.UTF_8);
            assertTrue(progress.contains("distil epoch 2/2"), progress);
            assertTrue(progress.contains("cosine to the teacher"), progress);
            assertTrue(progress.contains("projection step 100/100"), progress);
            ModelCard card = trained.card();
            assertEquals(StudentNet.NETWORK, card.network());
            assertEquals(ModelTrainer.PROJECTION_EMBEDDING, card.embeddingSize());
            assertEquals(1, card.channels());
            assertEquals(64, card.inputSize());
            assertTrue(
                    card.training().get("distillation") instanceof Map,
                    card.training().toString());
            assertTrue(!Files.exists(student.resolve(TransferNet.BACKBONE_FILE)), "a student carries no teacher");
            try (var files = Files.list(data.resolve("severe"))) {
                Path first = files.sorted().findFirst().orElseThrow();
                inputs.add(trained.preprocessing().input(Preprocessing.decode(Files.readAllBytes(first))));
            }
            studentEmbedding = trained.embed(inputs).get(0);
            try (EmbeddingModel reloaded = EmbeddingModel.load(student)) {
                assertArrayEquals(studentEmbedding, reloaded.embed(inputs).get(0), 1e-6f);
                assertArrayEquals(
                        trained.head(inputs).get(0), reloaded.head(inputs).get(0), 1e-6f);
            }
        }
        try (EmbeddingModel relearnt = new ModelTrainer(
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .train(options(data, site, Optional.empty(), Optional.of(student)))) {
            assertEquals(StudentNet.NETWORK, relearnt.card().network());
            assertTrue(String.valueOf(relearnt.card().training().get("started_from"))
                    .contains("frozen"));
            // The student (the body) is the same: the features the new projection learnt from are the old ones.
            try (EmbeddingModel before = EmbeddingModel.load(student)) {
                float[] a = features(before, inputs.get(0));
                float[] b = features(relearnt, inputs.get(0));
                assertArrayEquals(a, b, 1e-6f);
            }
        }
    }

    private static float[] features(EmbeddingModel model, float[] input) {
        return model.features(List.of(input)).get(0);
    }

    private static ModelTrainer.Options options(Path data, Path out, Optional<Path> teacher, Optional<Path> init) {
        return new ModelTrainer.Options(
                List.of(data),
                out,
                2,
                5,
                8,
                0.002f,
                Optional.empty(),
                64,
                "student-test",
                "test",
                Set.of(),
                Set.of(),
                false,
                new Augmentation(0.5),
                init,
                1f,
                0,
                StudentNet.NETWORK,
                teacher,
                100,
                1,
                1,
                false,
                0.1f,
                1f,
                1f,
                ModelTrainer.Projection.LEARNT,
                2);
    }
}
