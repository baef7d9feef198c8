package io.xraydrift.cli.ops;

import io.xraydrift.phantoms.PhantomSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Writes synthetic chest X-ray phantoms to an image folder with a CSV manifest. */
@Command(
        name = "phantoms",
        mixinStandardHelpOptions = true,
        description = {
            "Writes synthetic chest X-ray phantoms (labelled sets or patient series).",
            "Layout: DIR/healthy/*.png, DIR/infected/*.png, DIR/severe/*.png and DIR/manifest.csv "
                    + "(file,patient,level,severity,acquired_at,view,trajectory). Deterministic: the same seed and counts "
                    + "give the same bytes. Labelled sets draw infected severities from [0.18, 0.50] and severe ones from "
                    + "[0.62, 1.0]; --trajectories writes worsening, stable, improving and fluctuating patients instead."
        })
public final class PhantomsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "Output directory (created).")
    Path out;

    @Option(names = "--healthy", defaultValue = "0", description = "Healthy scans (default: ${DEFAULT-VALUE}).")
    int healthy;

    @Option(names = "--infected", defaultValue = "0", description = "Infected scans (default: ${DEFAULT-VALUE}).")
    int infected;

    @Option(names = "--severe", defaultValue = "0", description = "Severe scans (default: ${DEFAULT-VALUE}).")
    int severe;

    @Option(
            names = "--trajectories",
            defaultValue = "0",
            description =
                    "Patients with a series of scans each, instead of a labelled set (default: ${DEFAULT-VALUE}).")
    int trajectories;

    @Option(
            names = "--scans-per-patient",
            defaultValue = "8",
            description = "Scans per trajectory (default: ${DEFAULT-VALUE}).")
    int scansPerPatient;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the whole set (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--size",
            defaultValue = "512",
            description = "Width and height in pixels (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(
            names = "--portable-fraction",
            defaultValue = "0.15",
            description = "Share of scans with the AP/portable look (default: ${DEFAULT-VALUE}).")
    double portableFraction;

    @Override
    public Integer call() {
        if (trajectories == 0 && healthy + infected + severe == 0) {
            throw new ParameterException(
                    spec.commandLine(),
                    "nothing to write: give --healthy/--infected/--severe counts or --trajectories");
        }
        if (Math.min(Math.min(healthy, infected), Math.min(severe, trajectories)) < 0) {
            throw new ParameterException(spec.commandLine(), "counts must not be negative");
        }
        if (!(portableFraction >= 0 && portableFraction <= 1)) {
            throw new ParameterException(
                    spec.commandLine(), "--portable-fraction " + portableFraction + " is outside [0, 1]");
        }
        List<PhantomSet.Item> items = trajectories > 0
                ? PhantomSet.trajectories(trajectories, scansPerPatient, seed, portableFraction)
                : PhantomSet.labelled(healthy, infected, severe, seed, portableFraction);
        long began = System.nanoTime();
        Path manifest = PhantomSet.write(out, items, size);
        double seconds = (System.nanoTime() - began) / 1e9;
        Map<String, Integer> perLevel = new TreeMap<>();
        items.forEach(i -> perLevel.merge(i.grade().label(), 1, Integer::sum));
        System.out.printf(
                "wrote %d phantoms (%s) of %dx%d to %s in %.1f s (%.0f/s incl. PNG encoding); manifest %s%n",
                items.size(), perLevel, size, size, out, seconds, items.size() / seconds, manifest);
        return 0;
    }
}
