package io.xraydrift.indexer.forest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The SIMD batch kernels against plain double-precision sums: every dimension from 1 to 70 (lane
 * tails of every length at 128/256/512-bit lanes) and 2048, batches of 0 to 9 ordinals (the
 * four-at-a-time loop and its tail), a sub-range of the batch, scattered ordinals.
 */
class KernelsTest {

    private static final Kernels SIMD = new SimdKernels();
    private static final Kernels SCALAR = new ScalarKernels();

    @Test
    void batchDotsAndSquaredDistancesMatchPlainSums() {
        SplittableRandom random = new SplittableRandom(5);
        int[] dims = new int[71];
        for (int d = 1; d <= 70; d++) {
            dims[d - 1] = d;
        }
        dims[70] = 2048;
        for (int dim : dims) {
            int count = 40;
            float[] data = new float[count * dim];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) random.nextGaussian();
            }
            float[] q = new float[dim];
            for (int i = 0; i < dim; i++) {
                q[i] = (float) random.nextGaussian();
            }
            for (int n = 0; n <= 9; n++) {
                int[] ordinals = new int[n + 2];
                for (int i = 0; i < ordinals.length; i++) {
                    ordinals[i] = random.nextInt(count);
                }
                int from = n == 0 ? 0 : 1; // a sub-range: from..to, the slots outside untouched
                int to = from + n;
                for (Kernels kernels : new Kernels[] {SIMD, SCALAR}) {
                    float[] dots = new float[ordinals.length];
                    float[] squared = new float[ordinals.length];
                    Arrays.fill(dots, -7f);
                    Arrays.fill(squared, -7f);
                    kernels.dots(q, data, ordinals, from, to, dim, dots);
                    kernels.squaredDistances(q, data, ordinals, from, to, dim, squared);
                    for (int i = 0; i < ordinals.length; i++) {
                        String where = kernels.name() + " dim " + dim + " batch " + n + " slot " + i;
                        if (i < from || i >= to) {
                            assertEquals(-7f, dots[i], where + ": outside the range, must be untouched");
                            assertEquals(-7f, squared[i], where + ": outside the range, must be untouched");
                            continue;
                        }
                        double dot = 0;
                        double sq = 0;
                        for (int d = 0; d < dim; d++) {
                            double x = data[ordinals[i] * dim + d];
                            dot += q[d] * x;
                            sq += (q[d] - x) * (q[d] - x);
                        }
                        double tolerance = 1e-4 * Math.sqrt(dim) * 4;
                        assertEquals(dot, dots[i], tolerance, where + " dot");
                        assertEquals(sq, squared[i], tolerance * 4, where + " squared distance");
                        assertEquals(kernels.dot(q, 0, data, ordinals[i] * dim, dim), dots[i], tolerance, where);
                    }
                }
            }
        }
    }
}
