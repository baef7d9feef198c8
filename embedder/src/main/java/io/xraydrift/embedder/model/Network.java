package io.xraydrift.embedder.model;

import ai.djl.nn.Block;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The project's own networks, by the name a model card gives in {@code network}: how to build
 * each and how its card describes it. The one list {@code train}, the trainer and the loader read.
 */
public enum Network {
    XRAY_NET(
            ModelCard.XRAY_NET,
            XrayNet::new,
            "XrayNet: 4 x (conv3x3-BN-ReLU-maxpool, 16/32/64/128 filters), global avg pool, dense "
                    + ModelCard.DEFAULT_EMBEDDING + " + ReLU (embedding), linear head [3 level logits, severity]"),
    XRAY_RESNET(
            XrayResNet.NETWORK,
            XrayResNet::new,
            "XrayResNet: 3x3/2 stem (32) + max pool, residual basic blocks 1/1/2/1 at 32/64/128/256 filters, "
                    + "global avg pool, dense " + ModelCard.DEFAULT_EMBEDDING
                    + " + ReLU (embedding), linear head [3 level logits, severity]"),
    XRAY_STUDENT(StudentNet.NETWORK, StudentNet::new, StudentNet.ARCHITECTURE);

    private final String cardName;
    private final IntFunction<Block> factory;
    private final String architecture;

    Network(String cardName, IntFunction<Block> factory, String architecture) {
        this.cardName = cardName;
        this.factory = factory;
        this.architecture = architecture;
    }

    /** The name a model card and {@code train --network} use. */
    public String cardName() {
        return cardName;
    }

    /** What the model card says of it. */
    public String architecture() {
        return architecture;
    }

    /** A fresh, uninitialised block with this embedding size. */
    public Block block(int embeddingSize) {
        return factory.apply(embeddingSize);
    }

    /** The network a card or option names; the error lists the known names. */
    public static Network named(String name) {
        return Arrays.stream(values())
                .filter(n -> n.cardName.equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("network '" + name + "' is not one of "
                        + String.join(
                                ", ",
                                Arrays.stream(values()).map(Network::cardName).toList())));
    }
}
