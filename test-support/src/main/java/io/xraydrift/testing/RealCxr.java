package io.xraydrift.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the real chest X-rays are: {@code shared/real-cxr} beside the project's root (never inside
 * it: the images are not committed), found by walking up from the working directory, or the folder
 * named by {@value #ENV}. Tests that read real films fail with this message when it is missing.
 */
public final class RealCxr {

    /** Environment variable overriding the location. */
    public static final String ENV = "XRAY_REAL_CXR";

    private RealCxr() {}

    /** The real-cxr folder (with {@code dev/} and {@code formats/}). */
    public static Path root() {
        String override = System.getenv(ENV);
        if (override != null && !override.isBlank()) {
            return check(Path.of(override.trim()));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("real-cxr");
            if (Files.isDirectory(candidate.resolve("formats"))) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "no shared/real-cxr above " + Path.of("").toAbsolutePath()
                        + ": the real chest X-rays live beside the project's root (../shared/real-cxr); set " + ENV
                        + " to their folder");
    }

    /** The real files as hospitals send them. */
    public static Path formats() {
        return root().resolve("formats");
    }

    /** The labelled development split (manifest.csv, trajectories/). */
    public static Path dev() {
        return root().resolve("dev");
    }

    /** The pool of real films to learn from (RSNA normals, Kermany; manifest.csv): what the bundled model trains on. */
    public static Path pretrain() {
        return root().resolve("pretrain");
    }

    /**
     * The public ImageNet MobileNetV1 feature extractor as TorchScript ({@code ../shared/pretrained}, beside
     * real-cxr; never committed): the tests' site backbone and the bundled model's distillation teacher.
     */
    public static Path pretrainedMobileNet() {
        Path p = root().getParent().resolve("pretrained").resolve("mobilenet_v1_imagenet_features.pt");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("no " + p + ": the pretrained backbones live beside real-cxr");
        }
        return p;
    }

    private static Path check(Path p) {
        if (!Files.isDirectory(p.resolve("formats"))) {
            throw new IllegalStateException(ENV + "=" + p + " has no formats/ folder");
        }
        return p;
    }
}
