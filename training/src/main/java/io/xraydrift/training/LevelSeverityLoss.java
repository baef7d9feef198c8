package io.xraydrift.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
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
    private final float neighbourWeight;
    private final float axisWeight;
    /** Softness of the learnt neighbour score: cosine / 0.1, about the reach of 36 of a few hundred scans. */
    static final float NEIGHBOUR_TEMPERATURE = 0.1f;
    /** The least squared length of the batch's healthy-to-severe axis the axis term divides by. */
    static final float AXIS_FLOOR = 0.05f;

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
        this(severityWeight, contrastiveWeight, temperature, severityScale, 0f, 0f);
    }

    /**
     * With {@code neighbourWeight} and {@code axisWeight} above 0 it also learns the indexer's score
     * itself on the embedding: the soft neighbour grade ({@link #neighbourScore}) and the position on
     * the healthy-to-severe axis ({@link #axisPosition}), each regressed on the scan's grade.
     */
    public LevelSeverityLoss(
            float severityWeight,
            float contrastiveWeight,
            float temperature,
            float severityScale,
            float neighbourWeight,
            float axisWeight) {
        super("level+severity");
        this.severityWeight = severityWeight;
        this.contrastiveWeight = contrastiveWeight;
        this.temperature = temperature;
        this.severityScale = severityScale;
        this.neighbourWeight = neighbourWeight;
        this.axisWeight = axisWeight;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray out = predictions.get(predictions.size() - 1);
        NDArray label = labels.singletonOrThrow();
        NDArray logits = out.get(new NDIndex(":, 0:3"));
        NDArray severity = out.get(new NDIndex(":, 3"));
        NDArray level = label.get(new NDIndex(":, 0")).toType(DataType.INT64, false);
        NDArray target = label.get(new NDIndex(":, 1"));
        NDArray logProb = logits.logSoftmax(1);
        NDArray ce = logProb.mul(level.oneHot(3)).sum(new int[] {1}).neg().mean();
        NDArray l2 = severity.sub(target).square().mean();
        NDArray loss = ce.add(l2.mul(severityWeight));
        if (contrastiveWeight > 0 && predictions.size() > 1 && level.getShape().get(0) > 1) {
            loss = loss.add(
                    supervisedContrastive(predictions.get(0), level, target).mul(contrastiveWeight));
        }
        if (neighbourWeight > 0 && predictions.size() > 1 && level.getShape().get(0) > 1) {
            loss = loss.add(neighbourScore(predictions.get(0), target, NEIGHBOUR_TEMPERATURE)
                    .mul(neighbourWeight));
        }
        if (axisWeight > 0 && predictions.size() > 1 && level.getShape().get(0) > 1) {
            loss = loss.add(axisPosition(predictions.get(0), level, target).mul(axisWeight));
        }
        return loss;
    }

    /**
     * The score the indexer's axis reads, learnt: each scan's position on the batch's axis from the
     * healthy to the severe centroid (of unit vectors, as the angular index holds them), regressed on
     * its grade (severity where rated) — mean squared error.
     */
    static NDArray axisPosition(NDArray embedding, NDArray level, NDArray grade) {
        NDArray z = embedding.div(embedding.norm(new int[] {1}, true).add(1e-6f));
        NDArray healthy = level.eq(0).toType(DataType.FLOAT32, false).expandDims(1);
        NDArray severe = level.eq(2).toType(DataType.FLOAT32, false).expandDims(1);
        NDArray h = z.mul(healthy).sum(new int[] {0}).div(healthy.sum().add(1e-6f));
        NDArray sv = z.mul(severe).sum(new int[] {0}).div(severe.sum().add(1e-6f));
        NDArray axis = sv.sub(h);
        // Bounded below: while the centroids nearly coincide (early on, or a batch without a healthy or
        // a severe scan) an unbounded quotient blows the gradient up to NaN.
        NDArray position = z.sub(h)
                .matMul(axis.expandDims(1))
                .squeeze(1)
                .div(axis.square().sum().maximum(AXIS_FLOOR));
        return position.sub(grade).square().mean();
    }

    /**
     * The score the indexer's neighbours give, learnt (neighbourhood components analysis, Goldberger et
     * al. 2004, as regression): each scan's soft nearest-neighbour grade within the batch — the others'
     * grades weighted by softmax of cosine similarity at temperature {@code t}, itself excluded —
     * regressed on its own grade (severity where rated): mean squared error.
     */
    static NDArray neighbourScore(NDArray embedding, NDArray grade, float t) {
        long n = embedding.getShape().get(0);
        NDArray z = embedding.div(embedding.norm(new int[] {1}, true).add(1e-6f));
        NDArray similarity = z.matMul(z.transpose())
                .div(t)
                .sub(embedding.getManager().eye((int) n).mul(1e4f));
        NDArray p = similarity.softmax(1);
        NDArray predicted = p.matMul(grade.expandDims(1)).squeeze(1);
        return predicted.sub(grade).square().mean();
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
                ? severity.expandDims(1)
                        .sub(severity.expandDims(0))
                        .abs()
                        .div(-severityScale)
                        .exp()
                        .mul(others)
                : level.expandDims(1)
                        .eq(level.expandDims(0))
                        .toType(DataType.FLOAT32, false)
                        .mul(others);
        NDArray positives = same.sum(new int[] {1});
        NDArray perAnchor = logProb.mul(same)
                .sum(new int[] {1})
                .div(positives.maximum(1e-3f))
                .neg();
        NDArray hasPositive = positives.gt(1e-3f).toType(DataType.FLOAT32, false);
        return perAnchor.mul(hasPositive).sum().div(hasPositive.sum().maximum(1f));
    }
}
