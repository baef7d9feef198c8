package io.xraydrift.indexer.forest;

import java.util.Arrays;

/**
 * Append-only vectors in one flat {@code float[count * dim]}, addressed by dense ordinals (a
 * vector's offset is {@code ordinal * dim}). One writer appends; readers take a {@link View}, an
 * immutable prefix that later appends and growth never change (growth copies to a new array).
 * Angular vectors are normalised on insert.
 */
public final class Vectors {

    /** An immutable prefix of the vectors. */
    public record View(float[] data, int count, int dim) {
        public int offset(int ordinal) {
            return ordinal * dim;
        }
    }

    private final Metric metric;
    private final int dim;
    private volatile View view;

    public Vectors(Metric metric, int dim, int initialCapacity) {
        if (dim < 1) {
            throw new IllegalArgumentException("dimension " + dim + " must be at least 1");
        }
        this.metric = metric;
        this.dim = dim;
        this.view = new View(new float[Math.min(Math.max(1, initialCapacity), maxVectors(dim)) * dim], 0, dim);
    }

    /** Wraps vectors already normalised as the metric requires (snapshots, benchmarks). */
    public static Vectors wrap(Metric metric, int dim, float[] data, int count) {
        ensureRoom(count, dim);
        Vectors v = new Vectors(metric, dim, 1);
        v.view = new View(data, count, dim);
        return v;
    }

    public Metric metric() {
        return metric;
    }

    public int dim() {
        return dim;
    }

    public View view() {
        return view;
    }

    public int size() {
        return view.count();
    }

    /** Appends a vector (copied, normalised if angular) and returns its ordinal. */
    public synchronized int add(float[] vector) {
        if (vector.length != dim) {
            throw new IllegalArgumentException("vector has " + vector.length + " dims, index has " + dim);
        }
        View v = view;
        ensureRoom(v.count() + 1, dim);
        float[] data = v.data();
        if ((v.count() + 1) * dim > data.length) {
            data = Arrays.copyOf(data, floatsFor(v.count() + 1, dim));
        }
        int offset = v.count() * dim;
        System.arraycopy(vector, 0, data, offset, dim);
        if (metric == Metric.ANGULAR) {
            normalise(data, offset, dim);
        }
        view = new View(data, v.count() + 1, dim);
        return v.count();
    }

    /** Floats one Java array can hold (a little under 2^31). */
    public static final int MAX_FLOATS = Integer.MAX_VALUE - 8;

    /**
     * The most vectors of this dimension one index holds: they live in one {@code float[]}, so
     * {@code count * dim} stays under 2^31 floats (1,048,575 vectors at 2,048 dimensions).
     */
    public static int maxVectors(int dim) {
        return MAX_FLOATS / dim;
    }

    /**
     * Refuses a count past {@link #maxVectors}, naming the limit, instead of letting the offset
     * {@code ordinal * dim} overflow.
     */
    public static void ensureRoom(int count, int dim) {
        if (count > maxVectors(dim)) {
            throw new IllegalStateException("the index is full: it holds at most " + maxVectors(dim) + " vectors of "
                    + dim + " dimensions (2^31 floats in one array); shard the forest by tenant or hash, or use a "
                    + "model with a smaller embedding");
        }
    }

    /**
     * Vectors to allocate room for when {@code count} must fit: an eighth more (at least 1,024), so
     * an index's array stays within 1.125× its vectors between growths (doubling would let it reach
     * 2×); growth stays geometric, so appends stay amortised O(dim).
     */
    public static int capacityFor(int count) {
        return (int) Math.min(Integer.MAX_VALUE - 8, count + Math.max(1024L, count / 8L));
    }

    /** Floats to allocate when {@code count} vectors of {@code dim} must fit: {@link #capacityFor}, within the limit. */
    public static int floatsFor(int count, int dim) {
        return Math.min(capacityFor(count), maxVectors(dim)) * dim;
    }

    /** Scales a vector to unit length in place (a zero vector stays zero). */
    static void normalise(float[] data, int offset, int dim) {
        double norm = 0;
        for (int i = 0; i < dim; i++) {
            norm += (double) data[offset + i] * data[offset + i];
        }
        if (norm > 0) {
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < dim; i++) {
                data[offset + i] *= inv;
            }
        }
    }

    /** A normalised copy of a query vector when the metric is angular, else the vector itself. */
    public float[] prepareQuery(float[] query) {
        if (query.length != dim) {
            throw new IllegalArgumentException("query has " + query.length + " dims, index has " + dim);
        }
        if (metric != Metric.ANGULAR) {
            return query;
        }
        float[] q = query.clone();
        normalise(q, 0, dim);
        return q;
    }
}
