package io.xraydrift.embedder.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A network that is a frozen feature extractor (a distilled student or a site's TorchScript
 * backbone) under a {@link ProjectionNet} learnt on labels: what {@code train} re-learns the
 * projection of without touching the features.
 */
public interface Projected {

    /** The extractor's features of preprocessed inputs {@code [N, C, H, W]}, in inference mode. */
    NDArray features(ParameterStore store, NDArray input);

    ProjectionNet projection();

    /** Names the frozen features (not the projection): the feature cache's key for them. */
    String featuresId() throws IOException;

    /** The projection's weights, to move them between blocks. */
    static byte[] weights(ProjectionNet p) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            p.saveParameters(new DataOutputStream(bytes));
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads weights written by {@link #weights} into this network's projection. */
    default void loadProjection(NDManager manager, byte[] weights) {
        try {
            projection().loadParameters(manager, new DataInputStream(new ByteArrayInputStream(weights)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MalformedModelException e) {
            throw new IllegalStateException("projection weights do not fit: " + e.getMessage(), e);
        }
    }
}
