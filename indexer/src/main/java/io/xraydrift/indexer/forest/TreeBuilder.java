package io.xraydrift.indexer.forest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One tree of a {@link Forest} under construction: splits its ids recursively by hyperplanes
 * between two centroids found by two-means on sampled points (retried when unbalanced, a random
 * balanced split as the last resort), into growable node and leaf lists that {@link Forest} merges
 * into its flat arrays.
 */
final class TreeBuilder {

    private static final int TWO_MEANS_STEPS = 200;
    private static final int SPLIT_ATTEMPTS = 3;
    private static final double MIN_SIDE_SHARE = 0.05;

    final Vectors.View view;
    final Metric metric;
    final int leafSize;
    final SplittableRandom random;
    final Kernels kernels;
    final int dim;
    final IntList positive = new IntList();
    final IntList negative = new IntList();
    final List<float[]> planes = new ArrayList<>();
    final FloatList offsets = new FloatList();
    final IntList leafSizes = new IntList();
    final IntList items = new IntList();
    /** Scratch: the current plane's margin of each id, by position in the ids array. */
    float[] margins;

    int root;

    TreeBuilder(Vectors.View view, Metric metric, int leafSize, SplittableRandom random, Kernels kernels) {
        this.view = view;
        this.metric = metric;
        this.leafSize = leafSize;
        this.random = random;
        this.kernels = kernels;
        this.dim = view.dim();
    }

    /** Splits ids[from, to) and returns the node reference. */
    int split(int[] ids, int from, int to) {
        int n = to - from;
        if (n <= leafSize) {
            for (int i = from; i < to; i++) {
                items.add(ids[i]);
            }
            leafSizes.add(n);
            return -leafSizes.size();
        }
        float[] plane = null;
        float offset = 0;
        int mid = -1;
        for (int attempt = 0; attempt < SPLIT_ATTEMPTS && mid < 0; attempt++) {
            float[] candidate = new float[dim + 1];
            twoMeans(ids, from, to, candidate);
            int m = partition(ids, from, to, candidate);
            int smaller = Math.min(m - from, to - m);
            if (smaller >= Math.max(1, (int) (n * MIN_SIDE_SHARE))) {
                plane = candidate;
                mid = m;
            }
        }
        if (mid < 0) {
            // Degenerate data (duplicates): a random balanced split keeps the tree shallow.
            for (int i = to - 1; i > from; i--) {
                int j = from + random.nextInt(i - from + 1);
                int t = ids[i];
                ids[i] = ids[j];
                ids[j] = t;
            }
            plane = new float[dim + 1];
            mid = from + n / 2;
            plane[dim] = Float.NaN; // marks the random split; the query treats both sides alike
        }
        offset = plane[dim];
        int node = positive.size();
        positive.add(0);
        negative.add(0);
        planes.add(Arrays.copyOf(plane, dim));
        offsets.add(Float.isNaN(offset) ? 0 : offset);
        int pos = split(ids, from, mid);
        int neg = split(ids, mid, to);
        positive.set(node, pos);
        negative.set(node, neg);
        return node;
    }

    /** Two centroids from sampled points; writes the separating hyperplane (normal, then offset) to out. */
    private void twoMeans(int[] ids, int from, int to, float[] out) {
        int n = to - from;
        int i = ids[from + random.nextInt(n)];
        int j = ids[from + random.nextInt(n - 1)];
        if (j == i) {
            j = ids[to - 1];
        }
        float[] data = view.data();
        float[] p = Arrays.copyOfRange(data, view.offset(i), view.offset(i) + dim);
        float[] q = Arrays.copyOfRange(data, view.offset(j), view.offset(j) + dim);
        int pc = 1;
        int qc = 1;
        boolean angular = metric == Metric.ANGULAR;
        float pNorm = angular ? norm(p) : 1;
        float qNorm = angular ? norm(q) : 1;
        for (int step = 0; step < TWO_MEANS_STEPS; step++) {
            int z = ids[from + random.nextInt(n)];
            int zo = view.offset(z);
            float dp = pc
                    * (angular
                            ? 1 - kernels.dot(p, 0, data, zo, dim) / pNorm
                            : kernels.squaredDistance(p, 0, data, zo, dim));
            float dq = qc
                    * (angular
                            ? 1 - kernels.dot(q, 0, data, zo, dim) / qNorm
                            : kernels.squaredDistance(q, 0, data, zo, dim));
            if (dp < dq) {
                update(p, pc++, data, zo);
                pNorm = angular ? norm(p) : 1;
            } else if (dq < dp) {
                update(q, qc++, data, zo);
                qNorm = angular ? norm(q) : 1;
            }
        }
        // The normal is the difference of the centroids as they are (means of unit vectors, not
        // rescaled to unit length), as Annoy does: rescaling them first measured 0.2-0.3 points
        // of recall lower at equal search_k on clustered data.
        for (int d = 0; d < dim; d++) {
            out[d] = p[d] - q[d];
        }
        Vectors.normalise(out, 0, dim);
        float offset = 0;
        if (metric == Metric.EUCLIDEAN) {
            for (int d = 0; d < dim; d++) {
                offset -= out[d] * (p[d] + q[d]) / 2;
            }
        }
        out[dim] = offset;
    }

    private float norm(float[] v) {
        return (float) Math.sqrt(Math.max(1e-30f, kernels.dot(v, 0, v, 0, dim)));
    }

    private void update(float[] centroid, int count, float[] data, int offset) {
        float w = 1f / (count + 1);
        for (int d = 0; d < dim; d++) {
            centroid[d] = centroid[d] * count * w + data[offset + d] * w;
        }
    }

    /** Moves ids on the positive side of the plane to the front; returns the first negative index. */
    private int partition(int[] ids, int from, int to, float[] plane) {
        float[] data = view.data();
        if (margins == null) {
            margins = new float[ids.length];
        }
        // Every margin first, four vectors at a time (memory streams in flight), then the swaps.
        kernels.dots(plane, data, ids, from, to, dim, margins);
        for (int i = from; i < to; i++) {
            margins[i] += plane[dim];
        }
        int lo = from;
        int hi = to - 1;
        while (lo <= hi) {
            float side = margins[lo];
            if (side > 0 || (side == 0 && random.nextBoolean())) {
                lo++;
            } else {
                int t = ids[lo];
                ids[lo] = ids[hi];
                ids[hi] = t;
                margins[lo] = margins[hi];
                margins[hi--] = side;
            }
        }
        return lo;
    }
}
