package io.xraydrift.embedder.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The embedding space the neighbours are found in: a projection learnt on labels (level and
 * severity) from a frozen network's features — batch-normalised features, then a linear map to the
 * embedding — and the head of three level
 * logits and one severity output on the embedding. Forward takes features {@code [N, D]} and
 * returns {@code [embedding, head]}, as every network of the project does.
 */
final class ProjectionNet extends AbstractBlock {

    /**
     * Width of a hidden layer; 0 = none, the projection is linear. Chosen by cross-validation on
     * real films: a hidden layer of 256 overfits a few hundred labelled films (severity Spearman
     * 0.28-0.45 against 0.51 linear, docs/real-data.md).
     */
    static final int HIDDEN = 0;
    private static final byte VERSION = 1;

    private final Block projection;
    private final Block head;

    ProjectionNet(int embeddingSize) {
        super(VERSION);
        SequentialBlock p = new SequentialBlock().add(BatchNorm.builder().optAxis(1).build());
        if (HIDDEN > 0) {
            p.add(Linear.builder().setUnits(HIDDEN).build()).add(Activation.reluBlock());
        }
        this.projection = addChildBlock("projection", p.add(Linear.builder().setUnits(embeddingSize).build()));
        this.head = addChildBlock("head", Linear.builder().setUnits(EmbeddingNet.HEAD_OUTPUTS).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDList embedding = projection.forward(store, inputs, training, params);
        NDList out = head.forward(store, embedding, training, params);
        return new NDList(embedding.singletonOrThrow(), out.singletonOrThrow());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] embedding = projection.getOutputShapes(inputShapes);
        return new Shape[] {embedding[0], head.getOutputShapes(embedding)[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        projection.initialize(manager, dataType, inputShapes);
        head.initialize(manager, dataType, projection.getOutputShapes(inputShapes));
    }
}
