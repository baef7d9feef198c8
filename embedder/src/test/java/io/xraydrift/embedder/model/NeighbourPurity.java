package io.xraydrift.embedder.model;

import java.util.Arrays;
import java.util.List;

/**
 * k-NN class purity by cosine similarity among labelled embeddings, a query's own patient
 * excluded: for each query, the share of its k nearest neighbours that carry its label; averaged
 * per label. The published study's measure, made a number.
 */
final class NeighbourPurity {

    private NeighbourPurity() {}

    /** Mean purity per label index. */
    static double[] perLabel(List<float[]> vectors, int[] labels, String[] patients, int k, int classes) {
        int n = vectors.size();
        float[][] unit = new float[n][];
        for (int i = 0; i < n; i++) {
            unit[i] = normalised(vectors.get(i));
        }
        double[] sum = new double[classes];
        int[] count = new int[classes];
        for (int q = 0; q < n; q++) {
            double[] sims = new double[n];
            for (int j = 0; j < n; j++) {
                sims[j] = j == q || patients[j].equals(patients[q]) ? Double.NEGATIVE_INFINITY : dot(unit[q], unit[j]);
            }
            Integer[] order = new Integer[n];
            for (int j = 0; j < n; j++) {
                order[j] = j;
            }
            Arrays.sort(order, (a, b) -> Double.compare(sims[b], sims[a]));
            int same = 0;
            for (int r = 0; r < k; r++) {
                same += labels[order[r]] == labels[q] ? 1 : 0;
            }
            sum[labels[q]] += (double) same / k;
            count[labels[q]]++;
        }
        double[] out = new double[classes];
        for (int c = 0; c < classes; c++) {
            out[c] = sum[c] / count[c];
        }
        return out;
    }

    private static float[] normalised(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        float inv = (float) (1 / Math.max(1e-12, Math.sqrt(norm)));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * inv;
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
