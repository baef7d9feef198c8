package io.xraydrift.cli.evaluate;

import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.events.Level;
import io.xraydrift.indexer.reference.Scoring;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.IntToDoubleFunction;
import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * What a model must beat, measured on the same folds as the model: raw pixels (16 x 16 and
 * 32 x 32) and the lung fields' mean intensity, which need no training at all, and — as the
 * ceiling to approach — a pretrained teacher's features. For each feature set, a linear head
 * fitted on the other folds (ridge regression: on healthy-vs-not for the AUROC, on the rated
 * scans' radiologist severity for the Spearman) and the neighbour figures of the features
 * themselves (standardised per dimension; 36 nearest by angle, own patient excluded, scored as the
 * indexer scores). The lung-field mean is one number a film: its AUROC and Spearman, with the sign
 * chosen on the other folds.
 */
final class Floors {

    /** Lung-field boxes on a 64 x 64 film: rows 25-75 %, columns 15-45 % and 55-85 %. */
    private static final int LUNG_GRID = 64;

    private Floors() {}

    /** Every floor's figures, mean ± sd over the folds; with a teacher, its figures as the ceiling. */
    static Map<String, Object> measure(
            List<Evaluation.Row> rows,
            Map<String, Integer> foldOf,
            int folds,
            EmbeddingModel teacher,
            Scoring scoring,
            DriftRule rule) {
        float[][][] grids = pixels(rows, 16, 32, LUNG_GRID);
        Map<String, float[][]> sets = new LinkedHashMap<>();
        sets.put("pixels_16", grids[0]);
        sets.put("pixels_32", grids[1]);
        if (teacher != null) {
            sets.put(
                    "ceiling_" + teacher.card().id(),
                    Evaluation.forward(teacher, rows, teacher.hasProjection() ? teacher::features : teacher::embed)
                            .toArray(new float[0][]));
        }
        double[] lung = lungMean(grids[2]);
        Map<String, Object> out = new LinkedHashMap<>();
        for (var set : sets.entrySet()) {
            List<Map<String, Object>> perFold = new ArrayList<>();
            float[][] z = standardised(set.getValue());
            for (int f = 0; f < folds; f++) {
                int fold = f;
                IntPredicate held = i -> foldOf.get(rows.get(i).patient()) == fold;
                Map<String, Object> figures = new LinkedHashMap<>(linearHead(z, rows, held));
                Evaluation e = new Evaluation(
                        set.getKey(),
                        "floor",
                        Arrays.asList(z),
                        rows,
                        r -> foldOf.get(r.patient()) == fold,
                        36,
                        20,
                        720,
                        scoring,
                        rule);
                figures.put(
                        "neighbour_purity_healthy",
                        EvaluateCommand.round(e.forest.mean().get(Level.HEALTHY)));
                figures.put(
                        "neighbour_purity_infected",
                        EvaluateCommand.round(e.forest.mean().get(Level.INFECTED)));
                figures.put(
                        "neighbour_purity_severe",
                        EvaluateCommand.round(e.forest.mean().get(Level.SEVERE)));
                figures.put("neighbour_severity_spearman", EvaluateCommand.round(e.severitySpearman()));
                figures.put("neighbour_auroc_healthy", EvaluateCommand.round(e.aurocHealthy()));
                perFold.add(figures);
            }
            out.put(set.getKey(), CrossValidateCommand.summary(perFold));
        }
        List<Map<String, Object>> perFold = new ArrayList<>();
        for (int f = 0; f < folds; f++) {
            int fold = f;
            perFold.add(statistic(lung, rows, i -> foldOf.get(rows.get(i).patient()) == fold));
        }
        out.put("lung_field_mean_intensity", CrossValidateCommand.summary(perFold));
        return out;
    }

    /** Each film, decoded once, resized to each side x side by area averaging, gray levels / 255: {@code [side][film]}. */
    static float[][][] pixels(List<Evaluation.Row> rows, int... sides) {
        float[][][] out = new float[sides.length][rows.size()][];
        IntStream.range(0, rows.size()).parallel().forEach(i -> {
            BufferedImage film = Preprocessing.decode(rows.get(i).png());
            for (int s = 0; s < sides.length; s++) {
                out[s][i] = new Preprocessing(sides[s], 1, 0f, 1f, false).input(film);
            }
        });
        return out;
    }

    /** Mean gray level (0..255) of two fixed boxes over the lung fields of each film at 64 x 64. */
    static double[] lungMean(float[][] grid) {
        double[] out = new double[grid.length];
        for (int i = 0; i < grid.length; i++) {
            double sum = 0;
            int n = 0;
            for (int y = LUNG_GRID / 4; y < LUNG_GRID * 3 / 4; y++) {
                for (int x = 0; x < LUNG_GRID; x++) {
                    boolean left = x >= LUNG_GRID * 15 / 100 && x < LUNG_GRID * 45 / 100;
                    boolean right = x >= LUNG_GRID * 55 / 100 && x < LUNG_GRID * 85 / 100;
                    if (left || right) {
                        sum += grid[i][y * LUNG_GRID + x] * 255;
                        n++;
                    }
                }
            }
            out[i] = sum / n;
        }
        return out;
    }

    private static float[][] standardised(float[][] x) {
        int d = x[0].length;
        double[] mean = new double[d];
        double[] var = new double[d];
        for (float[] v : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += v[j] / (double) x.length;
            }
        }
        for (float[] v : x) {
            for (int j = 0; j < d; j++) {
                var[j] += (v[j] - mean[j]) * (v[j] - mean[j]) / x.length;
            }
        }
        float[][] out = new float[x.length][d];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = (float) ((x[i][j] - mean[j]) / (Math.sqrt(var[j]) + 1e-6));
            }
        }
        return out;
    }

    /** Ridge heads fitted on the rows outside the fold, judged on the fold. */
    private static Map<String, Object> linearHead(float[][] z, List<Evaluation.Row> rows, IntPredicate held) {
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            (held.test(i) ? test : train).add(i);
        }
        IntFunction<String> patient = i -> rows.get(i).patient();
        double[] ill = ridge(z, train, i -> rows.get(i).level() == Level.HEALTHY ? 0 : 1, patient);
        List<Integer> rated = train.stream()
                .filter(i -> !Double.isNaN(rows.get(i).severity()))
                .toList();
        double[] severity = ridge(z, rated, i -> rows.get(i).severity(), patient);
        double[] healthyScores = test.stream()
                .filter(i -> rows.get(i).level() == Level.HEALTHY)
                .mapToDouble(i -> dot(ill, z[i]))
                .toArray();
        double[] illScores = test.stream()
                .filter(i -> rows.get(i).level() != Level.HEALTHY)
                .mapToDouble(i -> dot(ill, z[i]))
                .toArray();
        List<Integer> ratedTest =
                test.stream().filter(i -> !Double.isNaN(rows.get(i).severity())).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("linear_auroc_healthy", EvaluateCommand.round(Agreement.auroc(healthyScores, illScores)));
        out.put(
                "linear_severity_spearman",
                ratedTest.size() < 3
                        ? null
                        : EvaluateCommand.round(Agreement.spearman(
                                ratedTest.stream()
                                        .mapToDouble(i -> dot(severity, z[i]))
                                        .toArray(),
                                ratedTest.stream()
                                        .mapToDouble(i -> rows.get(i).severity())
                                        .toArray())));
        return out;
    }

    /** Ridge penalties tried, as multiples of the mean squared norm of a row. */
    private static final double[] PENALTIES = {0.01, 0.1, 1, 10};

    /**
     * Ridge regression whose penalty is chosen by 3-fold cross-validation (squared error) within
     * the rows it is fitted on, patient-disjoint (a patient's films in one inner fold: with them on
     * both sides the check rewards a penalty that memorises patients), then refitted on all of them.
     */
    private static double[] ridge(
            float[][] z, List<Integer> rows, IntToDoubleFunction target, IntFunction<String> patient) {
        double best = PENALTIES[0];
        double bestError = Double.MAX_VALUE;
        for (double penalty : PENALTIES) {
            double error = 0;
            for (int f = 0; f < 3; f++) {
                int fold = f;
                List<Integer> fit = new ArrayList<>();
                List<Integer> check = new ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    (Math.floorMod(patient.apply(rows.get(i)).hashCode(), 3) == fold ? check : fit).add(rows.get(i));
                }
                double[] w = ridge(z, fit, target, penalty);
                for (int i : check) {
                    double e = dot(w, z[i]) - target.applyAsDouble(i);
                    error += e * e;
                }
            }
            if (error < bestError) {
                bestError = error;
                best = penalty;
            }
        }
        return ridge(z, rows, target, best);
    }

    /**
     * Ridge regression with an intercept, solved in the dual ({@code (K + lambda I) a = y - mean},
     * {@code w = X' a}) since there are more features than films; lambda = {@code penalty} x the
     * mean squared norm of a row. Returns {@code [w..., intercept]}.
     */
    private static double[] ridge(float[][] z, List<Integer> rows, IntToDoubleFunction target, double penalty) {
        int n = rows.size();
        int d = z[0].length;
        double meanY =
                rows.stream().mapToDouble(target::applyAsDouble).average().orElse(0);
        double[][] k = new double[n][n + 1];
        double trace = 0;
        for (int a = 0; a < n; a++) {
            for (int b = 0; b <= a; b++) {
                double v = dotF(z[rows.get(a)], z[rows.get(b)]);
                k[a][b] = v;
                k[b][a] = v;
            }
            trace += k[a][a];
            k[a][n] = target.applyAsDouble(rows.get(a)) - meanY;
        }
        double lambda = penalty * trace / n;
        for (int a = 0; a < n; a++) {
            k[a][a] += lambda;
        }
        double[] alpha = solve(k, n);
        double[] w = new double[d + 1];
        for (int a = 0; a < n; a++) {
            float[] x = z[rows.get(a)];
            for (int j = 0; j < d; j++) {
                w[j] += alpha[a] * x[j];
            }
        }
        w[d] = meanY;
        return w;
    }

    /** Solves the symmetric positive definite system held as {@code [A | b]} (Cholesky, EJML). */
    private static double[] solve(double[][] m, int n) {
        DMatrixRMaj a = new DMatrixRMaj(n, n);
        DMatrixRMaj b = new DMatrixRMaj(n, 1);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                a.unsafe_set(r, c, m[r][c]);
            }
            b.unsafe_set(r, 0, m[r][n]);
        }
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.symmPosDef(n);
        if (!solver.setA(a)) {
            throw new IllegalStateException("ridge system not positive definite");
        }
        DMatrixRMaj x = new DMatrixRMaj(n, 1);
        solver.solve(b, x);
        return x.data;
    }

    private static double dot(double[] w, float[] x) {
        double s = w[x.length];
        for (int j = 0; j < x.length; j++) {
            s += w[j] * x[j];
        }
        return s;
    }

    private static double dotF(float[] a, float[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    /** AUROC and Spearman of one number a film, its sign chosen on the rows outside the fold. */
    private static Map<String, Object> statistic(double[] v, List<Evaluation.Row> rows, IntPredicate held) {
        double sign = Agreement.auroc(
                                select(
                                        v,
                                        rows,
                                        i -> !held.test(i) && rows.get(i).level() == Level.HEALTHY),
                                select(
                                        v,
                                        rows,
                                        i -> !held.test(i) && rows.get(i).level() != Level.HEALTHY))
                        >= 0.5
                ? 1
                : -1;
        double[] heldHealthy = select(v, rows, i -> held.test(i) && rows.get(i).level() == Level.HEALTHY);
        double[] heldIll = select(v, rows, i -> held.test(i) && rows.get(i).level() != Level.HEALTHY);
        for (int i = 0; i < heldHealthy.length; i++) {
            heldHealthy[i] *= sign;
        }
        for (int i = 0; i < heldIll.length; i++) {
            heldIll[i] *= sign;
        }
        double[] trainRatedV =
                select(v, rows, i -> !held.test(i) && !Double.isNaN(rows.get(i).severity()));
        double[] trainRatedS = IntStream.range(0, rows.size())
                .filter(i -> !held.test(i) && !Double.isNaN(rows.get(i).severity()))
                .mapToDouble(i -> rows.get(i).severity())
                .toArray();
        double severitySign = trainRatedV.length >= 3 && Agreement.spearman(trainRatedV, trainRatedS) < 0 ? -1 : 1;
        int[] ratedHeld = IntStream.range(0, rows.size())
                .filter(i -> held.test(i) && !Double.isNaN(rows.get(i).severity()))
                .toArray();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("auroc_healthy", EvaluateCommand.round(Agreement.auroc(heldHealthy, heldIll)));
        out.put(
                "severity_spearman",
                ratedHeld.length < 3
                        ? null
                        : EvaluateCommand.round(Agreement.spearman(
                                IntStream.of(ratedHeld)
                                        .mapToDouble(i -> severitySign * v[i])
                                        .toArray(),
                                IntStream.of(ratedHeld)
                                        .mapToDouble(i -> rows.get(i).severity())
                                        .toArray())));
        return out;
    }

    private static double[] select(double[] v, List<Evaluation.Row> rows, IntPredicate keep) {
        return IntStream.range(0, rows.size())
                .filter(keep)
                .mapToDouble(i -> v[i])
                .toArray();
    }
}
