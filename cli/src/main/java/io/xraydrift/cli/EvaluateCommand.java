package io.xraydrift.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.xraydrift.drift.DriftMonitorConfig;
import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.service.Models;
import io.xraydrift.indexer.service.Scoring;
import io.xraydrift.platform.config.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Measures the clinical signal: neighbour purity, drift alert accuracy and lead time, as a report. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Measures neighbour purity, drift alert accuracy and lead time; writes an HTML report.",
            "DATA is a labelled image folder with manifest.csv (the layout 'xray-drift phantoms' writes; real data can "
                + "be arranged the same way). --trajectories adds patient series (the layout of 'phantoms "
                + "--trajectories'): each scan is scored against DATA as the indexer scores and judged by the drift "
                + "rule. The report (self-contained HTML: tables, SVG plots, the three 6x6 neighbour grids of the "
                + "published study) goes to --out; --json prints the figures as one JSON object."})
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, description = "Labelled image folder with manifest.csv.")
    Path data;

    @Option(names = "--trajectories", description = "Patient series folder with manifest.csv (trajectory column).")
    Path trajectories;

    @Option(names = "--model", description = "Model directory or TorchScript file (default: the bundled model).")
    Path model;

    @Option(names = "--k", defaultValue = "36", description = "Neighbours (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--trees", defaultValue = "20", description = "Trees, as the indexer (default: ${DEFAULT-VALUE}).")
    int trees;

    @Option(names = "--search-k", description = "Candidates per query (default: k * trees, as the indexer).")
    Integer searchK;

    @Option(names = "--out", defaultValue = "evaluation-report.html", description = "HTML report (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Models.configureThreads(Runtime.getRuntime().availableProcessors());
        Map<String, String> env = new HashMap<>();
        env.put(EmbedderConfig.DEVICE, "cpu");
        if (model != null) {
            env.put(EmbedderConfig.MODEL, model.toString());
        }
        EmbedderConfig config = EmbedderConfig.from(Settings.of(env));
        Scoring scoring = new Scoring(0.15, 0.55, 0.3);
        DriftRule rule = DriftMonitorConfig.ruleFrom(Settings.load());
        int sk = searchK != null ? searchK : k * trees;
        long began = System.nanoTime();
        try (EmbeddingModel m = Models.load(config, Models.device(config.device()))) {
            Evaluation e = new Evaluation(m, Evaluation.read(data), k, trees, sk, scoring, rule);
            if (trajectories != null) {
                e.trajectories(m, Evaluation.read(trajectories));
            }
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("model", m.card().id() + " version " + m.card().version());
            settings.put("index", "forest, " + trees + " trees, search_k " + sk + ", angular; k " + k);
            settings.put("data", data.toAbsolutePath() + " (" + e.labelled.size() + " labelled scans)");
            settings.put("trajectories", trajectories == null ? "none" : trajectories.toAbsolutePath() + " ("
                    + e.patients.size() + " patients)");
            settings.put("score", "0.7 x distance-weighted neighbour grade + 0.3 x healthy-to-severe axis; infected from "
                    + scoring.infectedThreshold() + ", severe from " + scoring.severeThreshold());
            settings.put("drift rule", rule.toString());
            settings.put("seconds", String.format(Locale.ROOT, "%.1f", (System.nanoTime() - began) / 1e9));
            Files.writeString(out, EvaluationReport.html(e, settings));
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("purity_healthy", round(e.forest.mean()[0]));
            figures.put("purity_infected", round(e.forest.mean()[1]));
            figures.put("purity_severe", round(e.forest.mean()[2]));
            figures.put("purity_exact_healthy", round(e.exact.mean()[0]));
            figures.put("purity_exact_infected", round(e.exact.mean()[1]));
            figures.put("purity_exact_severe", round(e.exact.mean()[2]));
            figures.put("sensitivity", round(e.sensitivity()));
            figures.put("specificity", round(e.specificity()));
            figures.put("median_lead_scans", round(e.medianLeadScans()));
            figures.put("false_alerts_per_100_scans", round(e.falseAlertsPer100Scans()));
            figures.put("model", m.card().id() + "@" + m.card().version());
            figures.put("index", "forest trees=" + trees + " search_k=" + sk + " k=" + k);
            figures.put("report", out.toAbsolutePath().toString());
            if (json) {
                System.out.println(new ObjectMapper().writeValueAsString(figures));
            } else {
                figures.forEach((key, v) -> System.out.println(key + " = " + v));
            }
        }
        return 0;
    }

    private static Object round(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 1000) / 1000.0;
    }

}
