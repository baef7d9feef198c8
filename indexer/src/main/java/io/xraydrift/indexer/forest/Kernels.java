package io.xraydrift.indexer.forest;

/**
 * Distance kernels on flat float arrays addressed by offsets (vectors live in one big array).
 * {@link #best()} picks the SIMD implementation where the JDK's vector API is available (run with
 * {@code --add-modules jdk.incubator.vector}), else the scalar one.
 */
public interface Kernels {

    float dot(float[] a, int aOffset, float[] b, int bOffset, int dim);

    float squaredDistance(float[] a, int aOffset, float[] b, int bOffset, int dim);

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
