package io.xraydrift.training;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xraydrift.embedder.model.Batches;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.Hashes;
import io.xraydrift.embedder.model.ModelCard;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.embedder.model.Projected;
import io.xraydrift.embedder.model.StudentNet;
import io.xraydrift.embedder.model.TransferNet;
import io.xraydrift.phantoms.Manifest;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * Trains an embedding model on a labelled image folder: the project's compact CNN from scratch,
 * or a new head on a frozen TorchScript backbone. Shows progress as it goes, then saves the
 * weights and writes the model card (machine-readable {@code model.json} and a readable
 * {@code MODEL_CARD.md}).
 */
public final class ModelTrainer {

    /**
     * What to train. {@code backbone} empty = the project's own network; {@code init} = a model
     * directory of the project's network whose weights training starts from (fine-tuning);
     * {@code sources} = data sets whose rows are used (the manifest's {@code source} column up to
     * its colon; empty = every row); {@code excludedPatients} are left out (cross-validation's
     * held-out fold); {@code contrastiveWeight} weighs a supervised contrastive term on the
     * embedding (0 = none); {@code phantomsPerLevel} phantoms of each level are rendered and trained
     * on beside the data (0 = none).
     */
    public record Options(
            List<Path> data,
            Path out,
            int epochs,
            long seed,
            int batchSize,
            float learningRate,
            Optional<Path> backbone,
            int inputSize,
            String modelId,
            String command,
            Set<String> sources,
            Set<String> excludedPatients,
            boolean equalize,
            Augmentation augmentation,
            Optional<Path> init,
            float contrastiveWeight,
            int phantomsPerLevel,
            String network,
            Optional<Path> teacher,
            int projectionSteps,
            int views,
            double subsample,
            boolean featuresOnly,
            float severityScale,
            float neighbourWeight,
            float axisWeight,
            Projection projection,
            int teacherViews) {

        public Options {
            teacherViews = Math.max(1, teacherViews);
            network = network == null || network.isBlank() ? ModelCard.XRAY_NET : network;
            teacher = teacher == null ? Optional.empty() : teacher;
            projectionSteps = projectionSteps <= 0 ? DEFAULT_PROJECTION_STEPS : projectionSteps;
            views = Math.max(1, views);
            subsample = subsample <= 0 || subsample > 1 ? 1 : subsample;
            projection = projection == null ? Projection.LEARNT : projection;
        }

        /** Whether a manifest row is trained on. */
        boolean keeps(Manifest.Entry row) {
            String dataSet = row.dataSet().isEmpty() ? "unnamed" : row.dataSet();
            return !excludedPatients.contains(row.patient())
                    && (sources.isEmpty() || sources.contains(dataSet))
                    && (subsample >= 1
                            || Math.floorMod(Hashes.text(row.file()).hashCode(), 10_000) < subsample * 10_000);
        }
    }

    /** Steps of the projection's training (batches of {@value #PROJECTION_BATCH} features). */
    public static final int DEFAULT_PROJECTION_STEPS = 300;

    public static final int PROJECTION_BATCH = 128;
    /** Floats of a learnt projection's embedding. */
    public static final int PROJECTION_EMBEDDING = 64;

    /** How the projection onto the embedding is learnt. */
    public enum Projection {
        /** By gradient steps on level, severity and contrastive terms ({@link ProjectionTrainer}). */
        LEARNT,
        /** In closed form, an ordinal neighbour space from ridge regressions ({@link OrdinalProjection}). */
        ORDINAL,
        /**
         * Ordinal where the training rows include radiologist-rated films (a severity direction to
         * learn), learnt otherwise: what measured best on the distilled student (docs/real-data.md).
         */
        AUTO;

        /** This kind for these training rows: {@link #AUTO} resolved, the others as they are. */
        Projection forSamples(List<LabelledImages.Sample> samples) {
            if (this != AUTO) {
                return this;
            }
            return samples.stream().anyMatch(LabelledImages.Sample::radiologistRated) ? ORDINAL : LEARNT;
        }
    }

    /**
     * The ordinal projection's settings, chosen by patient-disjoint cross-validation on dev/ with the
     * ImageNet MobileNetV1 backbone (docs/real-data.md): the grade direction learnt on the rated films,
     * the healthy-or-not direction at the same weight (half before the indexer's grade axis: since it,
     * the full weight buys severe purity at no cost in Spearman), the appearance components at 0.1.
     */
    static final OrdinalProjection.Settings ORDINAL =
            new OrdinalProjection.Settings(PROJECTION_EMBEDDING, 1, 1, 0.1, true);
    /** Input side of the distilled student. */
    public static final int STUDENT_INPUT = 128;

    /** Default network: input size, normalisation, embedding size. */
    public static final int DEFAULT_INPUT = 64;

    public static final float DEFAULT_MEAN = 0.5f;
    public static final float DEFAULT_STD = 0.25f;
    /** Equalised inputs are spread evenly over 0..1: mean 0.5, standard deviation 1/sqrt(12). */
    public static final float EQUALIZED_STD = 0.29f;

    private final PrintStream progress;

    public ModelTrainer(PrintStream progress) {
        this.progress = progress;
    }

    /** Trains, saves to {@code options.out()} and returns the trained model, open (the caller closes it). */
    public EmbeddingModel train(Options o) {
        if (o.teacher().isPresent()) {
            return distil(o);
        }
        if (o.backbone().isPresent()) {
            return projectOnBackbone(o);
        }
        if (o.init().isPresent()
                && StudentNet.NETWORK.equals(ModelCard.read(o.init().get()).network())) {
            return projectOnStudent(o);
        }
        return new EndToEnd(progress).train(o);
    }

    /**
     * {@code train --teacher}: distils the project's student network from a TorchScript teacher on
     * the data's images (no labels needed), then learns the projection on the student's features
     * with the data's labels.
     */
    private EmbeddingModel distil(Options o) {
        long began = System.nanoTime();
        Path teacherFile = o.teacher().get();
        List<LabelledImages.Sample> samples = samples(o);
        Preprocessing studentPre = new Preprocessing(o.inputSize(), 1, DEFAULT_MEAN, DEFAULT_STD, false);
        Preprocessing teacherPre = new Preprocessing(
                EmbeddingModel.BACKBONE_INPUT, 3, EmbeddingModel.BACKBONE_MEAN, EmbeddingModel.BACKBONE_STD, false);
        float[][][] targets = new float[o.teacherViews()][][];
        // The teacher is loaded only for films whose features are not cached: loading runs a probe
        // forward pass, which (1x1 convolutions) dies of SIGFPE on a VM hiding its CPU caches unless
        // oneDNN is capped — the launcher caches the features under the cap first (--features-only),
        // and this run, at full speed, never touches the teacher.
        EmbeddingModel[] teacher = {null};
        String teacherVersion;
        try {
            teacherVersion = Hashes.file(teacherFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the teacher " + teacherFile, e);
        }
        try {
            FeatureCache.Extractor x =
                    extractor(teacherPre, "teacher-" + teacherVersion + "-" + EmbeddingModel.BACKBONE_INPUT, inputs -> {
                        if (teacher[0] == null) {
                            teacher[0] = EmbeddingModel.backbone(teacherFile, Device.cpu());
                        }
                        return teacher[0].embed(inputs);
                    });
            targets[0] = FeatureCache.features(x, samples, 1, Augmentation.NONE, progress)[0];
            if (o.teacherViews() > 1) {
                float[][][] augmented =
                        FeatureCache.features(x, samples, 1, o.teacherViews(), o.augmentation(), progress);
                System.arraycopy(augmented, 0, targets, 1, augmented.length);
            }
        } finally {
            if (teacher[0] != null) {
                teacher[0].close();
            }
        }
        if (o.featuresOnly()) {
            progress.println("the teacher's features are cached (--features-only): nothing trained");
            return null;
        }
        progress.printf(
                "resizing %d images x %d views to the student's %d px ...%n",
                samples.size(), o.teacherViews(), o.inputSize());
        List<byte[][]> images = Arrays.asList(new byte[samples.size()][][]);
        IntStream.range(0, samples.size()).parallel().forEach(i -> {
            LabelledImages.Gray g = samples.get(i).image().get();
            byte[][] views = new byte[o.teacherViews()][];
            views[0] = bytes(studentPre.resized(g.pixels(), g.width(), g.height()));
            float[] asTeacher = views.length > 1 ? teacherPre.resized(g.pixels(), g.width(), g.height()) : null;
            for (int v = 1; v < views.length; v++) {
                // The very picture the teacher saw (augmented at its size), brought to the student's.
                int side = teacherPre.size();
                byte[] seen =
                        bytes(FeatureCache.view(asTeacher, side, samples.get(i).key(), v, o.augmentation()));
                views[v] = bytes(studentPre.resized(seen, side, side));
            }
            images.set(i, views);
        });
        Distiller.Result distilled = new Distiller(progress)
                .fit(
                        images,
                        targets,
                        studentPre,
                        new Distiller.Settings(
                                o.epochs(), o.batchSize(), o.learningRate(), o.seed(), o.augmentation()));
        ModelCard draft = new ModelCard(
                o.modelId(),
                "unsaved",
                StudentNet.ARCHITECTURE,
                "",
                o.inputSize(),
                1,
                DEFAULT_MEAN,
                DEFAULT_STD,
                PROJECTION_EMBEDDING,
                TrainingData.CLASSES,
                Map.of(),
                ModelCard.LINEAR,
                StudentNet.NETWORK);
        Model model = Model.newInstance(o.modelId(), "PyTorch");
        return building(model, "cannot build the student", () -> {
            StudentNet net = new StudentNet(PROJECTION_EMBEDDING);
            model.setBlock(net);
            net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, o.inputSize(), o.inputSize()));
            net.loadBody(model.getNDManager(), distilled.bodyWeights());
            Map<String, Object> training = new LinkedHashMap<>();
            training.put(
                    "distillation",
                    Map.of(
                            "teacher",
                            teacherFile.getFileName().toString(),
                            "teacher_sha256_12",
                            Hashes.file(teacherFile),
                            "teacher_input",
                            EmbeddingModel.BACKBONE_INPUT + " px, [-1, 1], 3 channels",
                            "images",
                            samples.size(),
                            "epochs",
                            o.epochs(),
                            "augmentation",
                            o.augmentation().strength(),
                            "teacher_views",
                            o.teacherViews(),
                            "figures",
                            distilled.figures()));
            return project(model, net, draft, samples, o, training, began);
        });
    }

    /** Gray levels 0..255 as bytes. */
    private static byte[] bytes(float[] gray) {
        byte[] b = new byte[gray.length];
        for (int j = 0; j < gray.length; j++) {
            b[j] = (byte) Math.round(Math.max(0, Math.min(255, gray[j])));
        }
        return b;
    }

    /** {@code train --backbone}: the site's TorchScript backbone, frozen, under a projection learnt on the data. */
    private EmbeddingModel projectOnBackbone(Options o) {
        long began = System.nanoTime();
        Path file = o.backbone().get();
        ModelCard draft = new ModelCard(
                o.modelId(),
                "unsaved",
                "TorchScript backbone (frozen) + projection BN-linear " + PROJECTION_EMBEDDING
                        + " (embedding), linear head [3 level logits, severity]",
                TransferNet.BACKBONE_FILE,
                o.inputSize(),
                3,
                0.5f,
                0.5f,
                PROJECTION_EMBEDDING,
                TrainingData.CLASSES,
                Map.of(),
                ModelCard.LINEAR,
                ModelCard.XRAY_NET);
        Model model = Model.newInstance(o.modelId(), "PyTorch");
        return building(model, "cannot load the backbone " + file, () -> {
            TransferNet net = TransferNet.onBackbone(file, PROJECTION_EMBEDDING);
            model.setBlock(net);
            net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, o.inputSize(), o.inputSize()));
            Map<String, Object> training = new LinkedHashMap<>();
            training.put("backbone", Map.of("file", file.getFileName().toString(), "sha256_12", Hashes.file(file)));
            return project(model, net, draft, samples(o), o, training, began);
        });
    }

    /** {@code train --init STUDENT}: the student of a distilled model, frozen, under a projection learnt anew on the data. */
    private EmbeddingModel projectOnStudent(Options o) {
        long began = System.nanoTime();
        ModelCard from = ModelCard.read(o.init().get());
        ModelCard draft = new ModelCard(
                o.modelId(),
                "unsaved",
                from.architecture(),
                "",
                from.inputSize(),
                1,
                from.mean(),
                from.std(),
                PROJECTION_EMBEDDING,
                TrainingData.CLASSES,
                Map.of(),
                from.intensity(),
                StudentNet.NETWORK);
        Model model = Model.newInstance(o.modelId(), "PyTorch");
        return building(model, "cannot load --init " + o.init().get(), () -> {
            StudentNet net = StudentNet.forNewProjection(PROJECTION_EMBEDDING);
            model.setBlock(net);
            // Initialised first, so the block knows its input shape when it is saved again.
            net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, from.inputSize(), from.inputSize()));
            model.load(o.init().get(), ModelCard.WEIGHTS);
            Map<String, Object> training = new LinkedHashMap<>();
            training.put(
                    "started_from",
                    from.id() + "@" + from.version() + " (its student frozen, the projection " + "learnt anew)");
            Object distillation = from.training().get("distillation");
            if (distillation != null) {
                training.put("distillation", distillation);
            }
            Map<String, Object> earlier = new LinkedHashMap<>(from.training());
            earlier.remove("distillation");
            earlier.remove("earlier_stage");
            earlier.put("version", from.version());
            training.put("earlier_stage", earlier);
            return project(model, net, draft, samples(o), o, training, began);
        });
    }

    /** What builds a model once its block exists; may fail reading weights or a backbone. */
    @FunctionalInterface
    private interface Build {
        EmbeddingModel run() throws IOException, MalformedModelException;
    }

    /** Runs {@code build}; the model is closed when it fails, and a failure to read says {@code failure}. */
    private static EmbeddingModel building(Model model, String failure, Build build) {
        try {
            return build.run();
        } catch (RuntimeException e) {
            model.close();
            throw e;
        } catch (IOException | MalformedModelException e) {
            model.close();
            throw new IllegalArgumentException(failure + ": " + e.getMessage(), e);
        }
    }

    private List<LabelledImages.Sample> samples(Options o) {
        progress.printf(
                "reading %s%s ...%n",
                o.data(),
                o.phantomsPerLevel() > 0 ? " and rendering " + o.phantomsPerLevel() + " phantoms of each level" : "");
        List<LabelledImages.Sample> samples =
                LabelledImages.read(o.data(), o::keeps, o.phantomsPerLevel(), o.seed() * 7 + 1);
        progress.printf("%d labelled images: %s%n", samples.size(), ProjectionTrainer.groups(samples));
        return samples;
    }

    /** Learns the projection of {@code net} on its frozen features of the samples, then saves the model. */
    private EmbeddingModel project(
            Model model,
            Projected net,
            ModelCard draft,
            List<LabelledImages.Sample> samples,
            Options o,
            Map<String, Object> training,
            long began)
            throws IOException {
        Preprocessing pre = Preprocessing.of(draft);
        FeatureCache.Extractor x = extractor(
                pre,
                net.featuresId() + "-" + draft.inputSize(),
                inputs -> Batches.forward(model, net::features, pre, inputs));
        float[][][] features = FeatureCache.features(x, samples, o.views(), o.augmentation(), progress);
        Projection kind = o.projection().forSamples(samples);
        byte[] weights = kind == Projection.ORDINAL
                ? new OrdinalProjection(progress).fit(features, samples, ORDINAL)
                : new ProjectionTrainer(progress)
                        .fit(
                                features,
                                samples,
                                new ProjectionTrainer.Settings(
                                        PROJECTION_EMBEDDING,
                                        o.projectionSteps(),
                                        PROJECTION_BATCH,
                                        o.learningRate(),
                                        o.contrastiveWeight(),
                                        2f,
                                        o.severityScale(),
                                        o.neighbourWeight(),
                                        o.axisWeight(),
                                        o.seed()));
        net.loadProjection(model.getNDManager(), weights);
        training.put("data", dataNames(o));
        training.put("data_sets", ProjectionTrainer.groups(samples));
        training.put("phantoms_per_level", o.phantomsPerLevel());
        training.put(
                "projection",
                kind == Projection.ORDINAL
                        ? Map.of(
                                "kind",
                                "ordinal",
                                "views",
                                o.views(),
                                "augmentation",
                                o.augmentation().strength(),
                                "grade_scale",
                                ORDINAL.gradeScale(),
                                "healthy_or_not_scale",
                                ORDINAL.illScale(),
                                "appearance_scale",
                                ORDINAL.appearanceScale())
                        : Map.of(
                                "kind",
                                "learnt",
                                "steps",
                                o.projectionSteps(),
                                "batch_size",
                                PROJECTION_BATCH,
                                "views",
                                o.views(),
                                "augmentation",
                                o.augmentation().strength(),
                                "contrastive_weight",
                                o.contrastiveWeight(),
                                "learning_rate",
                                o.learningRate(),
                                "severity_scale",
                                o.severityScale(),
                                "neighbour_weight",
                                o.neighbourWeight(),
                                "axis_weight",
                                o.axisWeight()));
        training.put("seed", o.seed());
        ModelCard card = ModelWriter.save(progress, model, draft, training, o, began);
        return EmbeddingModel.of(card, model);
    }

    /** An extractor named {@code id} whose forward pass over preprocessed inputs is {@code pass}. */
    private static FeatureCache.Extractor extractor(Preprocessing pre, String id, UnaryOperator<List<float[]>> pass) {
        return new FeatureCache.Extractor() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public Preprocessing preprocessing() {
                return pre;
            }

            @Override
            public List<float[]> features(List<float[]> inputs) {
                return pass.apply(inputs);
            }
        };
    }

    static List<String> dataNames(Options o) {
        return o.data().stream()
                .map(d -> d.toAbsolutePath().normalize().getFileName().toString())
                .toList();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
    }
}
