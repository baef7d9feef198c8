package io.xraydrift.training;

import io.xraydrift.embedder.model.Hashes;
import io.xraydrift.embedder.model.Preprocessing;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A frozen network's features of labelled images, computed once per image and view and kept on
 * disk: a teacher's features for distillation, a backbone's or a student's for learning the
 * projection. View 0 is the image as it is; views 1.. are the training augmentation, seeded by the
 * image's key and the view, so a cached view is the same picture every time. The cache lives
 * under {@code XRAY_FEATURE_CACHE} (default {@code ~/.cache/xray-drift/features}), one file per
 * extractor and augmentation, appended to as new images come.
 */
final class FeatureCache {

    /** What computes features: a stable id (the weights' hash and the input it takes), its preprocessing, a forward pass. */
    interface Extractor {
        String id();

        Preprocessing preprocessing();

        List<float[]> features(List<float[]> inputs);
    }

    private static final int BATCH = 32;

    private FeatureCache() {}

    /** The cache folder. */
    static Path folder() {
        String configured = System.getProperty("xray.feature.cache", System.getenv("XRAY_FEATURE_CACHE"));
        return configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "xray-drift", "features");
    }

    /**
     * Features {@code [view][sample]} of every sample under {@code views} views (view 0 unchanged,
     * the others augmented by {@code augmentation}).
     */
    static float[][][] features(
            Extractor extractor,
            List<LabelledImages.Sample> samples,
            int views,
            Augmentation augmentation,
            PrintStream progress) {
        return features(extractor, samples, 0, views, augmentation, progress);
    }

    /**
     * View {@code view} of an image already resized to {@code size} (gray levels 0..255): the image
     * itself for view 0, else the augmentation seeded by the image's key and the view — the same
     * picture every time, whoever asks (the cache, or a student shown what its teacher saw).
     */
    static float[] view(float[] resized, int size, String key, int view, Augmentation augmentation) {
        return view == 0
                ? resized
                : augmentation.apply(
                        resized,
                        size,
                        new SplittableRandom(Hashes.text(view + "|" + key).hashCode() * 31L + view));
    }

    /** Features {@code [view - firstView][sample]} of views {@code firstView .. views - 1}. */
    static float[][][] features(
            Extractor extractor,
            List<LabelledImages.Sample> samples,
            int firstView,
            int views,
            Augmentation augmentation,
            PrintStream progress) {
        Path file = folder().resolve(Hashes.text(extractor.id() + "|" + augmentation.strength())
                        .substring(0, 20) + ".f32");
        Map<String, float[]> cached = read(file);
        float[][][] out = new float[views - firstView][samples.size()][];
        List<Integer> missingSample = new ArrayList<>();
        List<Integer> missingView = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            for (int v = firstView; v < views; v++) {
                float[] f = cached.get(v + "|" + samples.get(i).key());
                if (f == null) {
                    missingSample.add(i);
                    missingView.add(v);
                } else {
                    out[v - firstView][i] = f;
                }
            }
        }
        if (missingSample.isEmpty()) {
            progress.printf(
                    Locale.ROOT,
                    "features of %d images x %d views from the cache %s%n",
                    samples.size(),
                    views - firstView,
                    file);
            return out;
        }
        progress.printf(
                Locale.ROOT,
                "computing %s features of %d image views (%d cached) ...%n",
                extractor.id(),
                missingSample.size(),
                samples.size() * (views - firstView) - missingSample.size());
        Preprocessing pre = extractor.preprocessing();
        long began = System.nanoTime();
        try {
            Files.createDirectories(file.getParent());
            try (DataOutputStream append = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), 1 << 20))) {
                for (int from = 0; from < missingSample.size(); from += BATCH) {
                    int to = Math.min(missingSample.size(), from + BATCH);
                    float[][] inputs = new float[to - from][];
                    int base = from;
                    IntStream.range(from, to).parallel().forEach(j -> {
                        LabelledImages.Sample s = samples.get(missingSample.get(j));
                        LabelledImages.Gray g = s.image().get();
                        inputs[j - base] = pre.finish(view(
                                pre.resized(g.pixels(), g.width(), g.height()),
                                pre.size(),
                                s.key(),
                                missingView.get(j),
                                augmentation));
                    });
                    List<float[]> features = extractor.features(List.of(inputs));
                    for (int j = from; j < to; j++) {
                        String key = missingView.get(j) + "|"
                                + samples.get(missingSample.get(j)).key();
                        float[] f = features.get(j - from);
                        out[missingView.get(j) - firstView][missingSample.get(j)] = f;
                        write(append, key, f);
                    }
                    if ((from / BATCH) % 20 == 0 || to == missingSample.size()) {
                        double elapsed = (System.nanoTime() - began) / 1e9;
                        progress.printf(
                                Locale.ROOT,
                                "  features %d/%d  %.0f images/s  left %.0f s%n",
                                to,
                                missingSample.size(),
                                to / elapsed,
                                (missingSample.size() - to) / (to / elapsed));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the feature cache " + file, e);
        }
        return out;
    }

    private static void write(DataOutputStream out, String key, float[] f) throws IOException {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + k.length + 4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(k.length).put(k).putInt(f.length);
        b.asFloatBuffer().put(f);
        out.write(b.array());
    }

    /** Every complete record of the file (a record cut short by a stopped run is ignored, and overwritten later). */
    private static Map<String, float[]> read(Path file) {
        Map<String, float[]> out = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        long complete = 0;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
            byte[] four = new byte[4];
            while (true) {
                in.readFully(four);
                byte[] k = new byte
                        [ByteBuffer.wrap(four).order(ByteOrder.LITTLE_ENDIAN).getInt()];
                in.readFully(k);
                in.readFully(four);
                int n = ByteBuffer.wrap(four).order(ByteOrder.LITTLE_ENDIAN).getInt();
                byte[] floats = new byte[4 * n];
                in.readFully(floats);
                float[] f = new float[n];
                ByteBuffer.wrap(floats)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(f);
                out.put(new String(k, StandardCharsets.UTF_8), f);
                complete += 8 + k.length + floats.length;
            }
        } catch (EOFException end) {
            truncate(file, complete);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the feature cache " + file, e);
        }
    }

    private static void truncate(Path file, long length) {
        try (var channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (channel.size() > length) {
                channel.truncate(length);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot repair the feature cache " + file, e);
        }
    }
}
