package io.xraydrift.training;

import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.phantoms.Manifest;
import io.xraydrift.phantoms.Phantom;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Labelled images to learn from, read lazily: the rows of manifest folders and rendered phantoms.
 * Each has a key that names it for the feature cache (folder and file, or phantom seed and file).
 */
final class LabelledImages {

    /** 8-bit gray pixels, row-major. */
    record Gray(byte[] pixels, int width, int height) {}

    /**
     * One labelled image. {@code severity} is the radiologist's (or phantom's) severity, or the
     * level's grade (0 / 0.5 / 1) when the row has none; {@code rated} says whether it had one;
     * {@code group} is level and data set, what balanced sampling evens out.
     */
    record Sample(
            String key, String patient, int level, float severity, boolean rated, String group, Supplier<Gray> image) {

        /** A film a radiologist rated (a manifest row with a severity; a phantom's severity is its renderer's). */
        boolean radiologistRated() {
            return rated && !key.startsWith(PHANTOM_KEY);
        }
    }

    private static final String PHANTOM_KEY = "phantom:";

    private LabelledImages() {}

    /** The rows of the folders that {@code keep} accepts, then {@code phantomsPerLevel} phantoms of each level. */
    static List<Sample> read(List<Path> dirs, Predicate<Manifest.Entry> keep, int phantomsPerLevel, long phantomSeed) {
        List<Sample> out = new ArrayList<>();
        for (Path dir : dirs) {
            String folder = dir.toAbsolutePath().normalize().toString();
            for (Manifest.Entry row : Manifest.read(dir)) {
                if (!keep.test(row)) {
                    continue;
                }
                int level = row.grade().ordinal();
                boolean rated = !Double.isNaN(row.severity());
                String dataSet = row.dataSet().isEmpty() ? "unnamed" : row.dataSet();
                out.add(new Sample(
                        folder + "/" + row.file(),
                        row.patient(),
                        level,
                        rated ? (float) row.severity() : level / 2f,
                        rated,
                        TrainingData.CLASSES.get(level) + "/" + dataSet,
                        () -> gray(Preprocessing.decode(row.read()))));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(
                    "no labelled rows to train on in " + dirs + " (after the source and patient filters)");
        }
        if (phantomsPerLevel > 0) {
            PhantomRenderer renderer = new PhantomRenderer(512);
            for (PhantomSet.Item item :
                    PhantomSet.labelled(phantomsPerLevel, phantomsPerLevel, phantomsPerLevel, phantomSeed, 0.15)) {
                int level = item.grade().ordinal();
                out.add(new Sample(
                        PHANTOM_KEY + phantomSeed + ":" + item.file(),
                        item.patient(),
                        level,
                        (float) item.severity(),
                        true,
                        TrainingData.CLASSES.get(level) + "/phantom",
                        () -> {
                            Phantom p = PhantomSet.render(renderer, item);
                            return new Gray(p.pixels(), p.width(), p.height());
                        }));
            }
        }
        return out;
    }

    static Gray gray(BufferedImage img) {
        return new Gray(Preprocessing.gray(img), img.getWidth(), img.getHeight());
    }
}
