package io.xraydrift.embedder.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.phantoms.Phantom;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The committed default model on phantoms it has never seen (other seeds than its training set):
 * 36-NN class purity by cosine, same patient excluded, meets the published study's figures.
 */
class DefaultModelPurityTest {

    /** Not the training seed (20261125) of the committed model. */
    private static final long FRESH_SEED = 777_001;

    private static final int K = 36;

    @Test
    void thirtySixNearestNeighboursArePureEnough() {
        List<PhantomSet.Item> items = PhantomSet.labelled(120, 120, 120, FRESH_SEED, 0.15);
        PhantomRenderer renderer = new PhantomRenderer(512);
        try (EmbeddingModel model = EmbeddingModel.loadDefault()) {
            assertEquals("xray-drift-default", model.card().id());
            List<float[]> inputs = new ArrayList<>(items.size());
            IntStream.range(0, items.size()).forEach(i -> inputs.add(null));
            IntStream.range(0, items.size()).parallel().forEach(i -> {
                Phantom p = PhantomSet.render(renderer, items.get(i));
                inputs.set(i, model.preprocessing().input(p.pixels(), p.width(), p.height()));
            });
            List<float[]> vectors = new ArrayList<>();
            for (int from = 0; from < inputs.size(); from += 32) {
                vectors.addAll(model.embed(inputs.subList(from, Math.min(inputs.size(), from + 32))));
            }
            assertEquals(model.card().embeddingSize(), vectors.get(0).length);
            int[] labels = items.stream().mapToInt(i -> i.grade().ordinal()).toArray();
            String[] patients = items.stream().map(PhantomSet.Item::patient).toArray(String[]::new);
            double[] purity = NeighbourPurity.perLabel(vectors, labels, patients, K, 3);
            String report = String.format(
                    Locale.ROOT,
                    "36-NN purity healthy=%.3f infected=%.3f severe=%.3f",
                    purity[0],
                    purity[1],
                    purity[2]);
            System.out.println(report);
            assertTrue(purity[0] >= 0.95, report);
            assertTrue(purity[1] >= 0.80, report);
            assertTrue(purity[2] >= 0.95, report);
        }
    }
}
