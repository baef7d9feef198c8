package io.xraydrift.indexer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.xraydrift.indexer.forest.Metric;

/** Which model version answers: the newest complete one, whatever order the topic was read in. */
class AnsweringVersionTest {

    private static final long T0 = 1_764_000_000_000L;
    private static final long DAY = 86_400_000L;

    private static ReferenceIndex version(String v) {
        return new ReferenceIndex("m", v, Metric.ANGULAR, 4, 2, 42, 100, Duration.ofDays(1), (b, s) -> { });
    }

    /** One labelled scan: its version, when it was embedded. */
    private record Labelled(String version, long embeddedAt) {
    }

    /** Replays the labelled scans in the given order as the indexer's store does: seen, then cohort check. */
    private static String replay(List<Labelled> order, int cohort) {
        Map<String, ReferenceIndex> indexes = new LinkedHashMap<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (Labelled l : order) {
            ReferenceIndex ref = indexes.computeIfAbsent("m@" + l.version(), k -> version(l.version()));
            ref.seen(l.embeddedAt());
            if (sizes.merge(l.version(), 1, Integer::sum) >= cohort) {
                ref.markComplete();
            }
        }
        return ReferenceIndex.answering(indexes);
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
