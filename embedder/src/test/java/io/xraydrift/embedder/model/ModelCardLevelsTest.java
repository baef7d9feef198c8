package io.xraydrift.embedder.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
}
