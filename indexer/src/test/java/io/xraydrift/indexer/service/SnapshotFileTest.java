package io.xraydrift.indexer.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.events.Level;
import io.xraydrift.indexer.forest.Metric;
import io.xraydrift.indexer.forest.SyntheticVectors;
import io.xraydrift.indexer.reference.ReferenceIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest {

    private static final int DIM = 32;
    private static final SnapshotFile.Expectation EXPECT = new SnapshotFile.Expectation(Metric.ANGULAR, 5);

    @Test
    void roundTripGivesTheSameAnswers(@TempDir Path dir) throws Exception {
        ReferenceIndex ref = filled(3000);
        ref.index().rebuildNow();
        float[] more = SyntheticVectors.lowRank(200, DIM, 6, 3, 0.3, 0.02, 9);
        for (int i = 0; i < 200; i++) {
            ref.add("late-" + i, "pl-" + i, Level.HEALTHY, Arrays.copyOfRange(more, i * DIM, (i + 1) * DIM));
        }
        ref.seen(1_764_000_000_000L);
        ref.markComplete();
        Path file = SnapshotFile.write(dir, ref, Map.of(0, 42L, 1, 7L));
        SnapshotFile.Loaded loaded = SnapshotFile.read(file, EXPECT, 42, 0.1, Duration.ofDays(1), (b, s) -> {});
        assertEquals(Map.of(0, 42L, 1, 7L), loaded.offsets());
        assertEquals(1_764_000_000_000L, loaded.index().firstSeen());
        assertTrue(loaded.index().complete());
        assertEquals(ref.size(), loaded.index().size());
        assertEquals(5 / 7.0, loaded.index().entry(5).severity(), 0.0);
        assertTrue(Double.isNaN(loaded.index().entry(4).severity()));
        assertEquals(200, loaded.index().index().fresh());
        assertEquals(ref.counts(), loaded.index().counts(), "label counts regrown from the entries");
        for (Level level : Level.values()) {
            assertArrayEquals(ref.centroidSum(level), loaded.index().centroidSum(level), 1e-9);
        }
        assertEquals(
                ref.index().built().version(), loaded.index().index().built().version());
        float[] queries = SyntheticVectors.lowRank(20, DIM, 6, 3, 0.3, 0.02, 11);
        for (int q = 0; q < 20; q++) {
            float[] v = Arrays.copyOfRange(queries, q * DIM, (q + 1) * DIM);
            assertEquals(ref.nearest(v, "p-3", 36, 500), loaded.index().nearest(v, "p-3", 36, 500));
            assertEquals(ref.axisPosition(v), loaded.index().axisPosition(v), 1e-9);
        }
    }

    @Test
    void aCorruptSnapshotIsReportedNotUsed(@TempDir Path dir) throws Exception {
        ReferenceIndex ref = filled(500);
        ref.index().rebuildNow();
        Path file = SnapshotFile.write(dir, ref, Map.of(0, 1L));
        byte[] good = Files.readAllBytes(file);
        // A byte in the header, in the vectors (first section, first page after the header), the
        // last byte (the forest's leaf items), and a file cut short: each reported, none used.
        Map<String, Integer> flips =
                Map.of("header", 30, "vectors", SnapshotFile.ALIGN + 100, "leaf items", good.length - 1);
        for (var flip : flips.entrySet()) {
            byte[] bytes = good.clone();
            bytes[flip.getValue()] ^= 0x5A;
            Files.write(file, bytes);
            IOException e = assertThrows(
                    IOException.class,
                    () -> SnapshotFile.read(file, EXPECT, 42, 0.1, Duration.ofDays(1), (b, s) -> {}),
                    flip.getKey());
            assertTrue(e.getMessage().contains("corrupt"), flip.getKey() + ": " + e.getMessage());
        }
        Files.write(file, Arrays.copyOf(good, good.length - 5000));
        IOException cut = assertThrows(
                IOException.class, () -> SnapshotFile.read(file, EXPECT, 42, 0.1, Duration.ofDays(1), (b, s) -> {}));
        assertTrue(cut.getMessage().contains("corrupt"), cut.getMessage());
        Files.write(file, good);
        assertEquals(
                500,
                SnapshotFile.read(file, EXPECT, 42, 0.1, Duration.ofDays(1), (b, s) -> {})
                        .index()
                        .size());
    }

    @Test
    void sectionsStartOnPageBoundariesSoTheyCanBeMapped(@TempDir Path dir) throws Exception {
        ReferenceIndex ref = filled(700);
        ref.index().rebuildNow();
        Path file = SnapshotFile.write(dir, ref, Map.of(0, 3L));
        ByteBuffer vectors;
        try (var channel = FileChannel.open(file)) {
            vectors = channel.map(FileChannel.MapMode.READ_ONLY, SnapshotFile.ALIGN, 700L * DIM * 4)
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
        float[] held = ref.index().vectors().view().data();
        for (int i = 0; i < 700 * DIM; i++) {
            assertEquals(held[i], vectors.getFloat(4 * i), "float " + i + " of the mapped vectors");
        }
    }

    @Test
    void aMismatchedSnapshotIsReported(@TempDir Path dir) throws Exception {
        ReferenceIndex ref = filled(300);
        ref.index().rebuildNow();
        Path file = SnapshotFile.write(dir, ref, Map.of());
        IOException e = assertThrows(
                IOException.class,
                () -> SnapshotFile.read(
                        file,
                        new SnapshotFile.Expectation(Metric.EUCLIDEAN, 5),
                        42,
                        0.1,
                        Duration.ofDays(1),
                        (b, s) -> {}));
        assertTrue(e.getMessage().contains("configured EUCLIDEAN"), e.getMessage());
    }

    private static ReferenceIndex filled(int n) {
        ReferenceIndex ref =
                new ReferenceIndex("m", "v1", Metric.ANGULAR, DIM, 5, 42, 100, Duration.ofDays(1), (b, s) -> {});
        float[] data = SyntheticVectors.lowRank(n, DIM, 6, 3, 0.3, 0.02, 1);
        for (int i = 0; i < n; i++) {
            // Every third scan (the severe ones) carries a radiologist severity; the snapshot keeps it.
            ref.add(
                    "s-" + i,
                    "p-" + (i % 50),
                    Level.values()[i % 3],
                    i % 3 == 2 ? (i % 7) / 7.0 : Double.NaN,
                    Arrays.copyOfRange(data, i * DIM, (i + 1) * DIM));
        }
        return ref;
    }
}
