package io.xraydrift.cli.evaluate;

import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.ModelCard;
import io.xraydrift.embedder.model.Network;
import io.xraydrift.embedder.model.XrayResNet;
import io.xraydrift.training.Augmentation;
import io.xraydrift.training.ModelTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How a model is trained: the options {@code train} and {@code crossval} share, with the defaults a
 * site should use on a few hundred labelled scans — the bundled model's distilled student kept
 * frozen, a linear projection learnt anew on the site's levels and severities (300 steps, each film
 * as it is and one augmented view at strength 0.5, a supervised contrastive term graded by severity
 * beside the level and severity heads, no phantoms) — chosen by patient-disjoint cross-validation on
 * real radiographs (docs/real-data.md). The project's earlier networks ({@code --from-scratch}) keep
 * their own defaults (full augmentation, 400 phantoms a level, 30 epochs).
 */
final class TrainingOptions {

    /** Input side of the site defaults (the project's network; a backbone takes 224). */
    static final int SITE_INPUT = ModelTrainer.DEFAULT_INPUT;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--epochs", defaultValue = "30", description = "Passes over the data (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of initialisation, shuffling and augmentation " + "(default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--learning-rate",
            defaultValue = "0.001",
            description = "Adam learning rate at the start; it "
                    + "decays along a cosine to 1/50 of it (default: ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(
            names = "--sources",
            split = ",",
            description = "Train only on rows whose manifest 'source' data set "
                    + "(before its colon) is one of these, e.g. nih; rows of a manifest without a source column are 'unnamed' "
                    + "(default: every row).")
    Set<String> sources = new LinkedHashSet<>();

    @Option(
            names = "--equalize",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Histogram-equalise inputs, in training and in the saved model (default: ${DEFAULT-VALUE}).")
    boolean equalize;

    @Option(
            names = "--augment",
            description = "Augmentation strength, 0 = none, 1 = shifts, zoom, rotation, "
                    + "exposure, blur, noise and burnt-in text (default: 0.5 for the distilled student, a projection and "
                    + "--teacher; 1 for the project's other networks).")
    Double augment;

    @Option(
            names = "--phantoms",
            description = "Phantoms of each level rendered and trained on beside the data "
                    + "(seeded by --seed); 0 = none (default: 400 for the project's networks trained end to end, 0 for a "
                    + "projection on a frozen student or backbone, which the site's own films teach best).")
    Integer phantoms;

    @Option(
            names = "--contrastive",
            defaultValue = "1",
            description =
                    "Weight of a supervised contrastive term on the "
                            + "embedding (same level together, by cosine), beside the level and severity heads (default: ${DEFAULT-VALUE}).")
    float contrastive;

    @Option(
            names = "--init",
            description = "Model directory of the project's network to start from (fine-tuning), "
                    + "or 'default': the bundled model, which is where training starts unless --from-scratch or --backbone "
                    + "is given (its network, input size and intensity are then the model's).")
    String init;

    @Option(
            names = "--from-scratch",
            description = "Train the project's network from random weights (--network, "
                    + "--input-size) instead of starting from the bundled model.")
    boolean fromScratch;

    @Option(
            names = "--backbone",
            description = "A site's TorchScript image backbone (input N x 3 x 224 x 224 in "
                    + "[-1, 1], output N x D features; traced in eval mode), kept frozen: only the projection is learnt on the "
                    + "data, and the saved model carries the file.")
    Path backbone;

    @Option(
            names = "--teacher",
            description = "Distil the project's student network (--input-size, default "
                    + ModelTrainer.STUDENT_INPUT
                    + ") from this TorchScript teacher (same input convention as --backbone) on "
                    + "the data's images for --epochs, then learn its projection on the data's labels. The teacher's features "
                    + "are computed once per image and cached; the saved model does not need the teacher.")
    Path teacher;

    @Option(
            names = "--projection-steps",
            defaultValue = "" + ModelTrainer.DEFAULT_PROJECTION_STEPS,
            description = "Batches of " + ModelTrainer.PROJECTION_BATCH
                    + " the projection is trained for (default: ${DEFAULT-VALUE}).")
    int projectionSteps;

    @Option(
            names = "--severity-scale",
            defaultValue = "0.1",
            description = "Projection: the contrastive term's "
                    + "positives graded by severity, exp(-|s_i - s_j| / SCALE) (a scan without a radiologist severity counts "
                    + "its level's grade 0 / 0.5 / 1); 0 = positives by level only (default: ${DEFAULT-VALUE}).")
    float severityScale;

    @Option(
            names = "--neighbour-weight",
            defaultValue = "0",
            description = "Projection: weight of a term that "
                    + "learns the indexer's neighbour score itself — each scan's soft nearest-neighbour grade in the batch "
                    + "(cosine, temperature 0.1), regressed on its own grade (NCA as regression); 0 = off "
                    + "(default: ${DEFAULT-VALUE}).")
    float neighbourWeight;

    @Option(
            names = "--axis-weight",
            defaultValue = "0",
            description = "Projection: weight of a term that learns "
                    + "an axis score — each scan's position on the batch's healthy-to-severe centroid axis (the "
                    + "indexer's axis before its grade axis), "
                    + "regressed on its grade; 0 = off (default: ${DEFAULT-VALUE}).")
    float axisWeight;

    @Option(
            names = "--projection",
            description = "How the projection onto the embedding is learnt: learnt "
                    + "(gradient steps on the level, severity and contrastive terms above) or ordinal (closed form: ridge "
                    + "regressions of the radiologist's severity, on the rated films, and of healthy-or-not make the angle "
                    + "between films follow their predicted grades, so a film's neighbours are the films graded alike; "
                    + "--projection-steps and the loss weights do not apply), or auto (ordinal where DATA has radiologist-rated "
                    + "films, learnt otherwise) (default: ordinal with --backbone, auto on the distilled student, learnt "
                    + "otherwise: measured best for each, docs/real-data.md).")
    String projection;

    @Option(
            names = "--subsample",
            defaultValue = "1",
            description = "Train on this share of the data's rows, "
                    + "drawn by a hash of the file name (the same rows every run; default: ${DEFAULT-VALUE}).")
    double subsample;

    @Option(
            names = "--features-only",
            description = "With --teacher: compute and cache the teacher's features of "
                    + "the data, then stop (the launcher does this first, with oneDNN capped at AVX, on machines that hide "
                    + "their CPU cache sizes, where oneDNN's 1x1 convolutions crash).")
    boolean featuresOnly;

    @Option(
            names = "--views",
            defaultValue = "2",
            description = "Views of each image the projection learns from: "
                    + "the film as it is plus VIEWS - 1 augmented copies, features cached (default: ${DEFAULT-VALUE}).")
    int views;

    @Option(
            names = "--teacher-views",
            defaultValue = "1",
            description = "With --teacher: views of each film the teacher's features are computed for (and cached): "
                    + "the film as it is plus N - 1 copies under the augmentation. With more than one, each epoch shows "
                    + "the student one view of each film exactly as the teacher saw it (consistent teaching); with one, "
                    + "the student sees the film under its own augmentation and learns the teacher's features of the "
                    + "plain film (default: ${DEFAULT-VALUE}).")
    int teacherViews;

    @Option(
            names = "--input-size",
            description = "Input side in pixels (default: " + SITE_INPUT + "; 224 with --backbone).")
    Integer inputSize;

    @Option(
            names = "--network",
            description = "The project's network to train: " + ModelCard.XRAY_NET
                    + " (compact four-stage CNN) or " + XrayResNet.NETWORK
                    + " (residual, for 128 px and up); with --init, "
                    + "the init model's (default: " + ModelCard.XRAY_NET + ").")
    String network;

    @Option(names = "--id", description = "Model id (default: xray-drift-default, or the backbone file's name).")
    String id;

    /** The trainer's options for these data, output and held-out patients; fails on values out of range. */
    ModelTrainer.Options options(List<Path> data, Path out, Set<String> excludedPatients) {
        if (epochs < 1 || batch < 1) {
            throw new ParameterException(spec.commandLine(), "--epochs and --batch must be at least 1");
        }
        if (backbone != null && !backbone.toFile().isFile()) {
            throw new ParameterException(spec.commandLine(), "--backbone " + backbone + " is not a file");
        }
        if (augment != null && (augment < 0 || augment > 2)) {
            throw new ParameterException(spec.commandLine(), "--augment " + augment + " is outside [0, 2]");
        }
        if (teacherViews < 1) {
            throw new ParameterException(spec.commandLine(), "--teacher-views " + teacherViews + " is below 1");
        }
        if (teacher != null && !teacher.toFile().isFile()) {
            throw new ParameterException(spec.commandLine(), "--teacher " + teacher + " is not a file");
        }
        if (teacher != null && (init != null || backbone != null)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--teacher distils a new student: it cannot be combined " + "with --init or --backbone");
        }
        if (fromScratch && (init != null || backbone != null)) {
            throw new ParameterException(
                    spec.commandLine(), "--from-scratch cannot be combined with --init or " + "--backbone");
        }
        ModelTrainer.Projection kind = null;
        if (projection != null) {
            try {
                kind = ModelTrainer.Projection.valueOf(projection.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(
                        spec.commandLine(), "--projection " + projection + " is none of learnt, ordinal, auto");
            }
        }
        String initName = init != null ? init : backbone == null && teacher == null && !fromScratch ? "default" : null;
        Path initDir = initName == null
                ? null
                : "default".equals(initName) ? EmbeddingModel.defaultModelDirectory() : Path.of(initName);
        ModelCard from = null;
        if (initDir != null) {
            if (!Files.isRegularFile(initDir.resolve(ModelCard.FILE))) {
                throw new ParameterException(spec.commandLine(), "--init " + initName + " has no " + ModelCard.FILE);
            }
            from = ModelCard.read(initDir);
        }
        String net = network != null ? network : from != null ? from.network() : ModelCard.XRAY_NET;
        try {
            Network.named(net);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        int size = inputSize != null
                ? inputSize
                : backbone != null
                        ? EmbeddingModel.BACKBONE_INPUT
                        : teacher != null ? ModelTrainer.STUDENT_INPUT : from != null ? from.inputSize() : SITE_INPUT;
        boolean equalized = from != null ? from.equalized() : equalize && teacher == null;
        boolean projected = backbone != null
                || teacher != null
                || from != null && Network.XRAY_STUDENT.cardName().equals(from.network());
        if (kind == null) {
            // Measured best for each (docs/real-data.md): ordinal on a site's backbone; on the distilled
            // student, ordinal where the rows have radiologist-rated films (decided on the rows training keeps).
            kind = backbone != null
                    ? ModelTrainer.Projection.ORDINAL
                    : teacher == null && projected ? ModelTrainer.Projection.AUTO : ModelTrainer.Projection.LEARNT;
        }
        double strength = augment != null ? augment : projected ? 0.5 : 1.0;
        int phantomsPerLevel = phantoms != null ? phantoms : projected && teacher == null ? 0 : 400;
        String modelId = id != null
                ? id
                : backbone != null
                        ? backbone.getFileName().toString().replaceFirst("\\.pt$", "")
                        : "xray-drift-default";
        String command = "xray-drift train --data "
                + String.join(",", data.stream().map(Path::toString).toList())
                + (sources.isEmpty() ? "" : " --sources " + String.join(",", sources))
                + " --out " + out + " --epochs " + epochs + " --seed " + seed
                + " --batch " + batch + " --learning-rate " + learningRate
                + (backbone != null ? " --backbone " + backbone : "") + (teacher != null ? " --teacher " + teacher : "")
                + " --input-size " + size
                + (equalized ? "" : " --no-equalize") + " --augment " + strength
                + (initName != null ? " --init " + initName : "") + (fromScratch ? " --from-scratch" : "")
                + " --contrastive " + contrastive + " --phantoms " + phantomsPerLevel
                + (net.equals(ModelCard.XRAY_NET) ? "" : " --network " + net)
                + " --projection-steps " + projectionSteps + " --views " + views
                + (teacher != null && teacherViews > 1 ? " --teacher-views " + teacherViews : "")
                + (subsample < 1 ? " --subsample " + subsample : "") + " --severity-scale " + severityScale
                + (neighbourWeight > 0 ? " --neighbour-weight " + neighbourWeight : "")
                + (axisWeight > 0 ? " --axis-weight " + axisWeight : "")
                + " --projection " + kind.name().toLowerCase(Locale.ROOT);
        return new ModelTrainer.Options(
                data,
                out,
                epochs,
                seed,
                batch,
                learningRate,
                Optional.ofNullable(backbone),
                size,
                modelId,
                command,
                sources,
                excludedPatients,
                equalized && backbone == null,
                new Augmentation(strength),
                Optional.ofNullable(initDir),
                contrastive,
                phantomsPerLevel,
                net,
                Optional.ofNullable(teacher),
                projectionSteps,
                views,
                subsample,
                featuresOnly,
                severityScale,
                neighbourWeight,
                axisWeight,
                kind,
                teacherViews);
    }
}
