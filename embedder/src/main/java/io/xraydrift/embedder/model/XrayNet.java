package io.xraydrift.embedder.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

/**
 * The project's compact CNN: four conv-BN-ReLU-pool stages, global average pooling and a dense
 * embedding layer, then a head of three level logits and one severity output. Its forward pass
 * returns both: {@code [embedding, head]}. The embedding (the penultimate layer) is what the
 * pipeline indexes.
 */
public final class XrayNet extends EmbeddingNet {

    /** Outputs of the head: healthy, infected, severe logits, then the severity regression. */
    public static final int HEAD_OUTPUTS = EmbeddingNet.HEAD_OUTPUTS;

    public XrayNet(int embeddingSize) {
        super(features(embeddingSize));
    }

    private static SequentialBlock features(int embeddingSize) {
        SequentialBlock f = new SequentialBlock();
        for (int filters : new int[] {16, 32, 64, 128}) {
            f.add(Conv2d.builder()
                            .setKernelShape(new Shape(3, 3))
                            .optPadding(new Shape(1, 1))
                            .setFilters(filters)
                            .build())
                    .add(BatchNorm.builder().build())
                    .add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        return f.add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(embeddingSize).build())
                .add(Activation.reluBlock());
    }
}
