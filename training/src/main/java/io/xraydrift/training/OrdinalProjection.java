package io.xraydrift.training;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.xraydrift.embedder.model.EmbeddingNet;
import io.xraydrift.embedder.model.Hashes;
import io.xraydrift.embedder.model.Projected;
import io.xraydrift.embedder.model.ProjectionNet;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.function.ToDoubleFunction;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The projection in closed form: an embedding in which the angle between two films follows the
 * difference of their predicted grades, so that a film's nearest labelled neighbours are the films
 * the features grade alike — an ordinal neighbour space, learnt by ridge regression instead of by
 * gradient steps.
 *
 * <p>On standardised features (the projection's batch norm, its statistics set to the training
 * films'), ridge regressions predict the grade (the radiologist's severity where rated, else the
 * level's 0 / 0.5 / 1, as the indexer grades a neighbour) and, as a second direction, healthy or
 * not; each penalty is chosen by a 3-fold patient-disjoint split of the training films. Every level
 * and data set weighs the same, as in the learnt projection's balanced batches. The embedding is
 * then {@code [1, c (grade - 1/2), c (ill - 1/2), e * principal components...]}: the constant
 * first coordinate turns the predictions into an angle (cosine, what the neighbour search reads,
 * is monotone in their difference), and the whitened principal components of the features, scaled
 * small, break ties by appearance.
 *
 * <p>Why: on {@code dev/} a linear head on frozen features follows the radiologist's severity
 * better than any neighbour space learnt by gradient steps (docs/real-data.md); this space makes
 * the neighbour composition inherit that head's ranking while the score stays the composition of
 * the nearest labelled films.
 */
final class OrdinalProjection {

    /**
     * @param gradeScale      c for the grade direction (the angle's range)
     * @param illScale        c for the healthy-or-not direction; 0 leaves it out
     * @param appearanceScale e, the weight of the principal components; 0 leaves them out
     * @param gradeOnRated    the grade direction learnt on the radiologist-rated films alone (when
     *                        there are some), the healthy-or-not direction on all
     */
    record Settings(
            int embeddingSize, double gradeScale, double illScale, double appearanceScale, boolean gradeOnRated) {}

    /**
     * Ridge penalties tried, as multiples of the total weight (the Gram matrix's diagonal, each
     * standardised feature having variance 1).
     */
    private static final double[] PENALTIES = {0.001, 0.01, 0.1, 1, 10, 100, 1000};

    private static final int INNER_FOLDS = 3;
    private static final double BATCH_NORM_EPSILON = 1e-5;

    private final PrintStream progress;

    OrdinalProjection(PrintStream progress) {
        this.progress = progress;
    }

    /** The projection's weights (as {@link Projected#weights} writes them) for {@code features[view][sample]}. */
    byte[] fit(float[][][] features, List<LabelledImages.Sample> samples, Settings s) {
        long began = System.nanoTime();
        int views = features.length;
        int n = samples.size();
        int dim = features[0][0].length;
        if (s.embeddingSize() < 3) {
            throw new IllegalArgumentException("an ordinal projection needs 3 or more embedding floats");
        }
        Map<String, Integer> groupSize = new HashMap<>();
        samples.forEach(x -> groupSize.merge(x.group(), 1, Integer::sum));
        double[] weight = new double[n];
        for (int i = 0; i < n; i++) {
            weight[i] = 1.0 / (groupSize.get(samples.get(i).group()) * (double) groupSize.size());
        }
        // standardisation: the weighted mean and variance over every view
        double[] mean = new double[dim];
        double[] var = new double[dim];
        for (int i = 0; i < n; i++) {
            for (int v = 0; v < views; v++) {
                float[] f = features[v][i];
                for (int d = 0; d < dim; d++) {
                    mean[d] += weight[i] * f[d] / views;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int v = 0; v < views; v++) {
                float[] f = features[v][i];
                for (int d = 0; d < dim; d++) {
                    double c = f[d] - mean[d];
                    var[d] += weight[i] * c * c / views;
                }
            }
        }
        double[] inv = new double[dim];
        for (int d = 0; d < dim; d++) {
            inv[d] = 1 / Math.sqrt(var[d] + BATCH_NORM_EPSILON);
        }
        // per inner fold: weighted Gram matrix of the standardised features (with a constant column)
        int[] fold = new int[n];
        for (int i = 0; i < n; i++) {
            fold[i] = Math.floorMod(Hashes.text(samples.get(i).patient()).hashCode(), INNER_FOLDS);
        }
        ToDoubleFunction<LabelledImages.Sample> grade = x -> x.severity();
        ToDoubleFunction<LabelledImages.Sample> ill = x -> x.level() == 0 ? 0 : 1;
        boolean anyRated = samples.stream().anyMatch(LabelledImages.Sample::rated);
        // the grade direction: on the radiologist-rated films alone where asked and there are some
        IntPredicate gradeRows =
                s.gradeOnRated() && anyRated ? i -> samples.get(i).rated() : ALL;
        List<Direction> directions = new ArrayList<>();
        directions.add(new Direction("grade", grade, gradeRows, s.gradeScale()));
        if (s.illScale() > 0) {
            directions.add(new Direction("healthy-or-not", ill, ALL, s.illScale()));
        }
        Gram all = null;
        double[][] coefficients = new double[directions.size()][];
        for (int t = 0; t < directions.size(); t++) {
            Direction direction = directions.get(t);
            Gram gram = new Gram(features, samples, weight, fold, mean, inv, direction);
            if (all == null && direction.rows() == ALL) {
                all = gram;
            }
            double penalty = choosePenalty(features, samples, weight, fold, gram, direction, mean, inv);
            coefficients[t] = solve(sum(gram.gram(), -1), sum(gram.cross(), -1).data, penalty);
            progress.printf(
                    Locale.ROOT,
                    "ordinal projection: %s direction, ridge penalty %s%n",
                    direction.name(),
                    String.valueOf(penalty));
        }
        if (all == null) {
            all = new Gram(features, samples, weight, fold, mean, inv, new Direction("all", grade, ALL, 0));
        }
        double[][] components = s.appearanceScale() > 0
                ? principalComponents(sum(all.gram(), -1), s.embeddingSize() - 1 - directions.size())
                : new double[0][];
        float[] linear = new float[s.embeddingSize() * dim];
        float[] bias = new float[s.embeddingSize()];
        bias[0] = 1;
        for (int t = 0; t < directions.size(); t++) {
            double scale = directions.get(t).scale();
            for (int d = 0; d < dim; d++) {
                linear[(1 + t) * dim + d] = (float) (scale * coefficients[t][d]);
            }
            bias[1 + t] = (float) (scale * (coefficients[t][dim] - 0.5));
        }
        double perComponent = components.length == 0 ? 0 : s.appearanceScale() / Math.sqrt(components.length);
        for (int k = 0; k < components.length; k++) {
            int row = 1 + directions.size() + k;
            for (int d = 0; d < dim; d++) {
                linear[row * dim + d] = (float) (perComponent * components[k][d]);
            }
        }
        byte[] weights = write(dim, s.embeddingSize(), mean, var, linear, bias, s.gradeScale());
        progress.printf(
                Locale.ROOT,
                "ordinal projection of %d features learnt from %d images x %d views in %s%n",
                dim,
                n,
                views,
                ModelTrainer.duration((System.nanoTime() - began) / 1e9));
        return weights;
    }

    private static void standardise(float[] f, double[] mean, double[] inv, double[] out) {
        for (int d = 0; d < f.length; d++) {
            out[d] = (f[d] - mean[d]) * inv[d];
        }
        out[f.length] = 1;
    }

    /** A direction of the embedding: a ridge regression of {@code target} on the films {@code rows} accepts. */
    private record Direction(
            String name, ToDoubleFunction<LabelledImages.Sample> target, IntPredicate rows, double scale) {}

    private static final IntPredicate ALL = i -> true;

    /**
     * Per inner fold, the weighted Gram matrix of a direction's films' standardised features (a
     * constant last column) and their cross products with its target.
     */
    private record Gram(DMatrixRMaj[] gram, DMatrixRMaj[] cross) {

        Gram(
                float[][][] features,
                List<LabelledImages.Sample> samples,
                double[] weight,
                int[] fold,
                double[] mean,
                double[] inv,
                Direction direction) {
            this(new DMatrixRMaj[INNER_FOLDS], new DMatrixRMaj[INNER_FOLDS]);
            int p = mean.length + 1;
            for (int f = 0; f < INNER_FOLDS; f++) {
                gram[f] = new DMatrixRMaj(p, p);
                cross[f] = new DMatrixRMaj(p, 1);
            }
            double[] z = new double[p];
            int views = features.length;
            for (int i = 0; i < samples.size(); i++) {
                if (!direction.rows().test(i)) {
                    continue;
                }
                double[] g = gram[fold[i]].data;
                double[] c = cross[fold[i]].data;
                double y = direction.target().applyAsDouble(samples.get(i));
                for (float[][] view : features) {
                    standardise(view[i], mean, inv, z);
                    double w = weight[i] / views;
                    for (int a = 0; a < p; a++) {
                        double wa = w * z[a];
                        int row = a * p;
                        for (int b = a; b < p; b++) {
                            g[row + b] += wa * z[b];
                        }
                        c[a] += wa * y;
                    }
                }
            }
            for (DMatrixRMaj m : gram) {
                for (int a = 0; a < p; a++) {
                    for (int b = 0; b < a; b++) {
                        m.data[a * p + b] = m.data[b * p + a];
                    }
                }
            }
        }
    }

    /** The penalty whose inner-fold predictions have the least weighted squared error. */
    private static double choosePenalty(
            float[][][] features,
            List<LabelledImages.Sample> samples,
            double[] weight,
            int[] fold,
            Gram gram,
            Direction direction,
            double[] mean,
            double[] inv) {
        int p = mean.length + 1;
        double[] error = new double[PENALTIES.length];
        double[] z = new double[p];
        for (int f = 0; f < INNER_FOLDS; f++) {
            DMatrixRMaj g = sum(gram.gram(), f);
            double[] c = sum(gram.cross(), f).data;
            for (int k = 0; k < PENALTIES.length; k++) {
                double[] w = solve(g, c, PENALTIES[k]);
                for (int i = 0; i < samples.size(); i++) {
                    if (fold[i] != f || !direction.rows().test(i)) {
                        continue;
                    }
                    for (float[][] view : features) {
                        standardise(view[i], mean, inv, z);
                        double e = dot(w, z) - direction.target().applyAsDouble(samples.get(i));
                        error[k] += weight[i] * e * e;
                    }
                }
            }
        }
        int best = 0;
        for (int k = 1; k < PENALTIES.length; k++) {
            if (error[k] < error[best]) {
                best = k;
            }
        }
        return PENALTIES[best];
    }

    /** The sum of the matrices, leaving out number {@code except} (-1: none). */
    private static DMatrixRMaj sum(DMatrixRMaj[] parts, int except) {
        DMatrixRMaj out = new DMatrixRMaj(parts[0].numRows, parts[0].numCols);
        for (int f = 0; f < parts.length; f++) {
            if (f != except) {
                CommonOps_DDRM.addEquals(out, parts[f]);
            }
        }
        return out;
    }

    /**
     * Ridge coefficients from the weighted Gram matrix (last row and column: the constant) and the
     * cross products; the penalty is scaled by the total weight and spares the intercept.
     */
    private static double[] solve(DMatrixRMaj gram, double[] cross, double penalty) {
        int p = gram.numRows;
        DMatrixRMaj a = gram.copy();
        double total = gram.get(p - 1, p - 1);
        for (int d = 0; d < p - 1; d++) {
            a.add(d, d, penalty * total);
        }
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.symmPosDef(p);
        if (!solver.setA(a)) {
            throw new IllegalStateException("ridge system not positive definite (penalty " + penalty + ")");
        }
        DMatrixRMaj x = new DMatrixRMaj(p, 1);
        solver.solve(new DMatrixRMaj(p, 1, true, cross), x);
        return x.data;
    }

    /**
     * The {@code count} leading principal directions of the standardised features, each divided
     * by the square root of its variance (whitened: each has variance 1).
     */
    private static double[][] principalComponents(DMatrixRMaj gram, int count) {
        int dim = gram.numRows - 1;
        double total = gram.get(dim, dim);
        DMatrixRMaj cov = new DMatrixRMaj(dim, dim);
        for (int a = 0; a < dim; a++) {
            for (int b = 0; b < dim; b++) {
                // the features are centred by the weighted mean: the constant column's cross terms vanish
                cov.set(a, b, gram.get(a, b) / total);
            }
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(dim, true, true);
        if (!eig.decompose(cov)) {
            throw new IllegalStateException("principal components did not converge");
        }
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < dim; k++) {
            order.add(k);
        }
        order.sort((x, y) -> Double.compare(eig.getEigenvalue(y).real, eig.getEigenvalue(x).real));
        int kept = Math.min(count, dim);
        double[][] out = new double[kept][dim];
        for (int k = 0; k < kept; k++) {
            int e = order.get(k);
            double scale = 1 / Math.sqrt(Math.max(eig.getEigenvalue(e).real, 1e-9));
            DMatrixRMaj vector = eig.getEigenVector(e);
            for (int d = 0; d < dim; d++) {
                out[k][d] = vector.get(d, 0) * scale;
            }
        }
        return out;
    }

    private static double dot(double[] w, double[] z) {
        double s = 0;
        for (int d = 0; d < w.length; d++) {
            s += w[d] * z[d];
        }
        return s;
    }

    /**
     * Writes the weights into a {@link ProjectionNet}: the batch norm's statistics and identity
     * affine, the linear map, and a head reading the grade back from its coordinate (severity) with
     * level logits that rise and fall with it.
     */
    private static byte[] write(
            int dim, int embeddingSize, double[] mean, double[] var, float[] linear, float[] bias, double gradeScale) {
        ProjectionNet net = new ProjectionNet(embeddingSize);
        try (Model model = Model.newInstance("ordinal-projection", "PyTorch")) {
            model.setBlock(net);
            net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, dim));
            Block features = child(net, "features");
            Block norm = features.getChildren().values().get(0);
            Block map = features.getChildren().values().get(1);
            float[] ones = new float[dim];
            Arrays.fill(ones, 1f);
            set(norm, "gamma", ones);
            set(norm, "beta", new float[dim]);
            set(norm, "runningMean", toFloats(mean));
            set(norm, "runningVar", toFloats(var));
            set(map, "weight", linear);
            set(map, "bias", bias);
            // head: severity = coordinate 1 / c + 1/2; logits healthy -8 (g - 1/4), infected 0, severe 8 (g - 3/4)
            Block head = child(net, "head");
            float[] headWeight = new float[EmbeddingNet.HEAD_OUTPUTS * embeddingSize];
            float[] headBias = new float[EmbeddingNet.HEAD_OUTPUTS];
            float perUnit = (float) (1 / gradeScale);
            headWeight[1] = -8 * perUnit;
            headBias[0] = -8 * 0.25f;
            headWeight[2 * embeddingSize + 1] = 8 * perUnit;
            headBias[2] = -8 * 0.25f;
            headWeight[3 * embeddingSize + 1] = perUnit;
            headBias[3] = 0.5f;
            set(head, "weight", headWeight);
            set(head, "bias", headBias);
            return Projected.weights(net);
        }
    }

    /** A child block by the name it was added under (DJL prefixes it with its position). */
    private static Block child(Block parent, String name) {
        return parent.getChildren().stream()
                .filter(c -> c.getKey().endsWith(name))
                .map(Pair::getValue)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "no block " + name + " in " + parent.getChildren().keys()));
    }

    private static void set(Block block, String name, float[] values) {
        Parameter parameter = block.getDirectParameters().get(name);
        if (parameter == null) {
            throw new IllegalStateException(block.getClass().getSimpleName() + " has no parameter " + name + " (has "
                    + block.getDirectParameters().keys() + ")");
        }
        NDArray array = parameter.getArray();
        if (array.size() != values.length) {
            throw new IllegalStateException(name + " holds " + array.size() + " values, not " + values.length);
        }
        array.set(FloatBuffer.wrap(values));
    }

    private static float[] toFloats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }
}
