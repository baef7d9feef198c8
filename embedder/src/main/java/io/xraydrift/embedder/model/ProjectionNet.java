package io.xraydrift.embedder.model;

import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;

/**
 * The embedding space the neighbours are found in: a projection learnt on labels (level and
 * severity) from a frozen network's features — batch-normalised features, then a linear map to the
 * embedding — and the head of three level logits and one severity output on the embedding, as every
 * network of the project has ({@link EmbeddingNet}). Forward takes features {@code [N, D]} and returns
 * {@code [embedding, head]}.
 *
 * <p>Linear by choice: a hidden layer of 256 with ReLU overfits a few hundred labelled films
 * (cross-validated severity Spearman 0.28-0.45 against 0.51 linear, docs/real-data.md).
 */
public final class ProjectionNet extends EmbeddingNet {

    public ProjectionNet(int embeddingSize) {
        super(new SequentialBlock()
                .add(BatchNorm.builder().optAxis(1).build())
                .add(Linear.builder().setUnits(embeddingSize).build()));
    }
}
