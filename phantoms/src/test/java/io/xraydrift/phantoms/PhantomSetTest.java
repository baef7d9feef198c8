package io.xraydrift.phantoms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhantomSetTest {

    @Test
    void writesTheImageFolderLayoutAndManifestDeterministically(@TempDir Path a, @TempDir Path b) throws Exception {
        List<PhantomSet.Item> items = PhantomSet.labelled(3, 2, 2, 42, 0.2);
        PhantomSet.write(a, items, 64);
        PhantomSet.write(b, PhantomSet.labelled(3, 2, 2, 42, 0.2), 64);
        List<String> manifest = Files.readAllLines(a.resolve(PhantomSet.MANIFEST));
        assertEquals(PhantomSet.HEADER, manifest.get(0));
        assertEquals(8, manifest.size());
        for (PhantomSet.Item item : items) {
            assertTrue(item.file().startsWith(item.grade().label() + "/"), item.file());
            assertArrayEquals(Files.readAllBytes(a.resolve(item.file())), Files.readAllBytes(b.resolve(item.file())));
        }
        assertEquals(Files.readAllLines(b.resolve(PhantomSet.MANIFEST)), manifest);
    }

    @Test
    void labelledSeveritiesStayInsideTheirLevels() {
        for (PhantomSet.Item item : PhantomSet.labelled(20, 20, 20, 7, 0)) {
            String expected = item.file().substring(0, item.file().indexOf('/'));
            assertEquals(expected, item.grade().label(), item.toString());
        }
    }

    @Test
    void trajectoriesMoveTheWayTheirKindSays() {
        List<PhantomSet.Item> items = PhantomSet.trajectories(8, 8, 3, 0);
        Map<String, List<PhantomSet.Item>> byPatient =
                items.stream().collect(Collectors.groupingBy(PhantomSet.Item::patient));
        assertEquals(8, byPatient.size());
        for (List<PhantomSet.Item> series : byPatient.values()) {
            PhantomSet.Item first = series.get(0);
            PhantomSet.Item last = series.get(series.size() - 1);
            for (int i = 1; i < series.size(); i++) {
                assertTrue(series.get(i).acquiredAt().isAfter(series.get(i - 1).acquiredAt()));
            }
            switch (first.trajectory()) {
                case "worsening" -> {
                    assertEquals(Grade.HEALTHY, first.grade());
                    assertEquals(Grade.SEVERE, last.grade());
                }
                case "stable" -> series.forEach(i -> assertEquals(Grade.HEALTHY, i.grade()));
                case "improving" -> {
                    assertTrue(first.severity() > 0.6);
                    assertEquals(Grade.HEALTHY, last.grade());
                }
                case "fluctuating" -> series.forEach(i -> assertTrue(i.grade() != Grade.SEVERE));
                default -> throw new AssertionError(first.trajectory());
            }
        }
    }
}
