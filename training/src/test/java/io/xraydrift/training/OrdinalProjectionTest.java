package io.xraydrift.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.xraydrift.embedder.model.EmbeddingNet;
import io.xraydrift.embedder.model.Projected;
import io.xraydrift.embedder.model.ProjectionNet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The closed-form projection: films the features grade alike are each other's nearest neighbours
 * by cosine, and the head reads the grade back.
 */
class OrdinalProjectionTest {

    private static final int DIM = 24;

    /** Features whose first dimension carries the grade (with noise) and the rest are noise of larger spread. */
    private static float[] features(double grade, Random random) {
        float[] f = new float[DIM];
        f[0] = (float) (3 * grade + 0.1 * random.nextGaussian());
        for (int d = 1; d < DIM; d++) {
            f[d] = (float) (2 * random.nextGaussian());
        }
        return f;
    }

    @Test
    void neighboursByCosineAreFilmsOfLikeGradeAndTheHeadReadsTheGradeBack() {
        Random random = new Random(11);
        List<LabelledImages.Sample> samples = new ArrayList<>();
        float[][][] features = new float[2][300][];
        for (int i = 0; i < 300; i++) {
            int level = i % 3;
            float grade = (float) Math.min(1, Math.max(0, level / 2.0 + 0.1 * random.nextGaussian()));
            samples.add(
                    new LabelledImages.Sample("f" + i, "p" + i / 2, level, grade, true, "level-" + level, () -> null));
            features[0][i] = features(grade, random);
            features[1][i] = features(grade, random);
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        byte[] weights = new OrdinalProjection(new PrintStream(log, true, StandardCharsets.UTF_8))
                .fit(features, samples, new OrdinalProjection.Settings(16, 1, 0, 0.1, false));
        assertTrue(
                log.toString(StandardCharsets.UTF_8).contains("ridge penalty"), log.toString(StandardCharsets.UTF_8));

        ProjectionNet net = new ProjectionNet(16);
        try (Model model = Model.newInstance("t", "PyTorch");
                NDManager m = model.getNDManager().newSubManager()) {
            model.setBlock(net);
            net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, DIM));
            new Projected() {
                @Override
                public NDArray features(ParameterStore store, NDArray input) {
                    return input;
                }

                @Override
                public ProjectionNet projection() {
                    return net;
                }

                @Override
                public String featuresId() {
                    return "identity";
                }
            }.loadProjection(model.getNDManager(), weights);
            double[] grades = {0, 0.2, 0.5, 0.8, 1};
            float[][] probes = new float[grades.length][];
            Random probe = new Random(5);
            for (int g = 0; g < grades.length; g++) {
                probes[g] = features(grades[g], probe);
            }
            float[] flat = new float[grades.length * DIM];
            for (int g = 0; g < grades.length; g++) {
                System.arraycopy(probes[g], 0, flat, g * DIM, DIM);
            }
            NDList out = net.forward(
                    new ParameterStore(m, false), new NDList(m.create(flat, new Shape(grades.length, DIM))), false);
            float[][] embedding = rows(out.get(0).toFloatArray(), 16);
            float[][] head = rows(out.get(1).toFloatArray(), EmbeddingNet.HEAD_OUTPUTS);
            for (int g = 0; g + 2 < grades.length; g++) {
                assertTrue(
                        cosine(embedding[g], embedding[g + 1]) > cosine(embedding[g], embedding[g + 2]),
                        "grade " + grades[g] + " nearer to " + grades[g + 1] + " than to " + grades[g + 2]);
            }
            for (int g = 0; g < grades.length; g++) {
                assertEquals(grades[g], head[g][3], 0.15, "severity read back for grade " + grades[g]);
            }
            assertTrue(
                    head[0][0] > head[0][2] && head[4][2] > head[4][0], "healthy and severe logits follow the grade");
        }
    }

    private static float[][] rows(float[] flat, int width) {
        float[][] out = new float[flat.length / width][width];
        for (int r = 0; r < out.length; r++) {
            System.arraycopy(flat, r * width, out[r], 0, width);
        }
        return out;
    }

    private static double cosine(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
