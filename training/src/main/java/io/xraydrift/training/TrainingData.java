package io.xraydrift.training;

import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.phantoms.Manifest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.IntStream;

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
     * One labelled image, resized (gray levels 0..255); {@code file} names it (folder and file, or
     * phantom seed and file). {@code group} is what balanced sampling
     * evens out: the level and the data set it came from ({@code infected/nih}).
     */
    public record Example(String file, String patient, int level, float severity, String group, float[] resized) {}

    /** Reads one folder; {@code validationShare} of patients (by hash) go to validation. */
    public static TrainingData read(Path dir, Preprocessing preprocessing, double validationShare) {
        return read(List.of(dir), e -> true, preprocessing, validationShare, 0, 0);
    }

    /**
     * The rows of every folder that {@code keep} accepts, plus {@code phantomsPerLevel} phantoms of
     * each level ({@link LabelledImages#read}: labelled images of every severity with no acquisition
     * quirk in common with the site's films, which keep a small real cohort from teaching the network
     * its scanner instead of the lungs), resized; {@code validationShare} of patients (by hash) go to
     * validation.
     */
    public static TrainingData read(
            List<Path> dirs,
            Predicate<Manifest.Entry> keep,
            Preprocessing preprocessing,
            double validationShare,
            int phantomsPerLevel,
            long phantomSeed) {
        List<LabelledImages.Sample> samples = LabelledImages.read(dirs, keep, phantomsPerLevel, phantomSeed);
        Example[] examples = new Example[samples.size()];
        IntStream.range(0, samples.size()).parallel().forEach(i -> {
            LabelledImages.Sample s = samples.get(i);
            LabelledImages.Gray g = s.image().get();
            examples[i] = new Example(
                    s.key(),
                    s.patient(),
                    s.level(),
                    s.severity(),
                    s.group(),
                    preprocessing.resized(g.pixels(), g.width(), g.height()));
        });
        return split(Arrays.asList(examples), validationShare);
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

    /** Examples per class index. */
    public static int[] counts(List<Example> examples) {
        int[] c = new int[CLASSES.size()];
        examples.forEach(e -> c[e.level()]++);
        return c;
    }
}
