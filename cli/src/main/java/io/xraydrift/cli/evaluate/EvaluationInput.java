package io.xraydrift.cli.evaluate;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** What {@code evaluate} and {@code crossval} read — the labelled folder and the patient series — and how they print. */
final class EvaluationInput {

    @Option(
            names = "--data",
            required = true,
            description = "Labelled image folder with manifest.csv (file, patient, "
                    + "level; severity where a radiologist rated the scan).")
    Path data;

    @Option(names = "--trajectories", description = "Patient series folder with manifest.csv (trajectory column).")
    Path trajectories;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    List<Evaluation.Row> labelled() {
        return Evaluation.read(data);
    }

    /** The series, none without --trajectories. */
    List<Evaluation.Row> series() {
        return trajectories == null ? List.of() : Evaluation.read(trajectories);
    }
}
