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
 */
public final class LevelSeverityLoss extends Loss {

    private final float severityWeight;

    public LevelSeverityLoss(float severityWeight) {
        super("level+severity");
        this.severityWeight = severityWeight;
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
        return ce.add(l2.mul(severityWeight));
    }
}
