package io.xraydrift.embedder.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import io.xraydrift.phantoms.Manifest;

/**
 * Labelled image folders in the layout the phantoms command writes (and real data can be put
 * in): {@code manifest.csv} with {@code file,patient,level,severity,...}. Rows are split into
 * training and validation by patient, so no patient is on both sides. Images are kept resized
 * but not yet normalised, so that training can augment them before {@link Preprocessing#finish}.
 */
public record TrainingData(List<Example> training, List<Example> validation) {

    /** Level names in class-index order. */
    public static final List<String> CLASSES = List.of("healthy", "infected", "severe");

    /**
     * One labelled image, resized (gray levels 0..255). {@code group} is what balanced sampling
     * evens out: the level and the data set it came from ({@code infected/nih}).
     */
    public record Example(String file, String patient, int level, float severity, String group, float[] resized) {
    }

    /** Reads one folder; {@code validationShare} of patients (by hash) go to validation. */
    public static TrainingData read(Path dir, Preprocessing preprocessing, double validationShare) {
        return read(List.of(dir), e -> true, preprocessing, validationShare);
    }

    /**
     * Reads the rows of every folder that {@code keep} accepts and resizes their images;
     * {@code validationShare} of patients (by hash) go to validation.
     */
    public static TrainingData read(List<Path> dirs, Predicate<Manifest.Entry> keep, Preprocessing preprocessing,
                                    double validationShare) {
        List<Manifest.Entry> rows = new ArrayList<>();
        for (Path dir : dirs) {
            Manifest.read(dir).stream().filter(keep).forEach(rows::add);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no labelled rows to train on in " + dirs
                    + " (after the source and patient filters)");
        }
        Example[] examples = new Example[rows.size()];
        IntStream.range(0, rows.size()).parallel().forEach(i -> examples[i] = example(rows.get(i), preprocessing));
        return split(java.util.Arrays.asList(examples), validationShare);
    }

    /**
     * As {@link #read(List, Predicate, Preprocessing, double)}, plus {@code phantomsPerLevel}
     * phantoms of each level rendered here (512 px, seeded; group {@code <level>/phantom}): labelled
     * images of every severity with no acquisition quirk in common with the site's films, which keep
     * a small real cohort from teaching the network its scanner instead of the lungs.
     */
    public static TrainingData read(List<Path> dirs, Predicate<Manifest.Entry> keep, Preprocessing preprocessing,
                                    double validationShare, int phantomsPerLevel, long phantomSeed) {
        TrainingData real = read(dirs, keep, preprocessing, validationShare);
        if (phantomsPerLevel <= 0) {
            return real;
        }
        List<io.xraydrift.phantoms.PhantomSet.Item> items = io.xraydrift.phantoms.PhantomSet.labelled(phantomsPerLevel,
                phantomsPerLevel, phantomsPerLevel, phantomSeed, 0.15);
        io.xraydrift.phantoms.PhantomRenderer renderer = new io.xraydrift.phantoms.PhantomRenderer(512);
        Example[] rendered = new Example[items.size()];
        IntStream.range(0, items.size()).parallel().forEach(i -> {
            io.xraydrift.phantoms.PhantomSet.Item item = items.get(i);
            io.xraydrift.phantoms.Phantom p = io.xraydrift.phantoms.PhantomSet.render(renderer, item);
            int level = item.grade().ordinal();
            rendered[i] = new Example(item.file(), item.patient(), level, (float) item.severity(),
                    CLASSES.get(level) + "/phantom", preprocessing.resized(p.pixels(), p.width(), p.height()));
        });
        TrainingData phantoms = split(java.util.Arrays.asList(rendered), validationShare);
        List<Example> training = new ArrayList<>(real.training());
        training.addAll(phantoms.training());
        List<Example> validation = new ArrayList<>(real.validation());
        validation.addAll(phantoms.validation());
        return new TrainingData(training, validation);
    }

    private static TrainingData split(List<Example> examples, double validationShare) {
        List<Example> training = new ArrayList<>();
        List<Example> validation = new ArrayList<>();
        for (Example e : examples) {
            boolean held = Math.floorMod(e.patient().hashCode() * 0x9E3779B1, 1000) < validationShare * 1000;
            (held ? validation : training).add(e);
        }
        return new TrainingData(training, validation);
    }

    private static Example example(Manifest.Entry row, Preprocessing preprocessing) {
        int level = row.grade().ordinal();
        float severity = Double.isNaN(row.severity()) ? level / 2f : (float) row.severity();
        String dataSet = row.dataSet().isEmpty() ? "unnamed" : row.dataSet();
        return new Example(row.file(), row.patient(), level, severity, CLASSES.get(level) + "/" + dataSet,
                preprocessing.resized(Preprocessing.decode(row.read())));
    }

    /** Examples per class index. */
    public static int[] counts(List<Example> examples) {
        int[] c = new int[CLASSES.size()];
        examples.forEach(e -> c[e.level()]++);
        return c;
    }
}
