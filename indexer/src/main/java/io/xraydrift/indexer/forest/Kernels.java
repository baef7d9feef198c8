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
     * Dot products of {@code q} (from offset 0) with four vectors of {@code data} at the given
     * offsets, into {@code out[0..3]}. Four vectors read side by side keep four memory streams in
     * flight: on vectors that are not in cache (a query's candidates are scattered over the whole
     * index) this, not the arithmetic, sets the speed.
     */
    default void dot4(float[] q, float[] data, int o0, int o1, int o2, int o3, int dim, float[] out) {
        out[0] = dot(q, 0, data, o0, dim);
        out[1] = dot(q, 0, data, o1, dim);
        out[2] = dot(q, 0, data, o2, dim);
        out[3] = dot(q, 0, data, o3, dim);
    }

    /** Squared Euclidean distances of {@code q} to four vectors of {@code data}, as {@link #dot4}. */
    default void squaredDistance4(float[] q, float[] data, int o0, int o1, int o2, int o3, int dim, float[] out) {
        out[0] = squaredDistance(q, 0, data, o0, dim);
        out[1] = squaredDistance(q, 0, data, o1, dim);
        out[2] = squaredDistance(q, 0, data, o2, dim);
        out[3] = squaredDistance(q, 0, data, o3, dim);
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

        private Holder() {
        }

        private static Kernels choose() {
            if (Boolean.getBoolean("xray.forest.scalar")) {
                return new ScalarKernels();
            }
            try {
                Class.forName("jdk.incubator.vector.FloatVector");
                return (Kernels) Class.forName("io.xraydrift.indexer.forest.SimdKernels").getDeclaredConstructor()
                        .newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return new ScalarKernels();
            }
        }
    }
}
