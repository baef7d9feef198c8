package io.xraydrift.embedder.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

/** A batch of preprocessed images through a block, outside training: what serving and training share. */
public final class Batches {

    private Batches() {}

    /** One row of {@code forward}'s output per input (each input {@code channels x size x size}). */
    public static List<float[]> forward(
            Model model,
            BiFunction<ParameterStore, NDArray, NDArray> forward,
            Preprocessing pre,
            List<float[]> inputs) {
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray out = forward.apply(
                    new ParameterStore(m, false),
                    m.create(flat(inputs), new Shape(inputs.size(), pre.channels(), pre.size(), pre.size())));
            int d = (int) out.getShape().get(1);
            float[] all = out.toFloatArray();
            List<float[]> result = new ArrayList<>(inputs.size());
            for (int i = 0; i < inputs.size(); i++) {
                result.add(Arrays.copyOfRange(all, i * d, (i + 1) * d));
            }
            return result;
        }
    }

    /** Rows of equal length, one after another. */
    public static float[] flat(List<float[]> rows) {
        int size = rows.get(0).length;
        float[] out = new float[rows.size() * size];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, out, i * size, size);
        }
        return out;
    }
}
