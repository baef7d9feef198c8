package io.xraydrift.cli.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.xraydrift.drift.DriftMonitorConfig;
import io.xraydrift.drift.rule.BaselineSignal;
import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.ModelCard;
import io.xraydrift.embedder.service.Models;
import io.xraydrift.events.Level;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.indexer.reference.Scoring;
import io.xraydrift.platform.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Measures the clinical signal: neighbour purity, drift alert accuracy and lead time, as a report. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Measures neighbour purity, drift alert accuracy and lead time; writes an HTML report.",
            "DATA is a labelled image folder with manifest.csv (the layout 'xray-drift phantoms' writes; real data can "
                    + "be arranged the same way). --trajectories adds patient series (the layout of 'phantoms "
                    + "--trajectories'): each scan is scored against DATA as the indexer scores and judged by the drift "
                    + "rule. The report (self-contained HTML: tables, SVG plots, the three 6x6 neighbour grids of the "
                    + "published study, score against radiologist severity) goes to --out; --json prints the figures as one "
                    + "JSON object. Manifest columns used: file, patient, level, severity (radiologist severity in [0, 1]; "
                    + "where given, severity_spearman/_pearson/_mae say how the score agrees with it, and "
                    + "head_severity_spearman how the model's own severity estimate does: what finding neighbours loses or "
                    + "gains), acquired_at, "
                    + "trajectory. auroc_healthy: how well the score separates healthy scans from the rest.",
            "Exit codes: 0 done (or the gate passed), 3 the --baseline gate refused the model."
        })
public final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    EvaluationInput input;

    @Option(names = "--model", description = "Model directory or TorchScript file (default: the bundled model).")
    Path model;

    @Option(names = "--k", defaultValue = "36", description = "Neighbours (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--trees", defaultValue = "20", description = "Trees, as the indexer (default: ${DEFAULT-VALUE}).")
    int trees;

    @Option(names = "--search-k", description = "Candidates per query (default: k * trees, as the indexer).")
    Integer searchK;

    @Option(
            names = "--out",
            defaultValue = "evaluation-report.html",
            description = "HTML report (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--scores",
            description = "Write one CSV line per labelled scan: file, patient, level, severity, "
                    + "score, scored level and neighbour composition.")
    Path scores;

    @Option(
            names = "--baseline",
            description =
                    "Model directory (or 'default' for the bundled model) to compare with: "
                            + "both are evaluated on the same data and printed side by side; exit code 3 when --model is worse than the "
                            + "baseline by more than --tolerance on a purity or agreement figure (the gate before a model goes live).")
    String baseline;

    @Option(
            names = "--tolerance",
            defaultValue = "0.01",
            description = "How much lower a gated figure may be " + "(default: ${DEFAULT-VALUE}).")
    double tolerance;

    /** Figures the --baseline gate compares: higher is better for each. */
    static final List<String> GATED = List.of(
            "purity_healthy",
            "purity_infected",
            "purity_severe",
            "severity_spearman",
            "severity_pearson",
            "auroc_healthy");

    @Override
    public Integer call() throws Exception {
        Models.configureThreads(Runtime.getRuntime().availableProcessors());
        Map<String, Object> figures = evaluate(model, out, scores);
        if (baseline == null) {
            if (input.json) {
                System.out.println(new ObjectMapper().writeValueAsString(figures));
            } else {
                figures.forEach((key, v) -> System.out.println(key + " = " + v));
            }
            return 0;
        }
        Path base = "default".equals(baseline) ? null : Path.of(baseline);
        Map<String, Object> before = evaluate(base, out.resolveSibling(baselineName(out)), null);
        List<String> worse = new ArrayList<>();
        for (String key : GATED) {
            if (figures.get(key) instanceof Double now
                    && before.get(key) instanceof Double then
                    && now < then - tolerance) {
                worse.add(key + " " + now + " < " + then);
            }
        }
        if (input.json) {
            Map<String, Object> both = new LinkedHashMap<>();
            both.put("model", figures);
            both.put("baseline", before);
            both.put("worse", worse);
            System.out.println(new ObjectMapper().writeValueAsString(both));
        } else {
            System.out.printf(Locale.ROOT, "%-28s %-24s %-24s%n", "figure", "model", "baseline");
            for (String key : figures.keySet()) {
                if (!"report".equals(key)) {
                    System.out.printf(
                            Locale.ROOT,
                            "%-28s %-24s %-24s%s%n",
                            key,
                            figures.get(key),
                            before.get(key),
                            worse.stream().anyMatch(w -> w.startsWith(key + " ")) ? "  WORSE" : "");
                }
            }
            System.out.println(
                    worse.isEmpty()
                            ? "gate: passed (no purity or agreement figure lower by more than " + tolerance + ")"
                            : "gate: refused, worse than the baseline on " + String.join("; ", worse));
        }
        return worse.isEmpty() ? 0 : 3;
    }

    private static String baselineName(Path report) {
        String name = report.getFileName().toString();
        return name.endsWith(".html") ? name.replaceFirst("\\.html$", "-baseline.html") : name + "-baseline.html";
    }

    /** Evaluates one model (null = bundled) on --data/--trajectories, writes its report, returns its figures. */
    private Map<String, Object> evaluate(Path modelDir, Path report, Path scoresFile) throws Exception {
        Settings deployment = Settings.load();
        Scoring scoring = IndexerConfig.scoring(deployment);
        DriftRule rule = DriftMonitorConfig.ruleFrom(deployment);
        int sk = searchK != null ? searchK : k * trees;
        long began = System.nanoTime();
        try (EmbeddingModel m = load(modelDir == null ? null : modelDir.toString())) {
            scoring = scoringFor(scoring, m);
            rule = ruleFor(rule, scoring);
            Evaluation e = new Evaluation(m, input.labelled(), k, trees, sk, scoring, rule);
            if (input.trajectories != null) {
                e.trajectories(m, input.series());
            }
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("model", m.card().id() + " version " + m.card().version());
            settings.put("index", "forest, " + trees + " trees, search_k " + sk + ", angular; k " + k);
            settings.put("data", input.data.toAbsolutePath() + " (" + e.labelled.size() + " labelled scans)");
            settings.put(
                    "trajectories",
                    input.trajectories == null
                            ? "none"
                            : input.trajectories.toAbsolutePath() + " (" + e.patients.size() + " patients)");
            settings.put(
                    "score",
                    String.format(
                                    Locale.ROOT,
                                    "%.2f x distance-weighted neighbour grade + %.2f x grade axis; infected from ",
                                    1 - scoring.axisWeight(),
                                    scoring.axisWeight())
                            + scoring.infectedThreshold() + ", severe from " + scoring.severeThreshold());
            settings.put("drift rule", rule.toString());
            settings.put("seconds", String.format(Locale.ROOT, "%.1f", (System.nanoTime() - began) / 1e9));
            Files.writeString(report, EvaluationReport.html(e, settings));
            if (scoresFile != null) {
                Files.writeString(scoresFile, scoresCsv(e));
            }
            Map<String, Object> figures = figures(e);
            figures.put("model", m.card().id() + "@" + m.card().version());
            figures.put("index", "forest trees=" + trees + " search_k=" + sk + " k=" + k);
            figures.put("report", report.toAbsolutePath().toString());
            return figures;
        }
    }

    /** A model on the CPU, as the embedder loads it: a directory or TorchScript file, or the bundled one (null, 'default'). */
    static EmbeddingModel load(String model) {
        Map<String, String> env = new HashMap<>();
        env.put(EmbedderConfig.DEVICE.name(), "cpu");
        if (model != null && !"default".equals(model)) {
            env.put(EmbedderConfig.MODEL.name(), model);
        }
        EmbedderConfig config = EmbedderConfig.forModelOnly(Settings.of(env));
        return Models.load(config, Models.device(config.device()));
    }

    /** The figures of an evaluation, rounded to three decimals (null where not defined). */
    static Map<String, Object> figures(Evaluation e) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("purity_healthy", round(e.forest.mean().get(Level.HEALTHY)));
        figures.put("purity_infected", round(e.forest.mean().get(Level.INFECTED)));
        figures.put("purity_severe", round(e.forest.mean().get(Level.SEVERE)));
        figures.put("purity_exact_healthy", round(e.exact.mean().get(Level.HEALTHY)));
        figures.put("purity_exact_infected", round(e.exact.mean().get(Level.INFECTED)));
        figures.put("purity_exact_severe", round(e.exact.mean().get(Level.SEVERE)));
        figures.put("sensitivity", round(e.sensitivity()));
        figures.put("specificity", round(e.specificity()));
        double[] levels = e.sensitivitySpecificity(e.rule.withBaseline(0, 0));
        figures.put("sensitivity_levels_only", round(levels[0]));
        figures.put("specificity_levels_only", round(levels[1]));
        double[] single = e.sensitivitySpecificity(new DriftRule(
                e.rule.infectedThreshold(),
                e.rule.severeThreshold(),
                e.rule.hysteresis(),
                e.rule.window(),
                e.rule.rise(),
                1));
        figures.put("sensitivity_confirm_1", round(single[0]));
        figures.put("specificity_confirm_1", round(single[1]));
        figures.put("median_lead_scans", round(e.medianLeadScans()));
        figures.put("false_alerts_per_100_scans", round(e.falseAlertsPer100Scans()));
        figures.put("severity_spearman", round(e.severitySpearman()));
        figures.put("head_severity_spearman", round(e.headSpearman));
        figures.put("severity_pearson", round(e.severityPearson()));
        figures.put("severity_mae", round(e.severityMae()));
        figures.put("severity_rated_scans", e.ratedScans());
        figures.put("auroc_healthy", round(e.aurocHealthy()));
        double[] fitted = e.fittedThresholds();
        figures.put("fitted_infected_threshold", round(fitted[0]));
        figures.put("fitted_severe_threshold", round(fitted[1]));
        for (BaselineSignal signal : List.of(BaselineSignal.SCORE, BaselineSignal.AXIS)) {
            double augmented = e.augmentedNoise(signal);
            double step = e.stableStepRms(signal);
            figures.put(signal.setting() + "_noise_augmented_sd", round(augmented));
            figures.put(signal.setting() + "_noise_stable_step_rms", round(step));
            figures.put(RuleSearch.floorPrefix(signal) + "noise_floor_jump", round(noiseFloor(augmented, step)[0]));
        }
        return figures;
    }

    /** The deployment's scoring, with the model's own fitted level thresholds where it applies them (as the indexer). */
    static Scoring scoringFor(Scoring deployment, EmbeddingModel model) {
        ModelCard.Levels levels = model.card().levels();
        return levels == null ? deployment : deployment.forModel(levels.infected(), levels.severe());
    }

    /** The drift rule on the same level thresholds as the scoring (as the drift monitor takes the model's). */
    static DriftRule ruleFor(DriftRule deployment, Scoring scoring) {
        return deployment.withLevels(scoring.infectedThreshold(), scoring.severeThreshold());
    }

    /**
     * The smallest rise-from-baseline margins that stand above the score's noise. sigma = sqrt(2) x
     * the augmented standard deviation is the noise of a difference of two films of the same lungs;
     * a jump (one film alerts) must clear 2 sigma and the typical step of a stable patient (RMS); a
     * drift (confirmed by the next film) must clear sigma. {@code [jump, drift]}; zeros when nothing
     * was measured.
     */
    static double[] noiseFloor(double augmentedSd, double stableStepRms) {
        double sigma = Double.isNaN(augmentedSd) ? 0 : Math.sqrt(2) * augmentedSd;
        return new double[] {Math.max(2 * sigma, Double.isNaN(stableStepRms) ? 0 : stableStepRms), sigma};
    }

    /** One line per scored labelled scan. */
    static String scoresCsv(Evaluation e) {
        StringBuilder csv =
                new StringBuilder("file,patient,level,severity,score,scored_level,healthy,infected,severe\n");
        for (Evaluation.ScanScore s : e.scores) {
            csv.append(String.format(
                    Locale.ROOT,
                    "%s,%s,%s,%s,%.4f,%s,%d,%d,%d%n",
                    s.row().file(),
                    s.row().patient(),
                    s.row().level().name().toLowerCase(Locale.ROOT),
                    Double.isNaN(s.row().severity())
                            ? ""
                            : String.format(Locale.ROOT, "%.4f", s.row().severity()),
                    s.score(),
                    s.scored().name().toLowerCase(Locale.ROOT),
                    s.composition().healthy(),
                    s.composition().infected(),
                    s.composition().severe()));
        }
        return csv.toString();
    }

    static Object round(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 1000) / 1000.0;
    }
}
