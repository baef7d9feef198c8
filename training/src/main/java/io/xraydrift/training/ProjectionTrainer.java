package io.xraydrift.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.xraydrift.embedder.model.Projected;
import io.xraydrift.embedder.model.ProjectionNet;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Learns the {@link ProjectionNet} on a frozen network's features of labelled images: the level
 * cross-entropy and the severity regression on the head, and a supervised contrastive term on the
 * embedding (same level together by cosine, which is what the neighbour search reads), over
 * batches in which every level and data set is drawn equally often, each image under one of its
 * cached views (the film as it is, or augmented). Cheap: features are cached, so a few thousand
 * steps take seconds to a minute.
 */
final class ProjectionTrainer {

    /** How the projection is trained. */
    record Settings(
            int embeddingSize,
            int steps,
            int batchSize,
            float learningRate,
            float contrastiveWeight,
            float severityWeight,
            float severityScale,
            float neighbourWeight,
            float axisWeight,
            long seed) {}

    private final PrintStream progress;

    ProjectionTrainer(PrintStream progress) {
        this.progress = progress;
    }

    /** Trains on {@code features[view][sample]} with the samples' labels; the projection's weights. */
    byte[] fit(float[][][] features, List<LabelledImages.Sample> samples, Settings s) {
        long began = System.nanoTime();
        int dim = features[0][0].length;
        Engine.getInstance().setRandomSeed((int) s.seed());
        ProjectionNet net = new ProjectionNet(s.embeddingSize());
        Map<String, List<Integer>> groups = new TreeMap<>();
        for (int i = 0; i < samples.size(); i++) {
            groups.computeIfAbsent(samples.get(i).group(), g -> new ArrayList<>())
                    .add(i);
        }
        List<List<Integer>> byGroup = new ArrayList<>(groups.values());
        Random random = new Random(s.seed() * 131 + 7);
        Tracker rate = Tracker.cosine()
                .setBaseValue(s.learningRate())
                .optFinalValue(s.learningRate() / 50)
                .setMaxUpdates(s.steps())
                .build();
        DefaultTrainingConfig config = new DefaultTrainingConfig(new LevelSeverityLoss(
                        s.severityWeight(),
                        s.contrastiveWeight(),
                        0.1f,
                        s.severityScale(),
                        s.neighbourWeight(),
                        s.axisWeight()))
                .optDevices(new Device[] {Device.cpu()})
                .optOptimizer(Optimizer.adamW()
                        .optLearningRateTracker(rate)
                        .optWeightDecays(1e-3f)
                        .build());
        try (Model model = Model.newInstance("projection", "PyTorch")) {
            model.setBlock(net);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(s.batchSize(), dim));
                double lossSum = 0;
                int counted = 0;
                for (int step = 0; step < s.steps(); step++) {
                    float[] x = new float[s.batchSize() * dim];
                    float[] y = new float[s.batchSize() * 2];
                    for (int b = 0; b < s.batchSize(); b++) {
                        List<Integer> group = byGroup.get(random.nextInt(byGroup.size()));
                        int i = group.get(random.nextInt(group.size()));
                        float[] f = features[random.nextInt(features.length)][i];
                        System.arraycopy(f, 0, x, b * dim, dim);
                        y[2 * b] = samples.get(i).level();
                        y[2 * b + 1] = samples.get(i).severity();
                    }
                    try (NDManager m = trainer.getManager().newSubManager()) {
                        NDArray in = m.create(x, new Shape(s.batchSize(), dim));
                        NDArray labels = m.create(y, new Shape(s.batchSize(), 2));
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDList out = trainer.forward(new NDList(in), new NDList(labels));
                            NDArray loss = trainer.getLoss().evaluate(new NDList(labels), out);
                            float value = loss.getFloat();
                            if (!Float.isFinite(value)) {
                                throw new IllegalStateException("projection training diverged at step " + (step + 1)
                                        + " (loss " + value + "); lower the learning rate or the loss weights");
                            }
                            gc.backward(loss);
                            lossSum += value;
                            counted++;
                        }
                        trainer.step();
                    }
                    if ((step + 1) % 500 == 0 || step == s.steps() - 1) {
                        progress.printf(
                                Locale.ROOT,
                                "projection step %d/%d  loss %.4f  elapsed %s%n",
                                step + 1,
                                s.steps(),
                                lossSum / counted,
                                ModelTrainer.duration((System.nanoTime() - began) / 1e9));
                        lossSum = 0;
                        counted = 0;
                    }
                }
            }
            return Projected.weights(net);
        }
    }

    /** Samples per group, for the model card. */
    static Map<String, Integer> groups(List<LabelledImages.Sample> samples) {
        Map<String, Integer> out = new TreeMap<>();
        samples.forEach(s -> out.merge(s.group(), 1, Integer::sum));
        return out;
    }
}
