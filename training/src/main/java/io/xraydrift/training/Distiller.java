package io.xraydrift.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.training.tracker.WarmUpTracker;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.embedder.model.StudentNet;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Distillation: trains the student's body ({@link StudentNet#body()}) plus a linear map to reproduce
 * a teacher's features of the same film — the teacher sees the film as it is, at its own input
 * size; the student sees it at its own size under the training augmentation, so it learns what the
 * teacher sees and not the acquisition. Targets are the teacher's features standardised per
 * dimension; the loss is their mean squared error. Returns the body's weights (the linear map is a
 * training device and is dropped).
 */
final class Distiller {

    /** How the student is trained. */
    record Settings(int epochs, int batchSize, float learningRate, long seed, Augmentation augmentation) {}

    /** What the distillation did: the body's weights and its figures on the held-out images. */
    record Result(byte[] bodyWeights, Map<String, Object> figures) {}

    private final PrintStream progress;

    Distiller(PrintStream progress) {
        this.progress = progress;
    }

    /**
     * Trains on {@code views} against {@code viewTargets}: {@code views.get(i)[v]} is view {@code v}
     * of image {@code i} (resized to the student's side, gray 0..255 as bytes) and
     * {@code viewTargets[v][i]} the teacher's features of that same picture (view 0 the image as it
     * is). With one view the student sees it under the settings' augmentation (the teacher saw it
     * plain); with more, each epoch shows one view of each image, drawn at random, exactly as the
     * teacher saw it — consistent teaching, no augmentation of the student's own. Targets are
     * standardised by view 0's statistics; 3% of the images, by index hash, are held out (view 0)
     * to report how close the student gets.
     */
    Result fit(List<byte[][]> views, float[][][] viewTargets, Preprocessing student, Settings s) {
        long began = System.nanoTime();
        List<byte[]> images = views.stream().map(v -> v[0]).toList();
        float[][] targets = viewTargets[0];
        int viewCount = viewTargets.length;
        int dim = targets[0].length;
        float[] mean = new float[dim];
        float[] std = new float[dim];
        for (float[] t : targets) {
            for (int d = 0; d < dim; d++) {
                mean[d] += t[d] / targets.length;
            }
        }
        for (float[] t : targets) {
            for (int d = 0; d < dim; d++) {
                std[d] += (t[d] - mean[d]) * (t[d] - mean[d]) / targets.length;
            }
        }
        for (int d = 0; d < dim; d++) {
            std[d] = (float) Math.sqrt(std[d]) + 1e-3f;
        }
        float[][][] zViews = new float[viewCount][targets.length][dim];
        for (int v = 0; v < viewCount; v++) {
            for (int i = 0; i < targets.length; i++) {
                for (int d = 0; d < dim; d++) {
                    zViews[v][i][d] = (viewTargets[v][i][d] - mean[d]) / std[d];
                }
            }
        }
        float[][] z = zViews[0];
        List<Integer> train = new ArrayList<>();
        List<Integer> held = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            (Math.floorMod(i * 0x9E3779B1, 100) < 3 ? held : train).add(i);
        }
        int size = student.size();
        Engine.getInstance().setRandomSeed((int) s.seed());
        SequentialBlock block = new SequentialBlock()
                .add(StudentNet.body())
                .add(Linear.builder().setUnits(dim).build());
        int steps = train.size() / s.batchSize();
        int total = steps * s.epochs();
        Tracker cosine = Tracker.cosine()
                .setBaseValue(s.learningRate())
                .optFinalValue(s.learningRate() / 100)
                .setMaxUpdates(Math.max(1, total))
                .build();
        Tracker rate = WarmUpTracker.builder()
                .setMainTracker(cosine)
                .optWarmUpSteps(Math.min(300, total / 10))
                .optWarmUpBeginValue(s.learningRate() / 20)
                .build();
        ExecutorService prefetch = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "distil-prefetch");
            t.setDaemon(true);
            return t;
        });
        Map<String, Object> figures = new LinkedHashMap<>();
        try (Model model = Model.newInstance("student", "PyTorch")) {
            model.setBlock(block);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                    .optDevices(new Device[] {Device.cpu()})
                    .optOptimizer(Optimizer.adamW()
                            .optLearningRateTracker(rate)
                            .optWeightDecays(1e-4f)
                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(s.batchSize(), 1, size, size));
                SplittableRandom random = new SplittableRandom(s.seed() * 7919 + 23);
                int done = 0;
                for (int epoch = 1; epoch <= s.epochs(); epoch++) {
                    List<Integer> order = new ArrayList<>(train);
                    Collections.shuffle(order, new Random(s.seed() * 31 + epoch));
                    double lossSum = 0;
                    SplittableRandom epochRandom = random.split();
                    int[] viewOf = new int[images.size()];
                    if (viewCount > 1) {
                        Random pick = new Random(s.seed() * 131 + epoch);
                        for (int i = 0; i < viewOf.length; i++) {
                            viewOf[i] = pick.nextInt(viewCount);
                        }
                    }
                    IntFunction<byte[]> picture = i -> views.get(i)[viewOf[i]];
                    Augmentation own = viewCount > 1 ? Augmentation.NONE : s.augmentation();
                    CompletableFuture<float[]> next =
                            batchInputs(prefetch, picture, order, 0, s.batchSize(), own, student, epochRandom.split());
                    for (int step = 0; step < steps; step++) {
                        float[] inputs = next.join();
                        if (step + 1 < steps) {
                            next = batchInputs(
                                    prefetch,
                                    picture,
                                    order,
                                    step + 1,
                                    s.batchSize(),
                                    own,
                                    student,
                                    epochRandom.split());
                        }
                        float[] target = new float[s.batchSize() * dim];
                        for (int b = 0; b < s.batchSize(); b++) {
                            int i = order.get(step * s.batchSize() + b);
                            System.arraycopy(zViews[viewOf[i]][i], 0, target, b * dim, dim);
                        }
                        try (NDManager m = trainer.getManager().newSubManager()) {
                            NDArray x = m.create(inputs, new Shape(s.batchSize(), 1, size, size));
                            NDArray y = m.create(target, new Shape(s.batchSize(), dim));
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDList out = trainer.forward(new NDList(x), new NDList(y));
                                NDArray loss = trainer.getLoss().evaluate(new NDList(y), out);
                                gc.backward(loss);
                                lossSum += loss.getFloat();
                            }
                            trainer.step();
                        }
                        done++;
                        if (step % 20 == 0 || step == steps - 1) {
                            double elapsed = (System.nanoTime() - began) / 1e9;
                            progress.printf(
                                    Locale.ROOT,
                                    "distil epoch %d/%d  step %d/%d  loss %.4f  elapsed %s  left %s%n",
                                    epoch,
                                    s.epochs(),
                                    step + 1,
                                    steps,
                                    lossSum / (step + 1),
                                    ModelTrainer.duration(elapsed),
                                    ModelTrainer.duration(elapsed / done * (total - done)));
                        }
                    }
                    double[] heldOut = heldOut(trainer, images, z, held, student);
                    progress.printf(
                            Locale.ROOT,
                            "distil epoch %d/%d  held-out %d images: mse %.4f, cosine to the " + "teacher %.4f%n",
                            epoch,
                            s.epochs(),
                            held.size(),
                            heldOut[0],
                            heldOut[1]);
                    figures.put("held_out_mse", round(heldOut[0]));
                    figures.put("held_out_cosine", round(heldOut[1]));
                }
            }
            figures.put("held_out_images", held.size());
            figures.put("training_images", train.size());
            figures.put("teacher_dimension", dim);
            figures.put("seconds", Math.round((System.nanoTime() - began) / 1e9));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            block.getChildren().get(0).getValue().saveParameters(new DataOutputStream(bytes));
            return new Result(bytes.toByteArray(), figures);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            prefetch.shutdownNow();
        }
    }

    private static CompletableFuture<float[]> batchInputs(
            ExecutorService pool,
            IntFunction<byte[]> images,
            List<Integer> order,
            int step,
            int batchSize,
            Augmentation augmentation,
            Preprocessing pre,
            SplittableRandom r) {
        return CompletableFuture.supplyAsync(
                () -> {
                    int size = pre.size();
                    int n = size * size;
                    float[] out = new float[batchSize * n];
                    for (int b = 0; b < batchSize; b++) {
                        byte[] img = images.apply(order.get(step * batchSize + b));
                        float[] resized = new float[n];
                        for (int i = 0; i < n; i++) {
                            resized[i] = img[i] & 0xFF;
                        }
                        System.arraycopy(pre.finish(augmentation.apply(resized, size, r.split())), 0, out, b * n, n);
                    }
                    return out;
                },
                pool);
    }

    /** Mean squared error and mean cosine of the student's standardised features to the teacher's, on held-out images. */
    private static double[] heldOut(
            Trainer trainer, List<byte[]> images, float[][] z, List<Integer> held, Preprocessing pre) {
        double mse = 0;
        double cosine = 0;
        int size = pre.size();
        for (int from = 0; from < held.size(); from += 64) {
            List<Integer> batch = held.subList(from, Math.min(held.size(), from + 64));
            float[] flat = new float[batch.size() * size * size];
            IntStream.range(0, batch.size()).forEach(b -> {
                byte[] img = images.get(batch.get(b));
                float[] resized = new float[size * size];
                for (int i = 0; i < resized.length; i++) {
                    resized[i] = img[i] & 0xFF;
                }
                System.arraycopy(pre.finish(resized), 0, flat, b * size * size, size * size);
            });
            try (NDManager m = trainer.getManager().newSubManager()) {
                float[] out = trainer.evaluate(new NDList(m.create(flat, new Shape(batch.size(), 1, size, size))))
                        .singletonOrThrow()
                        .toFloatArray();
                int dim = z[0].length;
                for (int b = 0; b < batch.size(); b++) {
                    float[] t = z[batch.get(b)];
                    double dot = 0;
                    double nt = 0;
                    double no = 0;
                    for (int d = 0; d < dim; d++) {
                        float o = out[b * dim + d];
                        mse += (o - t[d]) * (o - t[d]) / dim;
                        dot += o * t[d];
                        nt += t[d] * t[d];
                        no += o * o;
                    }
                    cosine += dot / Math.sqrt(nt * no + 1e-12);
                }
            }
        }
        return new double[] {mse / held.size(), cosine / held.size()};
    }

    private static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
