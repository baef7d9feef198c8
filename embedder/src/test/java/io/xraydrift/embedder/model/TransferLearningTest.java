package io.xraydrift.embedder.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.xraydrift.phantoms.PhantomSet;

/**
 * Fine-tunes a new head on the committed TorchScript fixture (torchvision MobileNetV3-Small,
 * random weights, traced in eval mode by fixtures/make_backbone.py) and checks that the saved
 * model reloads to identical outputs.
 */
class TransferLearningTest {

    @Test
    void fineTunesAHeadOnATorchScriptBackboneAndReloadsIdentically(@TempDir Path data, @TempDir Path out)
            throws Exception {
        PhantomSet.write(data, PhantomSet.labelled(16, 16, 16, 5150, 0.1), 128);
        Path backbone = Path.of(getClass().getResource("/fixtures/mobilenet-v3-small-random.pt").toURI());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ModelTrainer trainer = new ModelTrainer(new PrintStream(log, true, StandardCharsets.UTF_8));
        ModelTrainer.Options options = new ModelTrainer.Options(data, out, 2, 3, 16, 0.001f, Optional.of(backbone),
                96, "mobilenet-v3-small-random", "test");
        List<float[]> inputs = new ArrayList<>();
        try (EmbeddingModel trained = trainer.train(options)) {
            String progress = log.toString(StandardCharsets.UTF_8);
            assertTrue(progress.contains("epoch 2/2"), progress);
            assertTrue(progress.contains("left"), progress);
            assertEquals(576, trained.card().embeddingSize());
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
                    assertEquals(576, embeddingsAfter.get(i).length);
                    assertArrayEquals(embeddingsBefore.get(i), embeddingsAfter.get(i), 1e-6f);
                    assertArrayEquals(headBefore.get(i), headAfter.get(i), 1e-6f);
                }
            }
        }
    }

}
