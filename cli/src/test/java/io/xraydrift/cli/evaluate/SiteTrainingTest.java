package io.xraydrift.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.xraydrift.cli.XrayDrift;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.ModelCard;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.stack.RealCxr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A site's adaptation as the README gives it — {@code train --data DIR --out MODEL}, so with the site
 * defaults (only fewer phantoms beside the data, to keep the suite short) — on a small real labelled
 * folder from {@code ../shared/real-cxr}: the model is written, loads as the embedder loads it, and
 * embeds real files of every format.
 */
public class SiteTrainingTest {

    @Test
    void aModelTrainedWithTheSiteDefaultsLoadsAndEmbedsRealFiles(@TempDir Path dir) throws Exception {
        Path cohort = subset(dir.resolve("cohort"), 8);
        Path out = dir.resolve("model");
        int rc = XrayDrift.commandLine().execute("train", "--data", cohort.toString(), "--out", out.toString(),
                "--phantoms", "20");
        assertEquals(0, rc);
        ModelCard card = ModelCard.read(out);
        assertTrue(card.equalized(), "site defaults equalise inputs");
        assertEquals(TrainingOptions.SITE_INPUT, card.inputSize());
        assertEquals(20, ((Number) card.training().get("phantoms_per_level")).intValue());
        assertEquals(1.0, ((Number) card.training().get("contrastive_weight")).doubleValue(), 0.0);
        assertTrue(Files.exists(out.resolve("MODEL_CARD.md")));
        try (EmbeddingModel model = EmbeddingModel.load(out)) {
            assertEquals(card.version(), model.card().version());
            List<Path> files = new ArrayList<>();
            try (var list = Files.list(RealCxr.formats())) {
                list.filter(p -> !p.toString().endsWith(".dcm")).sorted().forEach(files::add);
            }
            for (Path f : files) {
                float[] v = model.embed(model.preprocessing().input(Preprocessing.decode(Files.readAllBytes(f))));
                assertEquals(card.embeddingSize(), v.length, f.toString());
                double norm = 0;
                for (float x : v) {
                    assertTrue(Float.isFinite(x), f + " gives a finite vector");
                    norm += x * x;
                }
                assertTrue(norm > 0, f + " gives a non-zero vector");
            }
        }
    }

    /** n scans of each level of the real dev split, by absolute path. */
    public static Path subset(Path to, int perLevel) throws Exception {
        Path dev = RealCxr.dev();
        List<String> lines = Files.readAllLines(dev.resolve("manifest.csv"));
        Map<String, Integer> taken = new HashMap<>();
        List<String> out = new ArrayList<>(List.of(lines.get(0)));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (taken.merge(f[2], 1, Integer::sum) <= perLevel) {
                f[0] = dev.resolve(f[0]).toAbsolutePath().toString();
                out.add(String.join(",", f));
            }
        }
        Files.createDirectories(to);
        Files.write(to.resolve("manifest.csv"), out);
        return to;
    }
}
