package io.xraydrift.indexer.forest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The k smallest distances seen, kept in a bounded max-heap; ties broken by ordinal for determinism. */
final class TopK {
    private final int k;
    private final float[] distances;
    private final int[] ordinals;
    private int size;

    TopK(int k) {
        this.k = k;
        this.distances = new float[k];
        this.ordinals = new int[k];
    }

    /** How many distances are kept (at most k). */
    int size() {
        return size;
    }

    /** Worst distance kept once full, else +infinity. */
    float bound() {
        return size < k ? Float.POSITIVE_INFINITY : distances[0];
    }

    void offer(int ordinal, float distance) {
        if (size < k) {
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!worse(distance, ordinal, distances[parent], ordinals[parent])) {
                    break;
                }
                distances[i] = distances[parent];
                ordinals[i] = ordinals[parent];
                i = parent;
            }
            distances[i] = distance;
            ordinals[i] = ordinal;
        } else if (worse(distances[0], ordinals[0], distance, ordinal)) {
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= k) {
                    break;
                }
                if (child + 1 < k
                        && worse(distances[child + 1], ordinals[child + 1], distances[child], ordinals[child])) {
                    child++;
                }
                if (!worse(distances[child], ordinals[child], distance, ordinal)) {
                    break;
                }
                distances[i] = distances[child];
                ordinals[i] = ordinals[child];
                i = child;
            }
            distances[i] = distance;
            ordinals[i] = ordinal;
        }
    }

    private static boolean worse(float d1, int o1, float d2, int o2) {
        return d1 > d2 || (d1 == d2 && o1 > o2);
    }

    /** Nearest first. */
    List<Neighbour> sorted() {
        List<Neighbour> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(new Neighbour(ordinals[i], distances[i]));
        }
        out.sort(Comparator.comparingDouble(Neighbour::distance).thenComparingInt(Neighbour::ordinal));
        return out;
    }
}
