package io.xraydrift.training;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.xraydrift.embedder.model.Batches;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.ModelCard;
import io.xraydrift.embedder.model.Network;
import io.xraydrift.embedder.model.Preprocessing;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The project's own networks (xray-net, xray-resnet) trained end to end on labelled images: level
 * cross-entropy, severity regression and a supervised contrastive term, balanced batches, cosine
 * learning rate, validation on held-out patients; optionally fine-tuned from a model of the same
 * shape ({@code --init}). The recipe of {@code train --from-scratch} and of an xray-net {@code --init}.
 */
final class EndToEnd {

    private final PrintStream progress;

    EndToEnd(PrintStream progress) {
        this.progress = progress;
    }

    /** Trains, saves to {@code o.out()} and returns the model, open. */
    EmbeddingModel train(ModelTrainer.Options o) {
        long began = System.nanoTime();
        ModelCard draft = new ModelCard(
                o.modelId(),
                "unsaved",
                Network.named(o.network()).architecture(),
                "",
                o.inputSize(),
                1,
                ModelTrainer.DEFAULT_MEAN,
                o.equalize() ? ModelTrainer.EQUALIZED_STD : ModelTrainer.DEFAULT_STD,
                ModelCard.DEFAULT_EMBEDDING,
                TrainingData.CLASSES,
                Map.of(),
                o.equalize() ? ModelCard.EQUALIZED : ModelCard.LINEAR,
                o.network());
        Preprocessing pre = Preprocessing.of(draft);
        progress.printf("reading %s ...%n", o.data());
        if (o.phantomsPerLevel() > 0) {
            progress.printf("rendering %d phantoms of each level to train beside it ...%n", o.phantomsPerLevel());
        }
        TrainingData data = TrainingData.read(o.data(), o::keeps, pre, 0.1, o.phantomsPerLevel(), o.seed() * 7 + 1);
        progress.printf(
                "training on %d images %s, validating on %d %s (split by patient)%n",
                data.training().size(),
                Arrays.toString(TrainingData.counts(data.training())),
                data.validation().size(),
                Arrays.toString(TrainingData.counts(data.validation())));
        Engine.getInstance().setRandomSeed((int) o.seed());
        Model model = Model.newInstance(o.modelId(), "PyTorch");
        try {
            Block block = draft.newNetwork();
            model.setBlock(block);
            ModelCard initCard =
                    o.init().isPresent() ? startFrom(model, o.init().get(), draft) : null;
            int updates = o.epochs() * ((data.training().size() + o.batchSize() - 1) / o.batchSize());
            Tracker rate = Tracker.cosine()
                    .setBaseValue(o.learningRate())
                    .optFinalValue(o.learningRate() / 50)
                    .setMaxUpdates(Math.max(1, updates))
                    .build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(
                            new LevelSeverityLoss(2f, o.contrastiveWeight(), 0.1f))
                    .optDevices(new Device[] {Device.cpu()})
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(rate).build());
            double[] accuracy;
            long embeddingSize;
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(o.batchSize(), draft.channels(), o.inputSize(), o.inputSize()));
                fit(trainer, data.training(), o, draft, began);
                accuracy = validate(trainer, data.validation(), draft);
                embeddingSize = embeddingSize(trainer, draft);
            }
            Map<String, Object> training = new LinkedHashMap<>();
            training.put("data", ModelTrainer.dataNames(o));
            training.put("data_sets", dataSets(data));
            training.put("intensity", draft.intensity());
            training.put("augmentation", o.augmentation().strength());
            training.put("contrastive_weight", o.contrastiveWeight());
            training.put("phantoms_per_level", o.phantomsPerLevel());
            training.put(
                    "started_from",
                    initCard == null ? "random initialisation" : initCard.id() + "@" + initCard.version());
            training.put("training_images_per_level", counts(data.training()));
            training.put("validation_images_per_level", counts(data.validation()));
            training.put("epochs", o.epochs());
            training.put("batch_size", o.batchSize());
            training.put("learning_rate", o.learningRate());
            training.put("seed", o.seed());
            training.put("validation_accuracy_per_level", perLevel(accuracy));
            ModelCard card =
                    ModelWriter.save(progress, model, draft.withEmbeddingSize((int) embeddingSize), training, o, began);
            progress.printf(Locale.ROOT, "validation accuracy %s%n", perLevel(accuracy));
            return EmbeddingModel.of(card, model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        } catch (IOException | MalformedModelException e) {
            model.close();
            throw new UncheckedIOException("cannot train or save the model in " + o.out(), new IOException(e));
        }
    }

    private void fit(
            Trainer trainer, List<TrainingData.Example> examples, ModelTrainer.Options o, ModelCard card, long began) {
        int steps = (examples.size() + o.batchSize() - 1) / o.batchSize();
        int total = steps * o.epochs();
        Preprocessing pre = Preprocessing.of(card);
        SplittableRandom random = new SplittableRandom(o.seed() * 7919 + 17);
        int done = 0;
        for (int epoch = 1; epoch <= o.epochs(); epoch++) {
            List<TrainingData.Example> order = balanced(examples, new Random(o.seed() * 31 + epoch));
            double lossSum = 0;
            int correct = 0;
            for (int step = 0; step < steps; step++) {
                List<TrainingData.Example> batch =
                        order.subList(step * o.batchSize(), Math.min(order.size(), (step + 1) * o.batchSize()));
                List<float[]> inputs = new ArrayList<>(batch.size());
                for (TrainingData.Example e : batch) {
                    inputs.add(pre.finish(o.augmentation().apply(e.resized(), card.inputSize(), random.split())));
                }
                try (NDManager m = trainer.getManager().newSubManager()) {
                    NDList in = inputs(m, inputs, card);
                    NDArray labels = labels(m, batch);
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDList out = trainer.forward(in, new NDList(labels));
                        NDArray loss = trainer.getLoss().evaluate(new NDList(labels), out);
                        gc.backward(loss);
                        lossSum += loss.getFloat() * batch.size();
                        correct += correctCount(out.get(out.size() - 1), batch);
                    }
                    trainer.step();
                }
                done++;
                if (step % 10 == 0 || step == steps - 1) {
                    double elapsed = (System.nanoTime() - began) / 1e9;
                    double left = elapsed / done * (total - done);
                    int seen = Math.min(order.size(), (step + 1) * o.batchSize());
                    progress.printf(
                            Locale.ROOT,
                            "epoch %d/%d  step %d/%d  loss %.4f  accuracy %.3f  elapsed %s  left %s%n",
                            epoch,
                            o.epochs(),
                            step + 1,
                            steps,
                            lossSum / seen,
                            (double) correct / seen,
                            ModelTrainer.duration(elapsed),
                            ModelTrainer.duration(left));
                }
            }
        }
    }

    /**
     * One epoch's order: as many draws as there are examples, each group (level and data set)
     * drawn equally often, so a small real set or a rare level weighs as much as a large one; within
     * a group every example comes once before any comes twice.
     */
    static List<TrainingData.Example> balanced(List<TrainingData.Example> examples, Random random) {
        Map<String, List<TrainingData.Example>> groups = new TreeMap<>();
        examples.forEach(
                e -> groups.computeIfAbsent(e.group(), g -> new ArrayList<>()).add(e));
        int perGroup = (examples.size() + groups.size() - 1) / groups.size();
        List<TrainingData.Example> order = new ArrayList<>(perGroup * groups.size());
        for (List<TrainingData.Example> group : groups.values()) {
            List<TrainingData.Example> pool = new ArrayList<>();
            while (pool.size() < perGroup) {
                List<TrainingData.Example> round = new ArrayList<>(group);
                Collections.shuffle(round, random);
                pool.addAll(round);
            }
            order.addAll(pool.subList(0, perGroup));
        }
        Collections.shuffle(order, random);
        return order.subList(0, examples.size());
    }

    /** Loads the weights of a model directory of the project's network into the block before training; its card. */
    private static ModelCard startFrom(Model model, Path init, ModelCard draft)
            throws IOException, MalformedModelException {
        ModelCard from = ModelCard.read(init);
        if (from.hasBackbone()
                || from.inputSize() != draft.inputSize()
                || from.embeddingSize() != ModelCard.DEFAULT_EMBEDDING
                || !from.network().equals(draft.network())) {
            throw new IllegalArgumentException("--init " + init + " is " + from.network() + " at "
                    + from.inputSize() + " px with " + from.embeddingSize() + " floats; this training is "
                    + draft.network() + " at " + draft.inputSize() + " px with " + ModelCard.DEFAULT_EMBEDDING);
        }
        model.load(init, ModelCard.WEIGHTS);
        return from;
    }

    private static Map<String, Integer> dataSets(TrainingData data) {
        Map<String, Integer> out = new TreeMap<>();
        data.training().forEach(e -> out.merge(e.group(), 1, Integer::sum));
        return out;
    }

    private static double[] validate(Trainer trainer, List<TrainingData.Example> examples, ModelCard draft) {
        int[] right = new int[3];
        int[] all = new int[3];
        Preprocessing pre = Preprocessing.of(draft);
        for (int from = 0; from < examples.size(); from += 32) {
            List<TrainingData.Example> batch = examples.subList(from, Math.min(examples.size(), from + 32));
            List<float[]> inputs =
                    batch.stream().map(e -> pre.finish(e.resized())).toList();
            try (NDManager m = trainer.getManager().newSubManager()) {
                NDList out = trainer.evaluate(inputs(m, inputs, draft));
                long[] predicted =
                        out.get(out.size() - 1).get(":, 0:3").argMax(1).toLongArray();
                for (int i = 0; i < batch.size(); i++) {
                    all[batch.get(i).level()]++;
                    right[batch.get(i).level()] += predicted[i] == batch.get(i).level() ? 1 : 0;
                }
            }
        }
        return new double[] {ratio(right[0], all[0]), ratio(right[1], all[1]), ratio(right[2], all[2])};
    }

    private static long embeddingSize(Trainer trainer, ModelCard draft) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            NDArray zero = m.zeros(new Shape(1, draft.channels(), draft.inputSize(), draft.inputSize()));
            return trainer.evaluate(new NDList(zero)).get(0).getShape().get(1);
        }
    }

    private static NDList inputs(NDManager m, List<float[]> batch, ModelCard card) {
        return new NDList(m.create(
                Batches.flat(batch), new Shape(batch.size(), card.channels(), card.inputSize(), card.inputSize())));
    }

    private static NDArray labels(NDManager m, List<TrainingData.Example> batch) {
        float[] flat = new float[batch.size() * 2];
        for (int i = 0; i < batch.size(); i++) {
            flat[2 * i] = batch.get(i).level();
            flat[2 * i + 1] = batch.get(i).severity();
        }
        return m.create(flat, new Shape(batch.size(), 2));
    }

    private static int correctCount(NDArray out, List<TrainingData.Example> batch) {
        long[] predicted = out.get(":, 0:3").argMax(1).toLongArray();
        int n = 0;
        for (int i = 0; i < batch.size(); i++) {
            n += predicted[i] == batch.get(i).level() ? 1 : 0;
        }
        return n;
    }

    private static Map<String, Integer> counts(List<TrainingData.Example> examples) {
        int[] c = TrainingData.counts(examples);
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int i = 0; i < c.length; i++) {
            out.put(TrainingData.CLASSES.get(i), c[i]);
        }
        return out;
    }

    private static Map<String, Double> perLevel(double[] values) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            out.put(TrainingData.CLASSES.get(i), Math.round(values[i] * 1000) / 1000.0);
        }
        return out;
    }

    private static double ratio(int a, int b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }
}
