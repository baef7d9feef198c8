package io.xraydrift.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The loss terms that learn the indexer's score: small where the embedding orders scans by grade, large where not. */
class ScoreTermsTest {

    @Test
    void theNeighbourAndAxisTermsRewardAnEmbeddingOrderedByGrade() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] grades = {0f, 0f, 0f, 0.5f, 0.5f, 0.5f, 1f, 1f, 1f};
            float[] levels = {0, 0, 0, 1, 1, 1, 2, 2, 2};
            // Ordered: each grade its own direction, healthy to severe along an arc; shuffled: directions mixed up.
            float[] ordered = new float[9 * 2];
            float[] shuffled = new float[9 * 2];
            int[] mix = {6, 3, 0, 7, 1, 4, 2, 8, 5};
            for (int i = 0; i < 9; i++) {
                double angle = grades[i] * Math.PI / 2 + 0.01 * i;
                ordered[2 * i] = (float) Math.cos(angle);
                ordered[2 * i + 1] = (float) Math.sin(angle);
                double other = grades[mix[i]] * Math.PI / 2 + 0.01 * i;
                shuffled[2 * i] = (float) Math.cos(other);
                shuffled[2 * i + 1] = (float) Math.sin(other);
            }
            NDArray g = m.create(grades);
            NDArray l = m.create(levels);
            float nOrdered = LevelSeverityLoss.neighbourScore(m.create(ordered, new Shape(9, 2)), g, 0.1f)
                    .getFloat();
            float nShuffled = LevelSeverityLoss.neighbourScore(m.create(shuffled, new Shape(9, 2)), g, 0.1f)
                    .getFloat();
            assertTrue(nOrdered < 0.01f && nShuffled > 10 * nOrdered, nOrdered + " vs " + nShuffled);
            float aOrdered = LevelSeverityLoss.axisPosition(m.create(ordered, new Shape(9, 2)), l, g)
                    .getFloat();
            float aShuffled = LevelSeverityLoss.axisPosition(m.create(shuffled, new Shape(9, 2)), l, g)
                    .getFloat();
            assertTrue(aOrdered < aShuffled, aOrdered + " vs " + aShuffled);
            assertEquals(
                    0f,
                    LevelSeverityLoss.axisPosition(
                                    m.create(new float[] {1, 0, 1, 0, 0, 1, 0, 1}, new Shape(4, 2)),
                                    m.create(new float[] {0, 0, 2, 2}),
                                    m.create(new float[] {0, 0, 1, 1}))
                            .getFloat(),
                    1e-4f,
                    "a scan at its centroid sits at its grade");
        }
    }
}
