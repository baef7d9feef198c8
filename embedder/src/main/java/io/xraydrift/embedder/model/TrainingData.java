package io.xraydrift.embedder.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

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
        Path manifest = dir.resolve("manifest.csv");
        List<String> lines;
        try {
            lines = Files.readAllLines(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + manifest + " (write one with 'xray-drift phantoms')", e);
        }
        if (lines.isEmpty() || !lines.get(0).startsWith("file,patient,level,severity")) {
            throw new IllegalArgumentException(manifest + ": first line must start with file,patient,level,severity");
        }
        List<String[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                rows.add(lines.get(i).split(",", -1));
            }
        }
        Example[] examples = new Example[rows.size()];
        IntStream.range(0, rows.size()).parallel().forEach(i -> examples[i] = example(dir, rows.get(i), i + 2,
                preprocessing));
        List<Example> training = new ArrayList<>();
        List<Example> validation = new ArrayList<>();
        for (Example e : examples) {
            boolean held = Math.floorMod(e.patient().hashCode() * 0x9E3779B1, 1000) < validationShare * 1000;
            (held ? validation : training).add(e);
        }
        return new TrainingData(training, validation);
    }

    private static Example example(Path dir, String[] row, int lineNo, Preprocessing preprocessing) {
        if (row.length < 4) {
            throw new IllegalArgumentException("manifest line " + lineNo + " has " + row.length + " fields, needs 4");
        }
        int level = CLASSES.indexOf(row[2].trim().toLowerCase(Locale.ROOT));
        if (level < 0) {
            throw new IllegalArgumentException("manifest line " + lineNo + ": level '" + row[2] + "' is not one of "
                    + CLASSES);
        }
        float severity;
        try {
            severity = row[3].isBlank() ? level / 2f : Float.parseFloat(row[3]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("manifest line " + lineNo + ": severity '" + row[3] + "' is not a number");
        }
        Path file = dir.resolve(row[0]);
        try {
            float[] input = preprocessing.input(Preprocessing.decode(Files.readAllBytes(file)));
            return new Example(row[0], row[1], level, severity, input);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (manifest line " + lineNo + ")", e);
        }
    }

    /** Examples per class index. */
    public static int[] counts(List<Example> examples) {
        int[] c = new int[CLASSES.size()];
        examples.forEach(e -> c[e.level()]++);
        return c;
    }
}
