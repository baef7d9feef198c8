package io.xraydrift.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Files the tests of several modules share, carried in this jar and copied out where a test needs a path. */
public final class Fixtures {

    /** The backbone's file name; a model learnt on it takes its id from it. */
    public static final String BACKBONE = "mobilenet-v3-small-random.pt";

    private Fixtures() {}

    /**
     * A TorchScript image backbone (torchvision MobileNetV3-small, random weights, traced in eval
     * mode by {@code fixtures/make_backbone.py}: N x 3 x 224 x 224 in [-1, 1] to N x 576), copied
     * into {@code dir}.
     */
    public static Path backbone(Path dir) {
        Path file = dir.resolve(BACKBONE);
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + BACKBONE)) {
            if (in == null) {
                throw new IllegalStateException("fixtures/" + BACKBONE + " is missing from test-support");
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
