package io.xraydrift.indexer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xraydrift.events.Level;
import io.xraydrift.events.ModelRef;
import io.xraydrift.events.ScanEmbedded;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.indexer.reference.ReferenceIndex;
import io.xraydrift.platform.config.Settings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Which model version answers: the newest complete one, whatever order the topic was read in. */
class AnsweringVersionTest {

    private static final long T0 = 1_764_000_000_000L;
    private static final long DAY = 86_400_000L;

    /** One labelled scan: its version, when it was embedded. */
    private record Labelled(String version, long embeddedAt) {}

    /** Replays the labelled scans in the given order through the indexer's store side; which version answers. */
    private static String replay(List<Labelled> order, int cohort) {
        IndexerConfig config = IndexerConfig.from(Settings.of(Map.of(
                IndexerConfig.MIN_COHORT.name(),
                String.valueOf(cohort),
                Settings.DEMO_MODE.name(),
                "true",
                IndexerConfig.TREES.name(),
                "2")));
        ReferenceIndexes indexes = new ReferenceIndexes(config, (built, size) -> {});
        Random vectors = new Random(1);
        int n = 0;
        for (Labelled l : order) {
            float[] v = {vectors.nextFloat(), vectors.nextFloat(), vectors.nextFloat(), vectors.nextFloat()};
            List<Float> boxed = new ArrayList<>();
            for (float x : v) {
                boxed.add(x);
            }
            indexes.add(
                    ScanEmbedded.newBuilder()
                            .setScanId("s" + n)
                            .setPatient("p" + n++)
                            .setAcquiredAt(Instant.ofEpochMilli(l.embeddedAt()))
                            .setReferenceLabel(Level.HEALTHY)
                            .setModel(new ModelRef("m", l.version(), 4, null, null))
                            .setVector(boxed)
                            .setEmbeddedAt(Instant.ofEpochMilli(l.embeddedAt()))
                            .build(),
                    v);
        }
        return indexes.answering();
    }

    @Test
    void theNewestCompleteVersionAnswersHoweverTheTopicIsRead() {
        // v1's cohort embedded on day 0, v2's (a backfill with a new model) on day 30, v3 started on day 40.
        List<Labelled> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(new Labelled("v1", T0 + i));
            all.add(new Labelled("v2", T0 + 30 * DAY + i));
        }
        for (int i = 0; i < 10; i++) {
            all.add(new Labelled("v3", T0 + 40 * DAY + i));
        }
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            Collections.shuffle(all, random); // any interleaving of partitions, any batch order
            assertEquals("m@v2", replay(all, 50), "round " + round);
        }
    }

    @Test
    void beforeAnyVersionHoldsItsCohortTheOldestAnswers() {
        List<Labelled> some = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            some.add(new Labelled("v2", T0 + 30 * DAY + i));
            some.add(new Labelled("v1", T0 + i));
        }
        assertEquals("m@v1", replay(some, 50));
        assertNull(ReferenceIndex.answering(Map.of()));
    }

    @Test
    void anOlderVersionCompletingLaterDoesNotTakeBackOver() {
        List<Labelled> order = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            order.add(new Labelled("v2", T0 + 30 * DAY + i)); // the new model's cohort is complete first
        }
        for (int i = 0; i < 50; i++) {
            order.add(new Labelled("v1", T0 + i)); // the old one's backfill finishes afterwards
        }
        assertEquals("m@v2", replay(order, 50));
    }
}
