package io.xraydrift.embedder.model;

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
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The project's compact CNN: four conv-BN-ReLU-pool stages, global average pooling and a dense
 * embedding layer, then a head of three level logits and one severity output. Its forward pass
 * returns both: {@code [embedding, head]}. The embedding (the penultimate layer) is what the
 * pipeline indexes.
 */
public final class XrayNet extends AbstractBlock {

    /** Outputs of the head: healthy, infected, severe logits, then the severity regression. */
    public static final int HEAD_OUTPUTS = 4;
    private static final byte VERSION = 1;

    private final Block features;
    private final Block head;

    public XrayNet(int embeddingSize) {
        super(VERSION);
        SequentialBlock f = new SequentialBlock();
        for (int filters : new int[] {16, 32, 64, 128}) {
            f.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).build())
                    .add(BatchNorm.builder().build())
                    .add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        f.add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(embeddingSize).build())
                .add(Activation.reluBlock());
        this.features = addChildBlock("features", f);
        this.head = addChildBlock("head", Linear.builder().setUnits(HEAD_OUTPUTS).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDList embedding = features.forward(store, inputs, training, params);
        NDList out = head.forward(store, embedding, training, params);
        return new NDList(embedding.singletonOrThrow(), out.singletonOrThrow());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] embedding = features.getOutputShapes(inputShapes);
        return new Shape[] {embedding[0], head.getOutputShapes(embedding)[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        features.initialize(manager, dataType, inputShapes);
        head.initialize(manager, dataType, features.getOutputShapes(inputShapes));
    }
}
