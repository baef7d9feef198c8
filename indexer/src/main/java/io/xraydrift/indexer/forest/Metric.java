package io.xraydrift.indexer.forest;

/** Distance between embeddings. Angular vectors are normalised on insert, so cosine is a dot product. */
public enum Metric {
    /** 1 - cosine similarity, in [0, 2]. */
    ANGULAR,
    /** Euclidean distance. */
    EUCLIDEAN
}
