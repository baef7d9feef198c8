package io.xraydrift.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.xraydrift.embedder.model.ModelTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Trains an embedding model with DJL on a labelled image folder. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains an embedding model on a labelled image folder (DJL + PyTorch, CPU).",
            "DATA is the layout 'xray-drift phantoms' writes (manifest.csv with file,patient,level,severity; real "
                + "data can be arranged the same way). Without --backbone it trains the project's compact CNN "
                + "(embedding = its 256-float penultimate layer); with --backbone file.pt it freezes that TorchScript "
                + "backbone (traced in eval mode) and trains a new head, and the saved model embeds with the "
                + "backbone's output. Writes weights, model.json and MODEL_CARD.md to OUT."})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, description = "Labelled image folder with manifest.csv.")
    Path data;

    @Option(names = "--out", required = true, description = "Model directory to write.")
    Path out;

    @Option(names = "--epochs", defaultValue = "8", description = "Passes over the data (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--learning-rate", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--backbone", description = "TorchScript backbone to transfer-learn from (frozen).")
    Path backbone;

    @Option(names = "--input-size", description = "Input side in pixels (default: 128; 224 with --backbone).")
    Integer inputSize;

    @Option(names = "--id", description = "Model id (default: xray-drift-default, or the backbone file's name).")
    String id;

    @Override
    public Integer call() {
        if (epochs < 1 || batch < 1) {
            throw new ParameterException(spec.commandLine(), "--epochs and --batch must be at least 1");
        }
        if (backbone != null && !backbone.toFile().isFile()) {
            throw new ParameterException(spec.commandLine(), "--backbone " + backbone + " is not a file");
        }
        int size = inputSize != null ? inputSize : backbone != null ? 224 : ModelTrainer.DEFAULT_INPUT;
        String modelId = id != null ? id : backbone != null
                ? backbone.getFileName().toString().replaceFirst("\\.pt$", "") : "xray-drift-default";
        String command = "xray-drift train --data " + data + " --out " + out + " --epochs " + epochs + " --seed " + seed
                + " --batch " + batch + " --learning-rate " + learningRate
                + (backbone != null ? " --backbone " + backbone : "") + " --input-size " + size;
        try (var model = new ModelTrainer(System.out).train(new ModelTrainer.Options(data, out, epochs, seed, batch,
                learningRate, Optional.ofNullable(backbone), size, modelId, command))) {
            System.out.println("model card: " + out.resolve("MODEL_CARD.md"));
        }
        return 0;
    }
}
