package io.xraydrift.indexer.forest;

/** Plain loops, four accumulators to help the JIT; the fallback where the vector API is absent. */
final class ScalarKernels implements Kernels {

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int dim) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < dim; i += 4) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
        }
        for (; i < dim; i++) {
            s0 += a[ao + i] * b[bo + i];
        }
        return s0 + s1 + s2 + s3;
    }

    @Override
    public float squaredDistance(float[] a, int ao, float[] b, int bo, int dim) {
        float s0 = 0;
        float s1 = 0;
        int i = 0;
        for (; i + 1 < dim; i += 2) {
            float d0 = a[ao + i] - b[bo + i];
            float d1 = a[ao + i + 1] - b[bo + i + 1];
            s0 += d0 * d0;
            s1 += d1 * d1;
        }
        for (; i < dim; i++) {
            float d = a[ao + i] - b[bo + i];
            s0 += d * d;
        }
        return s0 + s1;
    }

    @Override
    public String name() {
        return "scalar";
    }
}
