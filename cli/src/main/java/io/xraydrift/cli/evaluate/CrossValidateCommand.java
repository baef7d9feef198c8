package io.xraydrift.cli.evaluate;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xraydrift.drift.DriftMonitorConfig;
import io.xraydrift.drift.rule.BaselineSignal;
import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.ModelCard;
import io.xraydrift.embedder.service.Models;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.indexer.reference.Scoring;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.stack.TempDirs;
import io.xraydrift.training.ModelTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Patient-disjoint k-fold cross-validation of a training recipe: each fold's patients are left out
 * of training, then their scans are asked for neighbours among the whole labelled set (their own
 * patient excluded, as the indexer does) and their series judged by the drift rule. Prints every
 * evaluation figure per fold and as mean ± sd.
 */
@Command(
        name = "crossval",
        mixinStandardHelpOptions = true,
        description = {
            "Patient-disjoint k-fold cross-validation of a training recipe (or of a fixed --model).",
            "Patients of DATA are dealt to --folds folds (stratified by their highest level, seeded). For each fold a "
                    + "model is trained on DATA without that fold's patients (plus --train-data, e.g. phantoms; --sources "
                    + "and the other training options as 'train' takes them), then the fold's scans are queried against "
                    + "all of DATA as 'evaluate' does and the fold's series in --trajectories are judged by the drift "
                    + "rule. Prints each fold's figures and their mean ± sd; --json prints them as one object."
        })
public final class CrossValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    EvaluationInput input;

    @Option(
            names = "--train-data",
            split = ",",
            description = "Further labelled folders every fold trains on "
                    + "(e.g. phantoms); their patients are never queried.")
    List<Path> trainData = new ArrayList<>();

    @Option(names = "--folds", defaultValue = "5", description = "Folds (default: ${DEFAULT-VALUE}).")
    int folds;

    @Option(
            names = "--fold-seed",
            split = ",",
            defaultValue = "20261130",
            description = "Seed of the patients' deal to folds (default: ${DEFAULT-VALUE}). Several, comma-separated, "
                    + "repeat the whole cross-validation once per seed on another deal: a few dozen patients make one "
                    + "deal's figure move by more than the differences between recipes, so the figures are then pooled "
                    + "over every fold of every repeat, each repeat's mean is shown, and 'repeat_sd' is the spread of "
                    + "those means (how far one deal's figure may fall from another's).")
    List<Long> foldSeeds;

    @Option(names = "--only-fold", description = "Run just this fold (1-based; a quick look while trying recipes).")
    Integer onlyFold;

    @Option(
            names = "--model",
            description = "Evaluate this fixed model (a directory, or 'default' for the bundled "
                    + "one) on every fold instead of training.")
    String model;

    @Option(
            names = "--keep",
            description =
                    "Keep each fold's trained model under this directory (default: a " + "temporary one, removed).")
    Path keep;

    @Option(
            names = "--tune-rule",
            description = "Also choose the drift rule's rise from the baseline — what it is measured on "
                    + "(XRAY_DRIFT_BASELINE_ON: axis or score) and its margins (XRAY_DRIFT_BASELINE_JUMP, "
                    + "XRAY_DRIFT_BASELINE_DRIFT), each signal's above its measured noise — by nested cross-validation "
                    + "over every fold's held-out series, and print the held-out figures and the choice on all series.")
    boolean tuneRule;

    @Option(
            names = "--floors",
            description = "Also measure, on the same folds, what a model must beat — raw 16 x 16 "
                    + "and 32 x 32 pixels and the lung fields' mean intensity — each by a linear head fitted on the other folds "
                    + "and by its own neighbours (printed under 'floors').")
    boolean floors;

    @Option(
            names = "--ceiling",
            description = "With --floors: a TorchScript image model (e.g. the teacher) measured "
                    + "the same way, as the ceiling to approach; or a model directory, whose frozen features under its "
                    + "projection (a student's, a backbone's) are measured.")
    Path ceiling;

    @Option(
            names = "--write-levels",
            description = "Write the level thresholds fitted on the held-out folds (the "
                    + "mean over folds of each fold's best cut, Youden's J) into this model directory's card, where the indexer "
                    + "and the drift monitor take them for its scans unless the deployment sets XRAY_SCORE_*_THRESHOLD. Give "
                    + "the model trained by the same recipe on all the data.")
    Path writeLevels;

    @Mixin
    TrainingOptions training;

    @Override
    public Integer call() throws Exception {
        if (folds < 2) {
            throw new ParameterException(spec.commandLine(), "--folds must be at least 2, was " + folds);
        }
        Models.configureThreads(Runtime.getRuntime().availableProcessors());
        List<Evaluation.Row> labelled = input.labelled();
        List<Evaluation.Row> series = input.series();
        Path root = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("xray-crossval-");
        Settings settings = Settings.load();
        Scoring scoring = IndexerConfig.scoring(settings);
        DriftRule rule = DriftMonitorConfig.ruleFrom(settings);
        List<Map<String, Object>> perFold = new ArrayList<>();
        List<Repeat> repeats = new ArrayList<>();
        long began = System.nanoTime();
        try {
            for (long seed : foldSeeds) {
                Repeat r = repeat(
                        seed,
                        labelled,
                        series,
                        root.resolve(foldSeeds.size() > 1 ? "seed-" + seed : ""),
                        scoring,
                        rule);
                repeats.add(r);
                perFold.addAll(r.perFold());
            }
        } finally {
            if (keep == null) {
                TempDirs.deleteQuietly(root);
            }
        }
        Map<String, Object> result = summary(perFold);
        result.put("folds", perFold);
        if (repeats.size() > 1) {
            List<Map<String, Object>> means = new ArrayList<>();
            for (Repeat r : repeats) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("fold_seed", r.seed());
                m.put("mean", summary(r.perFold()).get("mean"));
                means.add(m);
            }
            result.put("repeats", means);
            result.put(
                    "repeat_sd",
                    summary(means.stream().map(m -> asMap(m.get("mean"))).toList())
                            .get("sd"));
        }
        if (tuneRule) {
            List<Map<String, Object>> searches = repeats.stream()
                    .map(r -> RuleSearch.crossValidate(
                            r.heldOutSeries(), r.searchRule(), folds, r.seed(), noiseFloors(r.perFold())))
                    .toList();
            result.put("rule_search", searches.size() == 1 ? searches.get(0) : RuleSearch.pooled(searches));
        }
        if (floors) {
            try (EmbeddingModel teacher = ceiling == null
                    ? null
                    : Files.isDirectory(ceiling)
                            ? EmbeddingModel.load(ceiling)
                            : EmbeddingModel.backbone(ceiling, Device.cpu())) {
                List<Map<String, Object>> measured = new ArrayList<>();
                for (Repeat r : repeats) {
                    measured.add(Floors.measure(labelled, r.foldOf(), folds, teacher, scoring, rule));
                }
                result.put("floors", measured.size() == 1 ? measured.get(0) : pooledFloors(measured));
            }
        }
        if (writeLevels != null) {
            double infected = meanOf(perFold, "fitted_infected_threshold");
            double severe = meanOf(perFold, "fitted_severe_threshold");
            if (!(infected < severe)) {
                throw new ParameterException(
                        spec.commandLine(),
                        "fitted thresholds infected " + infected + ", severe " + severe
                                + " are not in order: nothing written to " + writeLevels);
            }
            ModelCard card = ModelCard.read(writeLevels);
            card.withLevels(new ModelCard.Levels(
                            Math.round(infected * 1000) / 1000.0,
                            Math.round(severe * 1000) / 1000.0,
                            "Youden's J on held-out folds, mean of " + perFold.size() + " folds of patient-disjoint "
                                    + "cross-validation on "
                                    + input.data.toAbsolutePath().normalize().getFileName()))
                    .write(writeLevels);
            result.put(
                    "levels_written", Map.of("model", writeLevels.toString(), "infected", infected, "severe", severe));
        }
        result.put("seconds", Math.round((System.nanoTime() - began) / 1e9));
        if (input.json) {
            System.out.println(new ObjectMapper().writeValueAsString(result));
        } else {
            Map<String, Object> mean = asMap(result.get("mean"));
            Map<String, Object> sd = asMap(result.get("sd"));
            System.out.printf(
                    Locale.ROOT,
                    "%d-fold patient-disjoint cross-validation of %s%s, mean ± sd over folds%n",
                    folds,
                    model != null ? "model " + model : "the training recipe",
                    repeats.size() > 1
                            ? ", repeated on " + repeats.size() + " deals (fold seeds " + foldSeeds + ")"
                            : "");
            mean.forEach((key, v) -> System.out.printf(Locale.ROOT, "  %-28s %s ± %s%n", key, v, sd.get(key)));
            if (repeats.size() > 1) {
                Map<String, Object> spread = asMap(result.get("repeat_sd"));
                System.out.println("the spread of the " + repeats.size() + " repeats' means (sd):");
                spread.forEach((key, v) -> System.out.printf(Locale.ROOT, "  %-28s %s%n", key, v));
            }
            if (tuneRule) {
                System.out.println("rise-from-baseline margins by nested cross-validation over "
                        + repeats.stream()
                                .mapToInt(r -> r.heldOutSeries().size())
                                .sum()
                        + " held-out series (the base rule: " + rule + ")");
                ((Map<?, ?>) result.get("rule_search"))
                        .forEach((key, v) -> System.out.printf(Locale.ROOT, "  %-28s %s%n", key, v));
            }
            if (floors) {
                System.out.println(
                        repeats.size() > 1
                                ? "floors (and the ceiling), same folds, mean of the repeats' means ± their sd:"
                                : "floors (and the ceiling), same folds, mean ± sd:");
                ((Map<?, ?>) result.get("floors")).forEach((name, summary) -> {
                    System.out.println("  " + name);
                    Map<?, ?> m = (Map<?, ?>) ((Map<?, ?>) summary).get("mean");
                    Map<?, ?> spread = (Map<?, ?>) ((Map<?, ?>) summary).get("sd");
                    m.forEach(
                            (key, v) -> System.out.printf(Locale.ROOT, "    %-28s %s ± %s%n", key, v, spread.get(key)));
                });
            }
        }
        return 0;
    }

    /** Each signal's noise floor from the folds' measured noise (mean over folds). */
    private static Map<BaselineSignal, RuleSearch.NoiseFloor> noiseFloors(List<Map<String, Object>> perFold) {
        Map<BaselineSignal, RuleSearch.NoiseFloor> out = new EnumMap<>(BaselineSignal.class);
        for (BaselineSignal signal : BaselineSignal.values()) {
            double[] floor = EvaluateCommand.noiseFloor(
                    meanOf(perFold, signal.setting() + "_noise_augmented_sd"),
                    meanOf(perFold, signal.setting() + "_noise_stable_step_rms"));
            out.put(signal, new RuleSearch.NoiseFloor(floor[0], floor[1]));
        }
        return out;
    }

    /** One cross-validation on the deal of {@code seed}: each fold's figures, its held-out series and the rule they were judged by. */
    private record Repeat(
            long seed,
            Map<String, Integer> foldOf,
            List<Map<String, Object>> perFold,
            List<RuleSearch.Series> heldOutSeries,
            DriftRule searchRule) {}

    private Repeat repeat(
            long seed,
            List<Evaluation.Row> labelled,
            List<Evaluation.Row> series,
            Path root,
            Scoring scoring,
            DriftRule rule)
            throws Exception {
        Map<String, Integer> foldOf = deal(labelled, folds, seed);
        List<Map<String, Object>> perFold = new ArrayList<>();
        List<RuleSearch.Series> heldOutSeries = new ArrayList<>();
        DriftRule searchRule = rule;
        for (int f = 0; f < folds; f++) {
            if (onlyFold != null && onlyFold != f + 1) {
                continue;
            }
            int fold = f;
            Set<String> held = new HashSet<>();
            foldOf.forEach((p, i) -> {
                if (i == fold) {
                    held.add(p);
                }
            });
            long t0 = System.nanoTime();
            try (EmbeddingModel m = modelFor(fold, held, root)) {
                double trainSeconds = (System.nanoTime() - t0) / 1e9;
                Scoring modelScoring = EvaluateCommand.scoringFor(scoring, m);
                searchRule = EvaluateCommand.ruleFor(rule, modelScoring);
                Evaluation e = new Evaluation(
                        m, labelled, r -> held.contains(r.patient()), 36, 20, 720, modelScoring, searchRule);
                e.trajectories(
                        m,
                        series.stream().filter(r -> held.contains(r.patient())).toList());
                Map<String, Object> figures = EvaluateCommand.figures(e);
                figures.put("fold", fold + 1);
                if (foldSeeds.size() > 1) {
                    figures.put("fold_seed", seed);
                }
                figures.put("queried_scans", e.scores.size());
                figures.put("series", e.patients.size());
                figures.put("train_seconds", Math.round(trainSeconds));
                perFold.add(figures);
                e.patients.forEach(p -> heldOutSeries.add(RuleSearch.series(p)));
                System.err.printf(
                        Locale.ROOT,
                        "fold %d/%d%s: %s%n",
                        fold + 1,
                        folds,
                        foldSeeds.size() > 1 ? " (fold seed " + seed + ")" : "",
                        figures);
            }
        }
        return new Repeat(seed, foldOf, perFold, heldOutSeries, searchRule);
    }

    /** Each floor's figures over the repeats: the mean of its repeats' means, and their spread as its sd. */
    private static Map<String, Object> pooledFloors(List<Map<String, Object>> measured) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : measured.get(0).keySet()) {
            List<Map<String, Object>> means = measured.stream()
                    .map(m -> asMap(asMap(m.get(name)).get("mean")))
                    .toList();
            out.put(name, summary(means));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object figures) {
        return (Map<String, Object>) figures;
    }

    private EmbeddingModel modelFor(int fold, Set<String> held, Path root) {
        if (model != null) {
            return EvaluateCommand.load(model);
        }
        List<Path> dirs = new ArrayList<>(trainData);
        dirs.add(input.data);
        ModelTrainer.Options o = training.options(dirs, root.resolve("fold-" + (fold + 1)), held);
        return new ModelTrainer(System.err).train(o);
    }

    private static double meanOf(List<Map<String, Object>> perFold, String key) {
        return perFold.stream()
                .map(m -> m.get(key))
                .filter(v -> v instanceof Number)
                .mapToDouble(v -> ((Number) v).doubleValue())
                .average()
                .orElse(Double.NaN);
    }

    /** Patients to folds: grouped by their highest level, shuffled with the seed, dealt round-robin. */
    static Map<String, Integer> deal(List<Evaluation.Row> rows, int folds, long seed) {
        Map<String, Integer> highest = new TreeMap<>();
        rows.forEach(r -> highest.merge(r.patient(), r.level().ordinal(), Math::max));
        Map<String, Integer> out = new LinkedHashMap<>();
        Random random = new Random(seed);
        int next = 0;
        for (int level = 2; level >= 0; level--) {
            List<String> patients = new ArrayList<>();
            int l = level;
            highest.forEach((p, h) -> {
                if (h == l) {
                    patients.add(p);
                }
            });
            Collections.shuffle(patients, random);
            for (String p : patients) {
                out.put(p, next++ % folds);
            }
        }
        return out;
    }

    /** Mean and sample standard deviation of every numeric figure over the folds. */
    static Map<String, Object> summary(List<Map<String, Object>> perFold) {
        Map<String, Object> mean = new LinkedHashMap<>();
        Map<String, Object> sd = new LinkedHashMap<>();
        for (String key : perFold.get(0).keySet()) {
            if ("fold".equals(key) || "fold_seed".equals(key)) {
                continue;
            }
            double[] v = perFold.stream()
                    .map(m -> m.get(key))
                    .filter(x -> x instanceof Number)
                    .mapToDouble(x -> ((Number) x).doubleValue())
                    .toArray();
            if (v.length == 0) {
                continue;
            }
            double m = Arrays.stream(v).average().orElse(Double.NaN);
            double var = v.length < 2
                    ? 0
                    : Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1);
            mean.put(key, EvaluateCommand.round(m));
            sd.put(key, EvaluateCommand.round(Math.sqrt(var)));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mean", mean);
        out.put("sd", sd);
        return out;
    }
}
