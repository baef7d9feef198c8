package io.xraydrift.cli.evaluate;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import io.xraydrift.embedder.model.ModelTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains an embedding model with DJL on labelled image folders. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains an embedding model on labelled image folders (DJL + PyTorch, CPU).",
            "DATA is the layout 'xray-drift phantoms' writes (manifest.csv with file,patient,level,severity; real "
                + "data arranged the same way, optionally with a 'source' column that --sources filters on). Without "
                + "--backbone it fine-tunes the bundled model (--init another model of the project's network; "
                + "--from-scratch random weights, --network xray-net|xray-resnet; embedding = the 256-float "
                + "penultimate layer) on histogram-equalised, augmented inputs, with 400 phantoms of each level beside the data (--phantoms), each level and data set drawn equally often; with --backbone "
                + "file.pt it freezes that TorchScript backbone (traced in eval mode) and trains a new head, and the "
                + "saved model embeds with the backbone's output. Writes weights, model.json and MODEL_CARD.md to OUT.",
            "A site adapting the model to its labelled cohort: 'xray-drift train --data COHORT --out MODEL', then "
                + "'xray-drift evaluate --data COHORT --model MODEL --baseline default' as the gate."})
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, split = ",",
            description = "Labelled image folder(s) with manifest.csv; repeat or separate by commas to train on several.")
    List<Path> data;

    @Option(names = "--out", required = true, description = "Model directory to write.")
    Path out;

    @Mixin
    TrainingOptions training;

    @Override
    public Integer call() {
        ModelTrainer.Options options = training.options(data, out, Set.of());
        io.xraydrift.embedder.service.Models.configureThreads(Runtime.getRuntime().availableProcessors());
        try (var model = new ModelTrainer(System.out).train(options)) {
            if (model != null) {
                System.out.println("model card: " + out.resolve("MODEL_CARD.md"));
            }
        }
        return 0;
    }
}
