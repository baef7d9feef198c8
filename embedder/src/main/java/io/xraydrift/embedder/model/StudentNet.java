package io.xraydrift.embedder.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HexFormat;

/**
 * The project's distilled network: a plain CNN of seven 3×3 conv-BN-ReLU layers
 * ({@code 32-64-64-128-128-256-256}, the first, second, fourth and sixth with stride 2) and global average pooling — the
 * student, trained by the training module's {@code Distiller} to reproduce a teacher's image features — followed by the
 * {@link ProjectionNet} learnt on labels for neighbours. Forward returns {@code [embedding, head]};
 * {@link #features} gives the student's pooled features (what the projection is trained on).
 *
 * <p>At 128 px a forward pass costs about 0.17 G multiply-adds.
 */
public final class StudentNet extends AbstractBlock implements Projected {

    /** The card's {@code network} name. */
    public static final String NETWORK = "xray-student";

    public static final String ARCHITECTURE =
            "XrayStudent: 7 x conv3x3-BN-ReLU (32-64-64-128-128-256-256; the 1st, 2nd, 4th and 6th with stride 2), "
                    + "global avg pool (256, distilled from a teacher's features), projection BN-linear "
                    + "(embedding), linear head [3 level logits, severity]";
    private static final int[] FILTERS = {32, 64, 64, 128, 128, 256, 256};
    private static final int[] STRIDES = {2, 2, 1, 2, 1, 2, 1};
    private static final byte VERSION = 1;

    private final Block body;
    private final ProjectionNet projection;
    private final boolean bodyOnly;

    public StudentNet(int embeddingSize) {
        this(embeddingSize, false);
    }

    private StudentNet(int embeddingSize, boolean bodyOnly) {
        super(VERSION);
        this.body = addChildBlock("student", body());
        this.projection = addChildBlock("projection", new ProjectionNet(embeddingSize));
        this.bodyOnly = bodyOnly;
    }

    /**
     * A student whose saved weights load into the body alone (the projection stays as initialised,
     * whatever shape the saved one had): what re-learning the projection starts from.
     */
    public static StudentNet forNewProjection(int embeddingSize) {
        return new StudentNet(embeddingSize, true);
    }

    @Override
    public void loadParameters(NDManager manager, DataInputStream is) throws IOException, MalformedModelException {
        byte version = is.readByte();
        loadMetadata(version, is);
        body.loadParameters(manager, is);
        if (!bodyOnly) {
            projection.loadParameters(manager, is);
        }
    }

    /** The convolutional body alone: image in, pooled features out. */
    public static SequentialBlock body() {
        SequentialBlock f = new SequentialBlock();
        for (int i = 0; i < FILTERS.length; i++) {
            f.add(Conv2d.builder()
                            .setKernelShape(new Shape(3, 3))
                            .optPadding(new Shape(1, 1))
                            .optStride(new Shape(STRIDES[i], STRIDES[i]))
                            .setFilters(FILTERS[i])
                            .optBias(false)
                            .build())
                    .add(BatchNorm.builder().build())
                    .add(Activation.reluBlock());
        }
        return f.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList features = body.forward(store, inputs, training, params);
        return projection.forward(store, features, training, params);
    }

    @Override
    public NDArray features(ParameterStore store, NDArray input) {
        return body.forward(store, new NDList(input), false).singletonOrThrow();
    }

    @Override
    public ProjectionNet projection() {
        return projection;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return projection.getOutputShapes(body.getOutputShapes(inputShapes));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        body.initialize(manager, dataType, inputShapes);
        projection.initialize(manager, dataType, body.getOutputShapes(inputShapes));
    }

    /** Loads the body's weights as the training module's {@code Distiller} saved them. */
    public void loadBody(NDManager manager, byte[] weights) throws IOException, MalformedModelException {
        body.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(weights)));
    }

    /** A hash of the body's weights: its features are the same whatever projection sits on it. */
    @Override
    public String featuresId() throws IOException {
        var bytes = new ByteArrayOutputStream();
        body.saveParameters(new DataOutputStream(bytes));
        return NETWORK + "-"
                + Hashes.text(HexFormat.of().formatHex(bytes.toByteArray())).substring(0, 12);
    }
}
