package io.xraydrift.embedder.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import io.xraydrift.phantoms.Manifest;

/**
 * A labelled image folder in the layout the phantoms command writes (and real data can be put
 * in): {@code manifest.csv} with {@code file,patient,level,severity,...}. Rows are split into
 * training and validation by patient, so no patient is on both sides.
 */
public record TrainingData(List<Example> training, List<Example> validation) {

    /** Level names in class-index order. */
    public static final List<String> CLASSES = List.of("healthy", "infected", "severe");

    /** One labelled image, preprocessed. */
    public record Example(String file, String patient, int level, float severity, float[] input) {
    }

    /** Reads and preprocesses every row; {@code validationShare} of patients (by hash) go to validation. */
    public static TrainingData read(Path dir, Preprocessing preprocessing, double validationShare) {
        List<Manifest.Entry> rows = Manifest.read(dir);
        Example[] examples = new Example[rows.size()];
        IntStream.range(0, rows.size()).parallel().forEach(i -> examples[i] = example(rows.get(i), preprocessing));
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
        return new Example(row.file(), row.patient(), level, severity,
                preprocessing.input(Preprocessing.decode(row.read())));
    }

    /** Examples per class index. */
    public static int[] counts(List<Example> examples) {
        int[] c = new int[CLASSES.size()];
        examples.forEach(e -> c[e.level()]++);
        return c;
    }
}
