package io.xraydrift.cli.evaluate;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Agreement of a score with a reference: Pearson's and Spearman's correlation (ranks with ties
 * averaged), mean absolute error, and the area under the ROC curve (Mann-Whitney, ties counted
 * half). Pure arithmetic over equal-length arrays.
 */
final class Agreement {

    private Agreement() {}

    static double pearson(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(Double.NaN);
        double my = Arrays.stream(y).average().orElse(Double.NaN);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    static double spearman(double[] x, double[] y) {
        return pearson(ranks(x), ranks(y));
    }

    static double meanAbsoluteError(double[] x, double[] y) {
        return IntStream.range(0, x.length)
                .mapToDouble(i -> Math.abs(x[i] - y[i]))
                .average()
                .orElse(Double.NaN);
    }

    /** P(a random positive scores above a random negative) + half the ties; NaN if either side is empty. */
    static double auroc(double[] negatives, double[] positives) {
        if (negatives.length == 0 || positives.length == 0) {
            return Double.NaN;
        }
        double[] all = concat(negatives, positives);
        double[] r = ranks(all);
        double positiveRanks = 0;
        for (int i = negatives.length; i < all.length; i++) {
            positiveRanks += r[i];
        }
        double u = positiveRanks - positives.length * (positives.length + 1) / 2.0;
        return u / ((double) positives.length * negatives.length);
    }

    /**
     * The cut that best separates negatives (below) from positives (at or above) by Youden's J
     * (sensitivity + specificity - 1): the midpoint between the two scores around the best split;
     * NaN when either side is empty.
     */
    static double youdenCut(double[] negatives, double[] positives) {
        if (negatives.length == 0 || positives.length == 0) {
            return Double.NaN;
        }
        double[] all = concat(negatives, positives);
        Arrays.sort(all);
        double bestJ = -2;
        double best = Double.NaN;
        for (int i = 1; i < all.length; i++) {
            if (all[i] == all[i - 1]) {
                continue;
            }
            double cut = (all[i] + all[i - 1]) / 2;
            double tpr = Arrays.stream(positives).filter(v -> v >= cut).count() / (double) positives.length;
            double tnr = Arrays.stream(negatives).filter(v -> v < cut).count() / (double) negatives.length;
            if (tpr + tnr - 1 > bestJ + 1e-12) {
                bestJ = tpr + tnr - 1;
                best = cut;
            }
        }
        return best;
    }

    /** The negatives, then the positives, in one array. */
    private static double[] concat(double[] negatives, double[] positives) {
        double[] all = new double[negatives.length + positives.length];
        System.arraycopy(negatives, 0, all, 0, negatives.length);
        System.arraycopy(positives, 0, all, negatives.length, positives.length);
        return all;
    }

    /** 1-based ranks, ties given the mean of the ranks they span. */
    static double[] ranks(double[] v) {
        Integer[] order = IntStream.range(0, v.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
        double[] r = new double[v.length];
        for (int i = 0; i < order.length; ) {
            int j = i;
            while (j + 1 < order.length && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double mean = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) {
                r[order[t]] = mean;
            }
            i = j + 1;
        }
        return r;
    }
}
