package io.xraydrift.indexer.forest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ForestTest {

    private static final int K = 36;
    private static final int DIM = 48;
    private static final int POOL = 30_000;
    /** Low intrinsic dimension, like real embeddings; the last 300 rows are held-out queries. */
    private static final float[] DATA = SyntheticVectors.lowRank(POOL + 300, DIM, 10, 40, 0.35, 0.02, 1);

    private static float[] queries(int count, int skip) {
        return Arrays.copyOfRange(DATA, (POOL + skip) * DIM, (POOL + skip + count) * DIM);
    }

    private static float[] rows(int from, int count) {
        return Arrays.copyOfRange(DATA, from * DIM, (from + count) * DIM);
    }

    @ParameterizedTest
    @EnumSource(Metric.class)
    void recallAgainstBruteForce(Metric metric) {
        LiveIndex index = index(metric, 20_000, 10);
        index.rebuildNow();
        double recall = recall(index, queries(200, 0), 200, 2 * K * 10);
        assertTrue(recall >= 0.95, metric + " recall@36 " + recall);
    }

    @Test
    void sameSeedSameForest() {
        LiveIndex a = index(Metric.ANGULAR, 5_000, 8);
        LiveIndex b = index(Metric.ANGULAR, 5_000, 8);
        Forest fa = a.rebuildNow().forest();
        Forest fb = b.rebuildNow().forest();
        float[] queries = queries(20, 0);
        for (int q = 0; q < 20; q++) {
            float[] query = a.vectors().prepareQuery(Arrays.copyOfRange(queries, q * DIM, (q + 1) * DIM));
            assertTrue(Arrays.equals(fa.candidates(query, 500), fb.candidates(query, 500)), "query " + q);
            assertEquals(
                    fa.query(a.vectors().view(), query, K, 500, null),
                    fb.query(b.vectors().view(), query, K, 500, null));
        }
    }

    @Test
    void freshVectorsAreFoundAndMergedWithTheForest() {
        LiveIndex index = index(Metric.ANGULAR, 15_000, 10);
        index.rebuildNow();
        float[] more = rows(15_000, 5_000);
        int first = -1;
        for (int i = 0; i < 5_000; i++) {
            int ordinal = index.vectors().add(Arrays.copyOfRange(more, i * DIM, (i + 1) * DIM));
            first = first < 0 ? ordinal : first;
        }
        assertEquals(5_000, index.fresh());
        float[] added = Arrays.copyOfRange(more, 17 * DIM, 18 * DIM);
        assertEquals(
                first + 17, index.search(added, K, K * 40, i -> true).get(0).ordinal(), "a fresh vector finds itself");
        double recall = recall(index, queries(100, 200), 100, K * 10);
        assertTrue(recall >= 0.95, "recall over forest + fresh " + recall);
    }

    @Test
    void filteredSearchReturnsOnlyAcceptedVectors() {
        LiveIndex index = index(Metric.EUCLIDEAN, 8_000, 8);
        index.rebuildNow();
        float[] q = queries(1, 0);
        List<Neighbour> even = index.search(q, K, 8_000, i -> i % 2 == 0);
        assertEquals(K, even.size());
        even.forEach(n -> assertEquals(0, n.ordinal() % 2));
        assertEquals(index.exact(q, K, i -> i % 2 == 0), even, "exhaustive search equals brute force");
    }

    @Test
    void aFilterThatKeepsFewCandidatesStillGetsKNeighbours() {
        LiveIndex index = index(Metric.ANGULAR, 8_000, 4);
        index.rebuildNow();
        float[] q = queries(1, 1);
        IntPredicate rare = i -> i % 100 == 7; // 80 of 8,000 accepted, few of them among the candidates
        List<Neighbour> found = index.search(q, K, K, rare);
        assertEquals(K, found.size(), "k accepted vectors exist, so k are answered");
        assertEquals(index.exact(q, K, rare), found, "and they are the nearest ones");
    }

    @Test
    void swapsDuringConcurrentQueriesNeverGiveAWrongOrPartialAnswer() throws Exception {
        LiveIndex index = index(Metric.ANGULAR, 6_000, 6);
        index.rebuildNow();
        float[] more = rows(6_000, 2_000);
        for (int i = 0; i < 2_000; i++) {
            index.vectors().add(Arrays.copyOfRange(more, i * DIM, (i + 1) * DIM));
        }
        float[] queries = queries(50, 0);
        List<List<Neighbour>> expected = new ArrayList<>();
        for (int q = 0; q < 50; q++) {
            expected.add(index.exact(Arrays.copyOfRange(queries, q * DIM, (q + 1) * DIM), K, i -> true));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger checked = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> readers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            readers.add(pool.submit(() -> {
                while (!stop.get()) {
                    for (int q = 0; q < 50; q++) {
                        // searchK covers every vector: any missing or extra item is a swap bug
                        List<Neighbour> got =
                                index.search(Arrays.copyOfRange(queries, q * DIM, (q + 1) * DIM), K, 20_000, i -> true);
                        assertEquals(expected.get(q), got, "query " + q + " during swaps");
                        checked.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        long versionBefore = index.built().version();
        for (int swap = 0; swap < 6; swap++) {
            // Each swap is followed by a full pass of the readers on the new forest before the next one:
            // under CPU load the swaps used to finish before the readers had run at all (a CI flake).
            int before = checked.get();
            index.rebuildNow();
            while (checked.get() < before + 50 && readers.stream().noneMatch(Future::isDone)) {
                Thread.sleep(1);
            }
        }
        stop.set(true);
        for (Future<?> f : readers) {
            f.get();
        }
        pool.shutdown();
        assertEquals(versionBefore + 6, index.built().version());
        assertEquals(0, index.fresh());
        assertTrue(checked.get() >= 6 * 50, "queries checked during swaps: " + checked.get());
    }

    private static LiveIndex index(Metric metric, int n, int trees) {
        float[] data = rows(0, n);
        Vectors vectors = new Vectors(metric, DIM, n);
        for (int i = 0; i < n; i++) {
            vectors.add(Arrays.copyOfRange(data, i * DIM, (i + 1) * DIM));
        }
        return new LiveIndex(vectors, trees, 42, 256, 1000, Duration.ofDays(1), (b, s) -> {});
    }

    private static double recall(LiveIndex index, float[] queries, int count, int searchK) {
        int hit = 0;
        for (int q = 0; q < count; q++) {
            float[] query = Arrays.copyOfRange(queries, q * DIM, (q + 1) * DIM);
            Set<Integer> truth = new HashSet<>();
            index.exact(query, K, i -> true).forEach(n -> truth.add(n.ordinal()));
            for (Neighbour n : index.search(query, K, searchK, i -> true)) {
                hit += truth.contains(n.ordinal()) ? 1 : 0;
            }
        }
        return (double) hit / (count * K);
    }
}
