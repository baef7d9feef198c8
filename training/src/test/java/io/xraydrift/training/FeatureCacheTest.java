package io.xraydrift.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.embedder.model.Preprocessing;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Features are computed once per image and view: the second time they come from the cache, the
 * same; an augmented view is the same picture every time; a record cut short (a run stopped while
 * writing) is computed again, not read.
 */
class FeatureCacheTest {

    @AfterEach
    void forget() {
        System.clearProperty("xray.feature.cache");
    }

    @Test
    void computesOnceReadsBackTheSameAndRepairsACutRecord(@TempDir Path cache) throws Exception {
        System.setProperty("xray.feature.cache", cache.toString());
        AtomicInteger computed = new AtomicInteger();
        Preprocessing pre = new Preprocessing(32, 1, 0.5f, 0.25f, false);
        FeatureCache.Extractor extractor = new FeatureCache.Extractor() {
            @Override
            public String id() {
                return "test-extractor";
            }

            @Override
            public Preprocessing preprocessing() {
                return pre;
            }

            @Override
            public List<float[]> features(List<float[]> inputs) {
                computed.addAndGet(inputs.size());
                List<float[]> out = new ArrayList<>();
                for (float[] in : inputs) {
                    float sum = 0;
                    float first = in[0];
                    for (float v : in) {
                        sum += v;
                    }
                    out.add(new float[] {sum / in.length, first, in[in.length / 2]});
                }
                return out;
            }
        };
        List<LabelledImages.Sample> samples = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int shade = 40 * i;
            samples.add(new LabelledImages.Sample("img-" + i, "p" + i, i % 3, i % 3 / 2f, false, "g", () -> {
                byte[] px = new byte[64 * 64];
                for (int j = 0; j < px.length; j++) {
                    px[j] = (byte) ((shade + j % 64) & 0xFF);
                }
                return new LabelledImages.Gray(px, 64, 64);
            }));
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        Augmentation aug = new Augmentation(0.5);
        float[][][] first = FeatureCache.features(extractor, samples, 2, aug, out);
        assertEquals(10, computed.get());
        float[][][] second = FeatureCache.features(extractor, samples, 2, aug, out);
        assertEquals(10, computed.get(), "nothing computed the second time");
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("from the cache"));
        for (int v = 0; v < 2; v++) {
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(first[v][i], second[v][i]);
            }
        }
        assertTrue(
                first[0][2][1] != first[1][2][1] || first[0][2][2] != first[1][2][2],
                "the augmented view differs from the film as it is");

        Path file;
        try (var files = Files.list(cache)) {
            file = files.findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 5);
        }
        float[][][] third = FeatureCache.features(extractor, samples, 2, aug, out);
        assertEquals(11, computed.get(), "only the record cut short is computed again");
        for (int v = 0; v < 2; v++) {
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(first[v][i], third[v][i]);
            }
        }
    }
}
