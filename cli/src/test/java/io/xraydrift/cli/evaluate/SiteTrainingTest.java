package io.xraydrift.cli.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.cli.XrayDrift;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.ModelCard;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.testing.RealCxr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A site's adaptation as the README gives it — {@code train --data DIR --out MODEL}, so with the site
 * defaults (starting from the bundled model; only fewer phantoms and epochs, to keep the suite short) — on a small real labelled
 * folder from {@code ../shared/real-cxr}: the model is written, loads as the embedder loads it, and
 * embeds real files of every format.
 */
public class SiteTrainingTest {

    @Test
    void aModelTrainedWithTheSiteDefaultsLoadsAndEmbedsRealFiles(@TempDir Path dir) throws Exception {
        Path cohort = subset(dir.resolve("cohort"), 8);
        Path out = dir.resolve("model");
        int rc = XrayDrift.commandLine()
                .execute(
                        "train",
                        "--data",
                        cohort.toString(),
                        "--out",
                        out.toString(),
                        "--phantoms",
                        "20",
                        "--projection-steps",
                        "300");
        assertEquals(0, rc);
        ModelCard card = ModelCard.read(out);
        ModelCard bundled = ModelCard.read(EmbeddingModel.defaultModelDirectory());
        assertTrue(
                String.valueOf(card.training().get("started_from")).startsWith(bundled.id() + "@" + bundled.version()),
                "site defaults start from the bundled model: " + card.training());
        assertEquals(bundled.network(), card.network());
        assertEquals(bundled.inputSize(), card.inputSize());
        assertEquals(bundled.equalized(), card.equalized(), "the bundled model's intensity mapping is kept");
        assertEquals(20, ((Number) card.training().get("phantoms_per_level")).intValue());
        Map<?, ?> projection = (Map<?, ?>) card.training().get("projection");
        assertEquals("ordinal", projection.get("kind"), "the cohort has radiologist-rated films: " + projection);
        assertTrue(Files.exists(out.resolve("MODEL_CARD.md")));
        try (EmbeddingModel model = EmbeddingModel.load(out)) {
            assertEquals(card.version(), model.card().version());
        }
        embedsEveryFormat(out, card);

        // Levels alone (the NIH films have no rating): the projection is learnt, with its contrastive term.
        Path unrated = dir.resolve("unrated");
        assertEquals(
                0,
                XrayDrift.commandLine()
                        .execute(
                                "train",
                                "--data",
                                cohort.toString(),
                                "--sources",
                                "nih",
                                "--out",
                                unrated.toString(),
                                "--phantoms",
                                "20",
                                "--projection-steps",
                                "100"));
        Map<?, ?> learnt = (Map<?, ?>) ModelCard.read(unrated).training().get("projection");
        assertEquals("learnt", learnt.get("kind"), "no rated film to learn a severity direction from: " + learnt);
        assertEquals(1.0, ((Number) learnt.get("contrastive_weight")).doubleValue(), 0.0);
    }

    /**
     * The bundled model's recipe (from scratch, the residual network at 128 px) on a few films of the
     * real pretraining pool: the model is written, names its network and loads and embeds real files
     * of every format.
     */
    @Test
    void theBundledRecipeTrainsTheResidualNetworkFromScratchOnThePool(@TempDir Path dir) throws Exception {
        Path pool = subset(RealCxr.pretrain(), dir.resolve("pool"), 6, true);
        Path out = dir.resolve("model");
        int rc = XrayDrift.commandLine()
                .execute(
                        "train",
                        "--data",
                        pool.toString(),
                        "--out",
                        out.toString(),
                        "--from-scratch",
                        "--network",
                        "xray-resnet",
                        "--input-size",
                        "128",
                        "--epochs",
                        "1",
                        "--phantoms",
                        "4",
                        "--seed",
                        "3");
        assertEquals(0, rc);
        ModelCard card = ModelCard.read(out);
        assertEquals("xray-resnet", card.network());
        assertEquals(128, card.inputSize());
        assertEquals("random initialisation", card.training().get("started_from"));
        assertTrue(
                card.training().get("command").toString().contains("--from-scratch --contrastive"),
                card.training().get("command").toString());
        embedsEveryFormat(out, card);
    }

    private static void embedsEveryFormat(Path out, ModelCard card) throws Exception {
        try (EmbeddingModel model = EmbeddingModel.load(out)) {
            for (Path f : formatFiles()) {
                float[] v = model.embed(model.preprocessing().input(Preprocessing.decode(Files.readAllBytes(f))));
                assertEquals(card.embeddingSize(), v.length, f.toString());
                assertTrue(
                        IntStream.range(0, v.length).allMatch(i -> Float.isFinite(v[i])), f + " gives a finite vector");
            }
        }
    }

    private static List<Path> formatFiles() throws Exception {
        List<Path> files = new ArrayList<>();
        try (var list = Files.list(RealCxr.formats())) {
            list.filter(p -> !p.toString().endsWith(".dcm")).sorted().forEach(files::add);
        }
        return files;
    }

    /** n scans of each level of the real dev split, by absolute path. */
    public static Path subset(Path to, int perLevel) throws Exception {
        return subset(RealCxr.dev(), to, perLevel, false);
    }

    /** n scans of each level (and data set, if {@code bySource}) of a real labelled folder, by absolute path. */
    static Path subset(Path dev, Path to, int perLevel, boolean bySource) throws Exception {
        List<String> lines = Files.readAllLines(dev.resolve("manifest.csv"));
        Map<String, Integer> taken = new HashMap<>();
        List<String> out = new ArrayList<>(List.of(lines.get(0)));
        int sourceColumn = List.of(lines.get(0).split(",", -1)).indexOf("source");
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            String source = bySource && sourceColumn >= 0 && sourceColumn < f.length ? f[sourceColumn] : "";
            if (taken.merge(f[2] + "/" + source, 1, Integer::sum) <= perLevel) {
                f[0] = dev.resolve(f[0]).toAbsolutePath().toString();
                out.add(String.join(",", f));
            }
        }
        Files.createDirectories(to);
        Files.write(to.resolve("manifest.csv"), out);
        return to;
    }
}
