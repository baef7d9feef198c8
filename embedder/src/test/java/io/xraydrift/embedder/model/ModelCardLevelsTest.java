package io.xraydrift.embedder.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model's fitted level thresholds survive the card's round trip; a card without them reads as none. */
class ModelCardLevelsTest {

    @Test
    void fittedLevelsAreWrittenAndReadBack(@TempDir Path dir) {
        ModelCard bundled = ModelCard.read(EmbeddingModel.defaultModelDirectory());
        bundled.withLevels(null).write(dir);
        assertNull(ModelCard.read(dir).levels());
        bundled.withLevels(new ModelCard.Levels(0.3, 0.7, "test")).write(dir);
        assertEquals(new ModelCard.Levels(0.3, 0.7, "test"), ModelCard.read(dir).levels());
        assertEquals(bundled.version(), ModelCard.read(dir).version());
    }

    @Test
    void theReadableCardSaysTheFittedLevelsOnceAndUpToDate(@TempDir Path dir) throws Exception {
        ModelCard bundled = ModelCard.read(EmbeddingModel.defaultModelDirectory());
        Files.writeString(dir.resolve(ModelCard.READABLE), "# Model card\n\nWhat it learnt from.\n");
        bundled.withLevels(new ModelCard.Levels(0.3, 0.7, "first fit")).write(dir);
        bundled.withLevels(new ModelCard.Levels(0.25, 0.6, "second fit")).write(dir);
        String text = Files.readString(dir.resolve(ModelCard.READABLE));
        assertTrue(text.startsWith("# Model card\n\nWhat it learnt from."), text);
        assertTrue(text.contains("Infected from **0.25**, severe from **0.6** (second fit)"), text);
        assertFalse(text.contains("first fit"), "replaced, not appended again: " + text);
        assertEquals(1, text.split("## Level thresholds", -1).length - 1, text);
    }
}
