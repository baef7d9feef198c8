package io.xraydrift.indexer.forest;

import java.util.SplittableRandom;

/** Clustered Gaussian vectors, like embeddings of a few classes with spread (tests and benchmarks). */
public final class SyntheticVectors {

    private SyntheticVectors() {}

    /** n vectors of dim floats around {@code clusters} random centres, flat row-major. */
    public static float[] clustered(int n, int dim, int clusters, double spread, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] centres = new float[clusters * dim];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = (float) gaussian(r);
        }
        float[] out = new float[n * dim];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(clusters);
            for (int d = 0; d < dim; d++) {
                out[i * dim + d] = centres[c * dim + d] + (float) (spread * gaussian(r));
            }
        }
        return out;
    }

    /**
     * n vectors that live near an {@code intrinsic}-dimensional subspace, clustered there, plus a
     * little full-dimensional noise: closer to real embeddings, whose intrinsic dimension is far
     * below their width.
     */
    public static float[] lowRank(int n, int dim, int intrinsic, int clusters, double spread, double noise, long seed) {
        float[] latent = clustered(n, intrinsic, clusters, spread, seed);
        SplittableRandom r = new SplittableRandom(seed ^ 0x5851F42D4C957F2DL);
        float[] basis = new float[intrinsic * dim];
        for (int i = 0; i < basis.length; i++) {
            basis[i] = (float) (gaussian(r) / Math.sqrt(intrinsic));
        }
        float[] out = new float[n * dim];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) {
                float v = 0;
                for (int j = 0; j < intrinsic; j++) {
                    v += latent[i * intrinsic + j] * basis[j * dim + d];
                }
                out[i * dim + d] = v + (float) (noise * gaussian(r));
            }
        }
        return out;
    }

    private static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(1e-12, 1);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
