package io.xraydrift.indexer.forest;

/**
 * Distance kernels on flat float arrays addressed by offsets (vectors live in one big array).
 * {@link #best()} picks the SIMD implementation where the JDK's vector API is available (run with
 * {@code --add-modules jdk.incubator.vector}), else the scalar one.
 */
public interface Kernels {

    float dot(float[] a, int aOffset, float[] b, int bOffset, int dim);

    float squaredDistance(float[] a, int aOffset, float[] b, int bOffset, int dim);

    /**
     * {@code out[i] = q · v(ordinals[i])} for {@code from <= i < to}, where vector v(o) starts at
     * {@code data[o * dim]}. Implementations read four vectors side by side: four memory streams in
     * flight, which on vectors not in cache (a query's candidates are scattered over the whole
     * index) sets the speed more than the arithmetic does. One call per batch also keeps the loop
     * one compilation unit of its own (inlined into a caller it measured ~12% slower).
     */
    default void dots(float[] q, float[] data, int[] ordinals, int from, int to, int dim, float[] out) {
        for (int i = from; i < to; i++) {
            out[i] = dot(q, 0, data, ordinals[i] * dim, dim);
        }
    }

    /** {@code out[i] = |q - v(ordinals[i])|²}, as {@link #dots}. */
    default void squaredDistances(float[] q, float[] data, int[] ordinals, int from, int to, int dim, float[] out) {
        for (int i = from; i < to; i++) {
            out[i] = squaredDistance(q, 0, data, ordinals[i] * dim, dim);
        }
    }

    /** Implementation name, for logs and benchmarks. */
    String name();

    /** SIMD when the vector API module is present, scalar otherwise. */
    static Kernels best() {
        return Holder.BEST;
    }

    /** Lazily decided, once. */
    final class Holder {
        static final Kernels BEST = choose();

        private Holder() {}

        private static Kernels choose() {
            if (Boolean.getBoolean("xray.forest.scalar")) {
                return new ScalarKernels();
            }
            try {
                Class.forName("jdk.incubator.vector.FloatVector");
                return (Kernels) Class.forName("io.xraydrift.indexer.forest.SimdKernels")
                        .getDeclaredConstructor()
                        .newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return new ScalarKernels();
            }
        }
    }
}
