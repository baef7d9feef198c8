package io.xraydrift.embedder.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.loss.Loss;

/**
 * Training objective: softmax cross-entropy on the three levels plus a weighted L2 on the
 * severity value, so the embedding separates healthy / infected / severe and still orders scans
 * by severity within a level. Labels: {@code [N, 2]} = (level index, severity); predictions: the
 * head output {@code [N, 4]} (last element of the prediction list).
 *
 * <p>With a contrastive weight above 0 it adds a supervised contrastive term (Khosla et al., 2020)
 * on the embedding (first element of the prediction list): scans of the same level are pulled
 * together and the rest pushed apart by cosine similarity, which is what the k-NN search reads.
 */
public final class LevelSeverityLoss extends Loss {

    private final float severityWeight;
    private final float contrastiveWeight;
    private final float temperature;
    private final float severityScale;

    public LevelSeverityLoss(float severityWeight) {
        this(severityWeight, 0f, 0.1f);
    }

    public LevelSeverityLoss(float severityWeight, float contrastiveWeight, float temperature) {
        this(severityWeight, contrastiveWeight, temperature, 0f);
    }

    /**
     * With {@code severityScale} above 0 the contrastive term's positives are graded by severity
     * instead of level: scan j weighs {@code exp(-|s_i - s_j| / severityScale)} as anchor i's
     * positive (the level's grade 0 / 0.5 / 1 standing in where a scan has no severity), so
     * neighbours are ordered by severity within a level too — what the neighbour score reads.
     */
    public LevelSeverityLoss(float severityWeight, float contrastiveWeight, float temperature, float severityScale) {
        super("level+severity");
        this.severityWeight = severityWeight;
        this.contrastiveWeight = contrastiveWeight;
        this.temperature = temperature;
        this.severityScale = severityScale;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray out = predictions.get(predictions.size() - 1);
        NDArray label = labels.singletonOrThrow();
        NDArray logits = out.get(new NDIndex(":, 0:3"));
        NDArray severity = out.get(new NDIndex(":, 3"));
        NDArray level = label.get(new NDIndex(":, 0")).toType(ai.djl.ndarray.types.DataType.INT64, false);
        NDArray target = label.get(new NDIndex(":, 1"));
        NDArray logProb = logits.logSoftmax(1);
        NDArray ce = logProb.mul(level.oneHot(3)).sum(new int[] {1}).neg().mean();
        NDArray l2 = severity.sub(target).square().mean();
        NDArray loss = ce.add(l2.mul(severityWeight));
        if (contrastiveWeight > 0 && predictions.size() > 1 && level.getShape().get(0) > 1) {
            loss = loss.add(supervisedContrastive(predictions.get(0), level, target).mul(contrastiveWeight));
        }
        return loss;
    }

    /** Mean over anchors of -log softmax similarity to each same-level scan in the batch (self excluded). */
    private NDArray supervisedContrastive(NDArray embedding, NDArray level, NDArray severity) {
        long n = embedding.getShape().get(0);
        NDArray z = embedding.div(embedding.norm(new int[] {1}, true).add(1e-6f));
        NDArray similarity = z.matMul(z.transpose()).div(temperature);
        NDArray others = embedding.getManager().eye((int) n).neg().add(1f);
        NDArray denominator = similarity.exp().mul(others).sum(new int[] {1}, true);
        NDArray logProb = similarity.sub(denominator.log());
        NDArray same = severityScale > 0
                ? severity.expandDims(1).sub(severity.expandDims(0)).abs().div(-severityScale).exp().mul(others)
                : level.expandDims(1).eq(level.expandDims(0)).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                        .mul(others);
        NDArray positives = same.sum(new int[] {1});
        NDArray perAnchor = logProb.mul(same).sum(new int[] {1}).div(positives.maximum(1e-3f)).neg();
        NDArray hasPositive = positives.gt(1e-3f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        return perAnchor.mul(hasPositive).sum().div(hasPositive.sum().maximum(1f));
    }
}
