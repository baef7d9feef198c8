package io.xraydrift.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.events.Level;
import io.xraydrift.indexer.reference.Scoring;
import io.xraydrift.phantoms.Grade;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The floors on phantoms, whose lungs whiten with severity: raw pixels separate the levels well
 * under a linear head and their neighbours, the lung-field mean follows severity, and every floor
 * is measured on the same folds with mean and spread.
 */
class FloorsTest {

    @Test
    void pixelsAndTheLungFieldMeanAreMeasuredOnTheSameFolds() {
        List<Evaluation.Row> rows = new ArrayList<>();
        PhantomRenderer renderer = new PhantomRenderer(128);
        for (PhantomSet.Item item : PhantomSet.labelled(30, 20, 20, 31337, 0.15)) {
            rows.add(new Evaluation.Row(
                    item.file(),
                    item.patient(),
                    Level.valueOf(item.grade().name()),
                    item.grade() == Grade.HEALTHY ? Double.NaN : item.severity(),
                    Instant.EPOCH,
                    "",
                    PhantomSet.render(renderer, item).toPng()));
        }
        Map<String, Integer> folds = CrossValidateCommand.deal(rows, 3, 7);
        Map<String, Object> floors = Floors.measure(
                rows, folds, 3, null, new Scoring(0.15, 0.55, 0.3), new DriftRule(0.15, 0.55, 0.05, 4, 0.15, 2));
        assertEquals(List.of("pixels_16", "pixels_32", "lung_field_mean_intensity"), List.copyOf(floors.keySet()));
        Map<?, ?> pixels = (Map<?, ?>) ((Map<?, ?>) floors.get("pixels_16")).get("mean");
        assertTrue(((Number) pixels.get("linear_auroc_healthy")).doubleValue() > 0.8, pixels.toString());
        assertTrue(((Number) pixels.get("neighbour_auroc_healthy")).doubleValue() > 0.8, pixels.toString());
        assertTrue(((Map<?, ?>) floors.get("pixels_16")).containsKey("sd"));
        Map<?, ?> lung = (Map<?, ?>) ((Map<?, ?>) floors.get("lung_field_mean_intensity")).get("mean");
        assertTrue(((Number) lung.get("auroc_healthy")).doubleValue() > 0.7, lung.toString());
        assertTrue(((Number) lung.get("severity_spearman")).doubleValue() > 0.3, lung.toString());
    }
}
