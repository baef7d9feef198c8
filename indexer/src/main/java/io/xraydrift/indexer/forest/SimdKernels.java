package io.xraydrift.indexer.forest;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The JDK vector API (incubator): fused multiply-add with four independent accumulators (so the
 * loop is bound by throughput, not by the FMA latency chain) and one horizontal sum at the end;
 * the four-vector forms share each load of the query and keep four memory streams in flight.
 * The preferred lane width (512 bits with AVX-512; {@code -Dxray.forest.lanes=256} forces 256).
 */
final class SimdKernels implements Kernels {

    private static final VectorSpecies<Float> SPECIES = "256".equals(System.getProperty("xray.forest.lanes"))
            ? FloatVector.SPECIES_256
            : FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int dim) {
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = FloatVector.zero(SPECIES);
        FloatVector s2 = FloatVector.zero(SPECIES);
        FloatVector s3 = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i + 4 * L <= dim; i += 4 * L) {
            s0 = FloatVector.fromArray(SPECIES, a, ao + i).fma(FloatVector.fromArray(SPECIES, b, bo + i), s0);
            s1 = FloatVector.fromArray(SPECIES, a, ao + i + L).fma(FloatVector.fromArray(SPECIES, b, bo + i + L), s1);
            s2 = FloatVector.fromArray(SPECIES, a, ao + i + 2 * L)
                    .fma(FloatVector.fromArray(SPECIES, b, bo + i + 2 * L), s2);
            s3 = FloatVector.fromArray(SPECIES, a, ao + i + 3 * L)
                    .fma(FloatVector.fromArray(SPECIES, b, bo + i + 3 * L), s3);
        }
        for (; i + L <= dim; i += L) {
            s0 = FloatVector.fromArray(SPECIES, a, ao + i).fma(FloatVector.fromArray(SPECIES, b, bo + i), s0);
        }
        float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    @Override
    public float squaredDistance(float[] a, int ao, float[] b, int bo, int dim) {
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = FloatVector.zero(SPECIES);
        FloatVector s2 = FloatVector.zero(SPECIES);
        FloatVector s3 = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i + 4 * L <= dim; i += 4 * L) {
            FloatVector d0 = FloatVector.fromArray(SPECIES, a, ao + i).sub(FloatVector.fromArray(SPECIES, b, bo + i));
            FloatVector d1 =
                    FloatVector.fromArray(SPECIES, a, ao + i + L).sub(FloatVector.fromArray(SPECIES, b, bo + i + L));
            FloatVector d2 = FloatVector.fromArray(SPECIES, a, ao + i + 2 * L)
                    .sub(FloatVector.fromArray(SPECIES, b, bo + i + 2 * L));
            FloatVector d3 = FloatVector.fromArray(SPECIES, a, ao + i + 3 * L)
                    .sub(FloatVector.fromArray(SPECIES, b, bo + i + 3 * L));
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
            s2 = d2.fma(d2, s2);
            s3 = d3.fma(d3, s3);
        }
        for (; i + L <= dim; i += L) {
            FloatVector d = FloatVector.fromArray(SPECIES, a, ao + i).sub(FloatVector.fromArray(SPECIES, b, bo + i));
            s0 = d.fma(d, s0);
        }
        float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            float d = a[ao + i] - b[bo + i];
            s += d * d;
        }
        return s;
    }

    @Override
    public void dots(float[] q, float[] data, int[] ordinals, int from, int to, int dim, float[] out) {
        int i = from;
        for (; i + 4 <= to; i += 4) {
            int o0 = ordinals[i] * dim;
            int o1 = ordinals[i + 1] * dim;
            int o2 = ordinals[i + 2] * dim;
            int o3 = ordinals[i + 3] * dim;
            FloatVector s0 = FloatVector.zero(SPECIES);
            FloatVector s1 = FloatVector.zero(SPECIES);
            FloatVector s2 = FloatVector.zero(SPECIES);
            FloatVector s3 = FloatVector.zero(SPECIES);
            int d = 0;
            for (; d + L <= dim; d += L) {
                FloatVector x = FloatVector.fromArray(SPECIES, q, d);
                s0 = x.fma(FloatVector.fromArray(SPECIES, data, o0 + d), s0);
                s1 = x.fma(FloatVector.fromArray(SPECIES, data, o1 + d), s1);
                s2 = x.fma(FloatVector.fromArray(SPECIES, data, o2 + d), s2);
                s3 = x.fma(FloatVector.fromArray(SPECIES, data, o3 + d), s3);
            }
            float r0 = s0.reduceLanes(VectorOperators.ADD);
            float r1 = s1.reduceLanes(VectorOperators.ADD);
            float r2 = s2.reduceLanes(VectorOperators.ADD);
            float r3 = s3.reduceLanes(VectorOperators.ADD);
            for (; d < dim; d++) {
                float x = q[d];
                r0 += x * data[o0 + d];
                r1 += x * data[o1 + d];
                r2 += x * data[o2 + d];
                r3 += x * data[o3 + d];
            }
            out[i] = r0;
            out[i + 1] = r1;
            out[i + 2] = r2;
            out[i + 3] = r3;
        }
        for (; i < to; i++) {
            out[i] = dot(q, 0, data, ordinals[i] * dim, dim);
        }
    }

    @Override
    public void squaredDistances(float[] q, float[] data, int[] ordinals, int from, int to, int dim, float[] out) {
        int i = from;
        for (; i + 4 <= to; i += 4) {
            int o0 = ordinals[i] * dim;
            int o1 = ordinals[i + 1] * dim;
            int o2 = ordinals[i + 2] * dim;
            int o3 = ordinals[i + 3] * dim;
            FloatVector s0 = FloatVector.zero(SPECIES);
            FloatVector s1 = FloatVector.zero(SPECIES);
            FloatVector s2 = FloatVector.zero(SPECIES);
            FloatVector s3 = FloatVector.zero(SPECIES);
            int d = 0;
            for (; d + L <= dim; d += L) {
                FloatVector x = FloatVector.fromArray(SPECIES, q, d);
                FloatVector d0 = x.sub(FloatVector.fromArray(SPECIES, data, o0 + d));
                FloatVector d1 = x.sub(FloatVector.fromArray(SPECIES, data, o1 + d));
                FloatVector d2 = x.sub(FloatVector.fromArray(SPECIES, data, o2 + d));
                FloatVector d3 = x.sub(FloatVector.fromArray(SPECIES, data, o3 + d));
                s0 = d0.fma(d0, s0);
                s1 = d1.fma(d1, s1);
                s2 = d2.fma(d2, s2);
                s3 = d3.fma(d3, s3);
            }
            float r0 = s0.reduceLanes(VectorOperators.ADD);
            float r1 = s1.reduceLanes(VectorOperators.ADD);
            float r2 = s2.reduceLanes(VectorOperators.ADD);
            float r3 = s3.reduceLanes(VectorOperators.ADD);
            for (; d < dim; d++) {
                float x = q[d];
                float e0 = x - data[o0 + d];
                float e1 = x - data[o1 + d];
                float e2 = x - data[o2 + d];
                float e3 = x - data[o3 + d];
                r0 += e0 * e0;
                r1 += e1 * e1;
                r2 += e2 * e2;
                r3 += e3 * e3;
            }
            out[i] = r0;
            out[i + 1] = r1;
            out[i + 2] = r2;
            out[i + 3] = r3;
        }
        for (; i < to; i++) {
            out[i] = squaredDistance(q, 0, data, ordinals[i] * dim, dim);
        }
    }

    @Override
    public String name() {
        return "simd-" + SPECIES.vectorBitSize() + "bit-x4";
    }
}
