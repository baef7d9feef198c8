package io.xraydrift.embedder.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * The project's residual network (ResNet-style, He et al. 2016, basic blocks): a strided 3×3 stem
 * and a max pool take the input to a quarter of its side, then four stages of basic residual
 * blocks (two 3×3 conv-BN with an identity or 1×1 projection shortcut) at 32/64/128/256 filters,
 * global average pooling and a dense embedding layer, then the same head as {@link XrayNet}: three
 * level logits and one severity output. Forward returns {@code [embedding, head]}.
 *
 * <p>At 128 px it costs about 75 M multiply-adds a forward pass (a ResNet-18 at 224 px: 1.8 G),
 * which is what two CPU cores can train on ten thousand films in an hour.
 */
public final class XrayResNet extends EmbeddingNet {

    /** The card's {@code network} name for this block. */
    public static final String NETWORK = "xray-resnet";

    private static final int[] FILTERS = {32, 64, 128, 256};
    private static final int[] BLOCKS = {1, 1, 2, 1};

    public XrayResNet(int embeddingSize) {
        super(features(embeddingSize));
    }

    private static SequentialBlock features(int embeddingSize) {
        SequentialBlock f = new SequentialBlock()
                .add(conv(FILTERS[0], 3, 2))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        int in = FILTERS[0];
        for (int stage = 0; stage < FILTERS.length; stage++) {
            for (int b = 0; b < BLOCKS[stage]; b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                f.add(basicBlock(FILTERS[stage], stride, stride != 1 || in != FILTERS[stage]));
                in = FILTERS[stage];
            }
        }
        return f.add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(embeddingSize).build())
                .add(Activation.reluBlock());
    }

    private static Block conv(int filters, int kernel, int stride) {
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .setFilters(filters)
                .optBias(false)
                .build();
    }

    /** conv-BN-ReLU-conv-BN plus the shortcut, then ReLU. */
    private static Block basicBlock(int filters, int stride, boolean project) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(filters, 3, stride))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(conv(filters, 3, 1))
                .add(BatchNorm.builder().build());
        Block shortcut = project
                ? new SequentialBlock()
                        .add(conv(filters, 1, stride))
                        .add(BatchNorm.builder().build())
                : Blocks.identityBlock();
        return new SequentialBlock()
                .add(new ParallelBlock(
                        branches -> new NDList(branches.get(0)
                                .singletonOrThrow()
                                .add(branches.get(1).singletonOrThrow())),
                        List.of(main, shortcut)))
                .add(Activation.reluBlock());
    }
}
