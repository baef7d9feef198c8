package io.xraydrift.indexer.forest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;

/**
 * A forest that keeps taking vectors. Vectors added after the last build ("fresh") are searched
 * exactly and merged with the forest's answer, so a vector is findable the moment it is added.
 * Rebuilds run in the background when the fresh part exceeds a fraction of the forest or an
 * interval has passed, and are published with one atomic swap: queries never wait for a build and
 * always see one complete forest plus the exact remainder.
 */
public final class LiveIndex implements AutoCloseable {

    /** A published forest and what it cost. */
    public record Built(Forest forest, long version, Instant builtAt, Duration buildTime) {}

    /** Listener of finished rebuilds (metrics, logs). */
    public interface RebuildListener {
        void rebuilt(Built built, int size);
    }

    private final Vectors vectors;
    private final int trees;
    private final long seed;
    private final int leafSize;
    private final double rebuildFraction;
    private final Duration rebuildInterval;
    private final RebuildListener listener;
    private final ExecutorService builder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "forest-rebuild");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean building = new AtomicBoolean();
    private volatile Built built;

    public LiveIndex(
            Vectors vectors,
            int trees,
            long seed,
            int leafSize,
            double rebuildFraction,
            Duration rebuildInterval,
            RebuildListener listener) {
        this.vectors = vectors;
        this.trees = trees;
        this.seed = seed;
        this.leafSize = leafSize;
        this.rebuildFraction = rebuildFraction;
        this.rebuildInterval = rebuildInterval;
        this.listener = listener;
        this.built = new Built(
                Forest.build(new Vectors.View(new float[0], 0, vectors.dim()), vectors.metric(), trees, seed, leafSize),
                0,
                Instant.now(),
                Duration.ZERO);
    }

    /** Starts from a forest loaded from a snapshot (it covers the first {@code forest.size()} vectors). */
    public void restore(Forest forest, long version) {
        built = new Built(forest, version, Instant.now(), Duration.ZERO);
    }

    public Vectors vectors() {
        return vectors;
    }

    public Built built() {
        return built;
    }

    /** Adds a vector, maybe starting a background rebuild; returns its ordinal. */
    public int add(float[] vector) {
        int ordinal = vectors.add(vector);
        maybeRebuild();
        return ordinal;
    }

    /** Vectors not yet in the forest. */
    public int fresh() {
        return vectors.size() - built.forest().size();
    }

    /**
     * The k nearest accepted vectors ({@code accept} null: all): forest candidates ({@code searchK})
     * re-ranked exactly, merged with an exact scan of the fresh vectors.
     */
    public List<Neighbour> search(float[] query, int k, int searchK, IntPredicate accept) {
        Vectors.View view = vectors.view();
        Built b = built;
        float[] q = vectors.prepareQuery(query);
        Forest forest = b.forest();
        TopK top = new TopK(k);
        forest.collect(view, q, k, searchK, accept, top);
        scan(forest, view, q, forest.size(), view.count(), accept, top);
        if (top.size() < k) {
            // The candidates held fewer than k accepted vectors (a filter that keeps few of them, or
            // vectors so alike that the trees' leaves are lopsided): k may still exist, so look at all.
            top = new TopK(k);
            scan(forest, view, q, 0, view.count(), accept, top);
        }
        return forest.finish(top);
    }

    /** Exact k nearest by brute force (tests, benchmarks' ground truth, and a search whose candidates fall short). */
    public List<Neighbour> exact(float[] query, int k, IntPredicate accept) {
        Vectors.View view = vectors.view();
        float[] q = vectors.prepareQuery(query);
        Forest forest = built.forest();
        TopK top = new TopK(k);
        scan(forest, view, q, 0, view.count(), accept, top);
        return forest.finish(top);
    }

    /** Offers every accepted vector of ordinals [from, to) to top, a block at a time. */
    private static void scan(
            Forest forest, Vectors.View view, float[] q, int from, int to, IntPredicate accept, TopK top) {
        int[] block = new int[Math.min(1024, Math.max(0, to - from))];
        int n = 0;
        for (int i = from; i < to; i++) {
            if (accept == null || accept.test(i)) {
                block[n++] = i;
                if (n == block.length) {
                    forest.offer(q, view.data(), block, n, top);
                    n = 0;
                }
            }
        }
        forest.offer(q, view.data(), block, n, top);
    }

    /** Builds over every vector now, on the caller's thread, and publishes. */
    public Built rebuildNow() {
        Vectors.View view = vectors.view();
        long began = System.nanoTime();
        Forest forest = Forest.build(
                view,
                vectors.metric(),
                trees,
                seed,
                leafSize,
                Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
        Built next = new Built(forest, built.version() + 1, Instant.now(), Duration.ofNanos(System.nanoTime() - began));
        synchronized (this) {
            if (next.forest().size() >= built.forest().size()) {
                built = next;
            }
        }
        listener.rebuilt(next, view.count());
        return next;
    }

    private void maybeRebuild() {
        Built b = built;
        int fresh = vectors.size() - b.forest().size();
        boolean due = fresh > Math.max(1, rebuildFraction * b.forest().size())
                || fresh > 0 && Duration.between(b.builtAt(), Instant.now()).compareTo(rebuildInterval) > 0;
        if (due && building.compareAndSet(false, true)) {
            builder.execute(() -> {
                try {
                    rebuildNow();
                } finally {
                    building.set(false);
                }
            });
        }
    }

    @Override
    public void close() {
        builder.shutdownNow();
    }
}
