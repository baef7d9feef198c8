package io.xraydrift.embedder.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A trained embedding model, loaded once: the bundled default ({@link #loadDefault()}), a model
 * directory written by the training command, or a transfer-learned TorchScript backbone. Embeds
 * preprocessed images in batches, one predictor per calling thread, and returns {@code float[]}
 * vectors (the penultimate layer).
 */
public final class EmbeddingModel implements AutoCloseable {

    /** Class-path folder of the bundled default model. */
    public static final String DEFAULT_RESOURCE = "/io/xraydrift/embedder/default-model/";

    private final ModelCard card;
    private final Model model;
    private final Preprocessing preprocessing;
    private final ThreadLocal<Predictor<float[], float[]>> predictors;
    private final ThreadLocal<Predictor<float[], float[]>> headPredictors;
    private final List<Predictor<float[], float[]>> opened = new CopyOnWriteArrayList<>();

    private EmbeddingModel(ModelCard card, Model model) {
        this.card = card;
        this.model = model;
        this.preprocessing = Preprocessing.of(card);
        this.predictors = ThreadLocal.withInitial(() -> open(new EmbeddingTranslator(card, 0)));
        this.headPredictors = ThreadLocal.withInitial(() -> open(new EmbeddingTranslator(card, 1)));
    }

    /** The model that ships with the project (trained on phantoms by {@code xray-drift train}), on the CPU. */
    public static EmbeddingModel loadDefault() {
        return loadDefault(Device.cpu());
    }

    /** The bundled default model on a device. */
    public static EmbeddingModel loadDefault(Device device) {
        return load(defaultModelDirectory(), device);
    }

    /** Where this JVM unpacked the bundled model (once; read-only afterwards). */
    private static Path unpacked;

    /**
     * The bundled default model unpacked into a temporary directory, once per JVM (removed when it
     * exits): what the embedder loads and {@code train} starts from by default.
     */
    public static synchronized Path defaultModelDirectory() {
        if (unpacked == null || !Files.isRegularFile(unpacked.resolve(ModelCard.FILE))) {
            unpacked = unpackDefault();
        }
        return unpacked;
    }

    private static Path unpackDefault() {
        try {
            Path dir = Files.createTempDirectory("xray-default-model-");
            for (String name : new String[] {ModelCard.FILE, ModelCard.WEIGHTS + "-0000.params"}) {
                try (InputStream in = EmbeddingModel.class.getResourceAsStream(DEFAULT_RESOURCE + name)) {
                    if (in == null) {
                        throw new IllegalStateException("the bundled default model lacks " + name);
                    }
                    Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            dir.toFile().deleteOnExit();
            dir.resolve(ModelCard.FILE).toFile().deleteOnExit();
            dir.resolve(ModelCard.WEIGHTS + "-0000.params").toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the bundled default model", e);
        }
    }

    /** A model directory: {@value ModelCard#FILE} plus weights (and the TorchScript backbone, if any), on the CPU. */
    public static EmbeddingModel load(Path dir) {
        return load(dir, Device.cpu());
    }

    /** A model directory on a device. */
    public static EmbeddingModel load(Path dir, Device device) {
        ModelCard card = ModelCard.read(dir);
        Model model = Model.newInstance(card.id(), device, "PyTorch");
        try {
            model.setBlock(card.hasBackbone() ? TransferNet.load(dir, card) : card.newNetwork());
            model.load(dir, ModelCard.WEIGHTS);
        } catch (IOException | MalformedModelException e) {
            model.close();
            throw new IllegalStateException("cannot load the model in " + dir + ": " + e.getMessage(), e);
        }
        return new EmbeddingModel(card, model);
    }

    /**
     * A bare TorchScript backbone (e.g. torchvision ResNet152 with {@code fc} = Identity, traced in
     * eval mode): its output is the embedding. Input size and normalisation come from the caller
     * (the file does not say); the version is the file's content hash.
     */
    public static EmbeddingModel torchScript(Path file, int inputSize, float mean, float std, Device device) {
        String name = file.getFileName().toString();
        String stem = name.endsWith(".pt") ? name.substring(0, name.length() - 3) : name;
        Model model = Model.newInstance(stem, device, "PyTorch");
        try {
            model.load(file.toAbsolutePath().getParent(), stem);
            ModelCard probe = new ModelCard(
                    stem,
                    Hashes.file(file),
                    "TorchScript " + name,
                    "",
                    inputSize,
                    3,
                    mean,
                    std,
                    -1,
                    List.of(),
                    Map.of(),
                    ModelCard.LINEAR);
            int dimension;
            try (Predictor<float[], float[]> p = model.newPredictor(new EmbeddingTranslator(probe, 0))) {
                dimension = p.predict(new float[3 * inputSize * inputSize]).length;
            }
            ModelCard card = new ModelCard(
                    stem,
                    probe.version(),
                    probe.architecture(),
                    "",
                    inputSize,
                    3,
                    mean,
                    std,
                    dimension,
                    List.of(),
                    Map.of("source", file.toAbsolutePath().toString()),
                    ModelCard.LINEAR);
            return new EmbeddingModel(card, model);
        } catch (IOException | MalformedModelException | TranslateException e) {
            model.close();
            throw new IllegalArgumentException("cannot load the TorchScript model " + file + ": " + e.getMessage(), e);
        }
    }

    /** Input side of an image backbone (ImageNet networks, the teacher of a distillation). */
    public static final int BACKBONE_INPUT = 224;
    /** A backbone's input normalisation: pixels in 0..1 to -1..1. */
    public static final float BACKBONE_MEAN = 0.5f;

    public static final float BACKBONE_STD = 0.5f;

    /**
     * A TorchScript image backbone as {@code train --backbone} and {@code --teacher} take it: N x 3 x
     * 224 x 224 in [-1, 1] (a gray film copied into the three channels), its output the features.
     */
    public static EmbeddingModel backbone(Path file, Device device) {
        return torchScript(file, BACKBONE_INPUT, BACKBONE_MEAN, BACKBONE_STD, device);
    }

    /** The device the model runs on. */
    public Device device() {
        return model.getNDManager().getDevice();
    }

    /** Wraps a block that is already initialised (the training command's freshly trained network). */
    public static EmbeddingModel of(ModelCard card, Model model) {
        return new EmbeddingModel(card, model);
    }

    public ModelCard card() {
        return card;
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** Embeds preprocessed inputs (see {@link Preprocessing}) in one forward pass. */
    public List<float[]> embed(List<float[]> inputs) {
        if (inputs.isEmpty()) {
            return List.of();
        }
        try {
            return predictors.get().batchPredict(inputs);
        } catch (TranslateException e) {
            throw new IllegalStateException("forward pass of " + card.id() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The head's outputs per input: three level logits (healthy, infected, severe), then the
     * severity estimate.
     */
    public List<float[]> head(List<float[]> inputs) {
        try {
            return headPredictors.get().batchPredict(inputs);
        } catch (TranslateException e) {
            throw new IllegalStateException("forward pass of " + card.id() + " failed: " + e.getMessage(), e);
        }
    }

    private Predictor<float[], float[]> open(EmbeddingTranslator translator) {
        Predictor<float[], float[]> p = model.newPredictor(translator);
        opened.add(p);
        return p;
    }

    /**
     * The frozen features under the learnt projection (a distilled student's pooled features, a
     * site backbone's output) of preprocessed inputs; fails for a model without a projection.
     */
    public List<float[]> features(List<float[]> inputs) {
        if (!hasProjection()) {
            throw new IllegalStateException(card.id() + " (" + card.network() + ") has no learnt projection");
        }
        return Batches.forward(model, ((Projected) model.getBlock())::features, preprocessing, inputs);
    }

    /** Whether the model is frozen features under a learnt projection ({@link #features} answers). */
    public boolean hasProjection() {
        return model.getBlock() instanceof Projected;
    }

    /** Embeds one preprocessed input. */
    public float[] embed(float[] input) {
        return embed(List.of(input)).get(0);
    }

    @Override
    public void close() {
        opened.forEach(Predictor::close);
        model.close();
    }

    /**
     * Creates the input array inside the per-call manager, so no intermediate outlives the call;
     * returns output {@code index} of the network (0 = embedding, 1 = head).
     */
    static final class EmbeddingTranslator implements Translator<float[], float[]> {
        private final Shape shape;
        private final int index;

        EmbeddingTranslator(ModelCard card, int index) {
            this.shape = new Shape(card.channels(), card.inputSize(), card.inputSize());
            this.index = index;
        }

        @Override
        public NDList processInput(TranslatorContext ctx, float[] input) {
            if (input.length != shape.size()) {
                throw new IllegalArgumentException("input has " + input.length + " values, the model takes " + shape);
            }
            return new NDList(ctx.getNDManager().create(input, shape));
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            NDArray out = list.get(index);
            return out.toFloatArray();
        }

        @Override
        public Batchifier getBatchifier() {
            return Batchifier.STACK;
        }
    }
}
