package io.xraydrift.cli.evaluate;

import io.xraydrift.embedder.service.Models;
import io.xraydrift.training.ModelTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains an embedding model with DJL on labelled image folders. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Trains an embedding model on labelled image folders (DJL + PyTorch, CPU).",
            "DATA is the layout 'xray-drift phantoms' writes (manifest.csv with file,patient,level,severity; real "
                    + "data arranged the same way, optionally with a 'source' column that --sources filters on). By "
                    + "default it keeps the bundled model's distilled student frozen and learns the projection — the "
                    + "64-float space the neighbours are found in — anew on DATA: where DATA has radiologist-rated films, "
                    + "in closed form from ridge directions of severity and healthy-or-not (ordinal, seconds), else by "
                    + "gradient steps on its levels (learnt, about a minute for 500 films). --backbone FILE.pt learns the projection on a site's own frozen "
                    + "TorchScript backbone (input N x 3 x 224 x 224 in [-1, 1]; the model carries the file). --teacher "
                    + "FILE.pt distils a new student from a TorchScript teacher on DATA's images (no labels needed), then "
                    + "learns its projection. --from-scratch trains the project's earlier networks (--network "
                    + "xray-net|xray-resnet) end to end. Features of frozen networks are cached under "
                    + "~/.cache/xray-drift/features (XRAY_FEATURE_CACHE). Writes weights, model.json and MODEL_CARD.md "
                    + "to OUT.",
            "A site adapting the model to its labelled cohort: 'xray-drift train --data COHORT --out MODEL', then "
                    + "'xray-drift crossval --data COHORT --trajectories SERIES --tune-rule --write-levels MODEL' (its "
                    + "levels and drift margins) and 'xray-drift evaluate --data COHORT --model MODEL --baseline default' "
                    + "as the gate."
        })
public final class TrainCommand implements Callable<Integer> {

    @Option(
            names = "--data",
            required = true,
            split = ",",
            description =
                    "Labelled image folder(s) with manifest.csv; repeat or separate by commas to train on several.")
    List<Path> data;

    @Option(names = "--out", required = true, description = "Model directory to write.")
    Path out;

    @Mixin
    TrainingOptions training;

    @Override
    public Integer call() {
        ModelTrainer.Options options = training.options(data, out, Set.of());
        Models.configureThreads(Runtime.getRuntime().availableProcessors());
        try (var model = new ModelTrainer(System.out).train(options)) {
            if (model != null) {
                System.out.println("model card: " + out.resolve("MODEL_CARD.md"));
            }
        }
        return 0;
    }
}
