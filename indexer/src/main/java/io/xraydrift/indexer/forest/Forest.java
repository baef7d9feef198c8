package io.xraydrift.indexer.forest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * An Annoy-style forest of random-projection trees over the first {@link #size()} vectors of a
 * {@link Vectors.View}. Splits are hyperplanes between two centroids found by two-means on
 * sampled points ({@link TreeBuilder}: retried when unbalanced, random split as the last resort); leaves are buckets
 * of ordinals. A query runs one priority queue across all roots, collects {@code searchK}
 * candidates, deduplicates them and re-ranks them exactly. Immutable once built; the same data,
 * parameters and seed give the same forest whatever the thread count.
 */
public final class Forest {

    /** Items per leaf at most, by default: dim + 2 within [256, 4096], as Annoy sizes its leaves. */
    public static int defaultLeafSize(int dim) {
        return Math.max(256, Math.min(4096, dim + 2));
    }

    private final Metric metric;
    private final int dim;
    private final int size;
    private final int leafSize;
    private final int[] roots;
    /** Children of internal node i: {@code >= 0} another node, {@code < 0} leaf {@code -(ref + 1)}. */
    private final int[] positive;

    private final int[] negative;
    private final float[] planes;
    private final float[] offsets;
    private final int[] leafStart;
    private final int[] leafItems;
    private final Kernels kernels;

    private Forest(
            Metric metric,
            int dim,
            int size,
            int leafSize,
            int[] roots,
            int[] positive,
            int[] negative,
            float[] planes,
            float[] offsets,
            int[] leafStart,
            int[] leafItems,
            Kernels kernels) {
        this.metric = metric;
        this.dim = dim;
        this.size = size;
        this.leafSize = leafSize;
        this.roots = roots;
        this.positive = positive;
        this.negative = negative;
        this.planes = planes;
        this.offsets = offsets;
        this.leafStart = leafStart;
        this.leafItems = leafItems;
        this.kernels = kernels;
    }

    /** Builds {@code trees} trees over every vector of the view, trees in parallel on all cores. */
    public static Forest build(Vectors.View view, Metric metric, int trees, long seed, int leafSize) {
        return build(view, metric, trees, seed, leafSize, Runtime.getRuntime().availableProcessors());
    }

    /** As above on {@code threads} threads (a live index leaves a core to its queries). */
    public static Forest build(Vectors.View view, Metric metric, int trees, long seed, int leafSize, int threads) {
        if (trees < 1) {
            throw new IllegalArgumentException("trees " + trees + " must be at least 1");
        }
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
        try {
            return pool.submit(() -> buildOn(view, metric, trees, seed, leafSize))
                    .join();
        } finally {
            pool.shutdown();
        }
    }

    private static Forest buildOn(Vectors.View view, Metric metric, int trees, long seed, int leafSize) {
        Kernels kernels = Kernels.best();
        TreeBuilder[] built = new TreeBuilder[trees];
        IntStream.range(0, trees).parallel().forEach(t -> {
            TreeBuilder b = new TreeBuilder(
                    view, metric, leafSize, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + t), kernels);
            int[] all = new int[view.count()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            b.root = b.split(all, 0, all.length);
            built[t] = b;
        });
        return merge(built, view, metric, leafSize, kernels);
    }

    private static Forest merge(TreeBuilder[] built, Vectors.View view, Metric metric, int leafSize, Kernels kernels) {
        int nodes = 0;
        int leaves = 0;
        int items = 0;
        for (TreeBuilder b : built) {
            nodes += b.positive.size();
            leaves += b.leafSizes.size();
            items += b.items.size();
        }
        int dim = view.dim();
        int[] positive = new int[nodes];
        int[] negative = new int[nodes];
        if ((long) nodes * dim > Vectors.MAX_FLOATS) {
            throw new IllegalStateException("the forest is too large: " + built.length + " trees of " + view.count()
                    + " vectors need " + nodes + " split planes of " + dim + " floats, past 2^31 floats in one array; "
                    + "use fewer trees (XRAY_INDEXER_TREES) or shard the forest by tenant or hash");
        }
        float[] planes = new float[nodes * dim];
        float[] offsets = new float[nodes];
        int[] leafStart = new int[leaves + 1];
        int[] leafItems = new int[items];
        int[] roots = new int[built.length];
        int nodeBase = 0;
        int leafBase = 0;
        int itemBase = 0;
        for (int t = 0; t < built.length; t++) {
            TreeBuilder b = built[t];
            for (int i = 0; i < b.positive.size(); i++) {
                positive[nodeBase + i] = rebase(b.positive.get(i), nodeBase, leafBase);
                negative[nodeBase + i] = rebase(b.negative.get(i), nodeBase, leafBase);
                offsets[nodeBase + i] = b.offsets.get(i);
                System.arraycopy(b.planes.get(i), 0, planes, (nodeBase + i) * dim, dim);
            }
            for (int l = 0; l < b.leafSizes.size(); l++) {
                leafStart[leafBase + l] = itemBase;
                itemBase += b.leafSizes.get(l);
            }
            for (int i = 0; i < b.items.size(); i++) {
                leafItems[leafStart[leafBase] + i] = b.items.get(i);
            }
            roots[t] = rebase(b.root, nodeBase, leafBase);
            nodeBase += b.positive.size();
            leafBase += b.leafSizes.size();
        }
        leafStart[leaves] = itemBase;
        return new Forest(
                metric,
                dim,
                view.count(),
                leafSize,
                roots,
                positive,
                negative,
                planes,
                offsets,
                leafStart,
                leafItems,
                kernels);
    }

    private static int rebase(int ref, int nodeBase, int leafBase) {
        return ref >= 0 ? ref + nodeBase : -((-ref - 1) + leafBase) - 1;
    }

    /**
     * The forest's arrays as they are (no copies): what a snapshot stores. Children of internal node
     * i are {@code positive[i]} and {@code negative[i]}: {@code >= 0} another node, {@code < 0} leaf
     * {@code -(ref + 1)}; node i's plane is {@code planes[i*dim .. (i+1)*dim)} with {@code offsets[i]};
     * leaf l holds {@code leafItems[leafStart[l] .. leafStart[l+1])}.
     */
    public record Layout(
            Metric metric,
            int dim,
            int size,
            int leafSize,
            int[] roots,
            int[] positive,
            int[] negative,
            float[] planes,
            float[] offsets,
            int[] leafStart,
            int[] leafItems) {}

    public Layout layout() {
        return new Layout(
                metric, dim, size, leafSize, roots, positive, negative, planes, offsets, leafStart, leafItems);
    }

    /** A forest from stored arrays, checked for consistency (a bad reference names itself). */
    public static Forest of(Layout l) {
        int nodes = l.positive().length;
        int leaves = l.leafStart().length - 1;
        if (l.dim() < 1
                || l.size() < 0
                || l.roots().length < 1
                || l.negative().length != nodes
                || l.offsets().length != nodes
                || l.planes().length != (long) nodes * l.dim()
                || leaves < 0
                || l.leafStart()[leaves] != l.leafItems().length) {
            throw new IllegalArgumentException("inconsistent forest arrays: " + nodes + " nodes, " + l.planes().length
                    + " plane floats for dim " + l.dim() + ", " + l.leafItems().length + " leaf items");
        }
        for (int[] refs : new int[][] {l.roots(), l.positive(), l.negative()}) {
            for (int ref : refs) {
                if (ref >= nodes || ref < -leaves) {
                    throw new IllegalArgumentException(
                            "node reference " + ref + " outside " + nodes + " nodes and " + leaves + " leaves");
                }
            }
        }
        for (int l2 = 0; l2 < leaves; l2++) {
            if (l.leafStart()[l2] < 0 || l.leafStart()[l2] > l.leafStart()[l2 + 1]) {
                throw new IllegalArgumentException("leaf " + l2 + " starts at " + l.leafStart()[l2]);
            }
        }
        for (int item : l.leafItems()) {
            if (item < 0 || item >= l.size()) {
                throw new IllegalArgumentException(
                        "leaf item " + item + " outside the forest's " + l.size() + " vectors");
            }
        }
        return new Forest(
                l.metric(),
                l.dim(),
                l.size(),
                l.leafSize(),
                l.roots(),
                l.positive(),
                l.negative(),
                l.planes(),
                l.offsets(),
                l.leafStart(),
                l.leafItems(),
                Kernels.best());
    }

    /** Vectors covered (ordinals {@code 0 .. size-1}). */
    public int size() {
        return size;
    }

    public int trees() {
        return roots.length;
    }

    public Metric metric() {
        return metric;
    }

    public int dim() {
        return dim;
    }

    public int leafSize() {
        return leafSize;
    }

    /** Bytes held by the trees (not the vectors). */
    public long treeBytes() {
        return 4L * (positive.length * 3L + planes.length + leafStart.length + leafItems.length + roots.length);
    }

    /**
     * The k nearest accepted vectors among the forest's, by exact distance over {@code searchK}
     * candidates ({@code accept} null: all). {@code query} must be prepared ({@link Vectors#prepareQuery}).
     */
    public List<Neighbour> query(Vectors.View view, float[] query, int k, int searchK, IntPredicate accept) {
        TopK top = new TopK(k);
        collect(view, query, k, searchK, accept, top);
        return finish(top);
    }

    /** Offers the forest's deduplicated, accepted candidates to {@code top} in ranking form. */
    void collect(Vectors.View view, float[] query, int k, int searchK, IntPredicate accept, TopK top) {
        int[] candidates = candidates(query, Math.max(searchK, k));
        long[] seen = new long[(size + 63) >>> 6];
        for (int c : candidates) {
            seen[c >>> 6] |= 1L << c;
        }
        // Deduplicated in ordinal order: memory is read front to back.
        int n = 0;
        for (int w = 0; w < seen.length; w++) {
            long word = seen[w];
            while (word != 0) {
                int c = (w << 6) + Long.numberOfTrailingZeros(word);
                word &= word - 1;
                if (accept == null || accept.test(c)) {
                    candidates[n++] = c;
                }
            }
        }
        offer(query, view.data(), candidates, n, top);
    }

    /**
     * Offers {@code ordinals[0..n)} to {@code top} by their ranking distance (angular: 1 − dot;
     * Euclidean: squared), four vectors at a time.
     */
    void offer(float[] q, float[] data, int[] ordinals, int n, TopK top) {
        float[] distances = new float[n];
        if (metric == Metric.ANGULAR) {
            kernels.dots(q, data, ordinals, 0, n, dim, distances);
            for (int i = 0; i < n; i++) {
                distances[i] = 1 - distances[i];
            }
        } else {
            kernels.squaredDistances(q, data, ordinals, 0, n, dim, distances);
        }
        for (int i = 0; i < n; i++) {
            if (distances[i] < top.bound()) {
                top.offer(ordinals[i], distances[i]);
            }
        }
    }

    /** The kept neighbours nearest first, distances in the metric's own form. */
    List<Neighbour> finish(TopK top) {
        List<Neighbour> out = top.sorted();
        if (metric == Metric.ANGULAR) {
            return out;
        }
        List<Neighbour> euclidean = new ArrayList<>(out.size());
        out.forEach(n -> euclidean.add(new Neighbour(n.ordinal(), (float) Math.sqrt(Math.max(0, n.distance())))));
        return euclidean;
    }

    /** Candidate ordinals (may repeat) in the order a best-first walk of all trees meets them. */
    int[] candidates(float[] q, int searchK) {
        NodeQueue queue = new NodeQueue(roots.length * 8);
        for (int root : roots) {
            queue.push(Float.POSITIVE_INFINITY, root);
        }
        int[] out = new int[Math.max(16, searchK + leafSize)];
        int n = 0;
        while (n < searchK && !queue.isEmpty()) {
            float priority = queue.topPriority();
            int ref = queue.pop();
            if (ref < 0) {
                int leaf = -ref - 1;
                int from = leafStart[leaf];
                int to = leafStart[leaf + 1];
                if (n + (to - from) > out.length) {
                    out = Arrays.copyOf(out, Math.max(out.length * 2, n + (to - from)));
                }
                System.arraycopy(leafItems, from, out, n, to - from);
                n += to - from;
            } else {
                float margin = kernels.dot(planes, ref * dim, q, 0, dim) + offsets[ref];
                queue.push(Math.min(priority, margin), positive[ref]);
                queue.push(Math.min(priority, -margin), negative[ref]);
            }
        }
        return Arrays.copyOf(out, n);
    }
}
