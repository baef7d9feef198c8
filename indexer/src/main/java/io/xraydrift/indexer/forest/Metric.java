package io.xraydrift.indexer.forest;

/** Distance between embeddings. Angular vectors are normalised on insert, so cosine is a dot product. */
public enum Metric {
    /** 1 - cosine similarity, in [0, 2]. */
    ANGULAR,
    /** Euclidean distance. */
    EUCLIDEAN;

    /** Distance from the kernel's raw value: the dot product (angular) or the squared L2 distance. */
    float distance(float raw) {
        return this == ANGULAR ? 1 - raw : (float) Math.sqrt(Math.max(0, raw));
    }
}
