package io.xraydrift.embedder.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The shape every network of the project has: a feature block that ends in the embedding, and a
 * linear head of three level logits and one severity output on it. Its forward pass returns both,
 * {@code [embedding, head]}; the embedding (the penultimate layer) is what the pipeline indexes.
 * Child names ({@code features}, {@code head}) are the weights' parameter names.
 */
public abstract class EmbeddingNet extends AbstractBlock {

    /** Outputs of the head: healthy, infected, severe logits, then the severity regression. */
    public static final int HEAD_OUTPUTS = 4;

    private static final byte VERSION = 1;

    private final Block features;
    private final Block head;

    EmbeddingNet(Block features) {
        super(VERSION);
        this.features = addChildBlock("features", features);
        this.head =
                addChildBlock("head", Linear.builder().setUnits(HEAD_OUTPUTS).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
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
