package io.xraydrift.embedder.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A site's own TorchScript backbone (e.g. torchvision ResNet152 with {@code fc} = Identity, traced
 * in eval mode), frozen and always run in inference mode, under a {@link ProjectionNet} learnt on
 * the site's labels: the embedding is the projection's output, a space where films of like level
 * and severity are neighbours. Saved as the backbone file plus the projection's weights.
 */
public final class TransferNet extends AbstractBlock implements Projected {

    /** File name of the backbone inside a model directory. */
    public static final String BACKBONE_FILE = "backbone.pt";

    private static final byte VERSION = 2;

    private final Model backboneModel;
    private final Path file;
    private final Block backbone;
    private final ProjectionNet head;

    private TransferNet(Model backboneModel, Path file, int embeddingSize) {
        super(VERSION);
        this.backboneModel = backboneModel;
        this.file = file;
        this.backbone = addChildBlock("backbone", backboneModel.getBlock());
        this.backbone.freezeParameters(true);
        this.head = addChildBlock("projection", new ProjectionNet(embeddingSize));
    }

    /** A fresh projection of {@code embeddingSize} on the TorchScript backbone at {@code file}. */
    public static TransferNet onBackbone(Path file, int embeddingSize) throws IOException, MalformedModelException {
        Model m = Model.newInstance("backbone", "PyTorch");
        String name = file.getFileName().toString();
        String stem = name.endsWith(".pt") ? name.substring(0, name.length() - 3) : name;
        m.load(file.getParent(), stem, Map.of("trainParam", "true"));
        return new TransferNet(m, file, embeddingSize);
    }

    /** The saved transfer model in {@code dir}: its backbone, with the head weights loaded by the caller's model. */
    static TransferNet load(Path dir, ModelCard card) throws IOException, MalformedModelException {
        return onBackbone(dir.resolve(card.backbone()), card.embeddingSize());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray features = backbone.forward(store, inputs, false, params).singletonOrThrow();
        if (training) {
            // The frozen backbone ran in inference mode; the projection needs an ordinary tensor for autograd.
            features = features.duplicate();
        }
        return head.forward(store, new NDList(features), training, params);
    }

    @Override
    public NDArray features(ParameterStore store, NDArray input) {
        return backbone.forward(store, new NDList(input), false).singletonOrThrow();
    }

    /** The backbone file's content hash: its features are the same whatever projection sits on it. */
    @Override
    public String featuresId() throws IOException {
        return "backbone-" + Hashes.file(file);
    }

    @Override
    public ProjectionNet projection() {
        return head;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException(
                "output shapes of a TorchScript backbone are known after a forward pass");
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        try (NDManager probe = manager.newSubManager()) {
            NDList out = backbone.forward(
                    new ParameterStore(probe, false), new NDList(probe.zeros(inputShapes[0], dataType)), false);
            long dim = out.singletonOrThrow().getShape().get(1);
            head.initialize(manager, dataType, new Shape(inputShapes[0].get(0), dim));
        }
    }

    /** Only the projection is saved: the backbone file is copied beside the weights. */
    @Override
    public void saveParameters(DataOutputStream os) throws IOException {
        os.writeByte(VERSION);
        head.saveParameters(os);
    }

    @Override
    public void loadParameters(NDManager manager, DataInputStream is) throws IOException, MalformedModelException {
        byte version = is.readByte();
        if (version != VERSION) {
            throw new MalformedModelException("transfer weights version " + version + ", expected " + VERSION
                    + (version == 1
                            ? " (a head without a projection, written before the learnt projection: train it "
                                    + "again with train --backbone)"
                            : ""));
        }
        head.loadParameters(manager, is);
    }
}
