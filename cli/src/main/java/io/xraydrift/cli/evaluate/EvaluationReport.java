package io.xraydrift.cli.evaluate;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.xraydrift.drift.rule.Alert;
import io.xraydrift.drift.rule.ScoredScan;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.events.Level;
import io.xraydrift.events.LevelCounts;
import io.xraydrift.indexer.reference.Scoring;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The evaluation as one self-contained HTML page (inline SVG plots, images as data URIs; no
 * external assets), from the precompiled template {@code cli/evaluation.jte}. This class computes
 * the view — numbers formatted once, for the SVG — and the template escapes every value.
 */
public final class EvaluationReport {

    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(ContentType.Html);

    private EvaluationReport() {}

    /** Everything the report shows. */
    public record View(
            int labelled,
            int patients,
            List<PurityRow> purity,
            List<Bar> histogram,
            List<Confusion> confusions,
            Scatter scatter,
            List<Grid> grids,
            List<Metric> drift,
            List<Trajectory> trajectories,
            List<Metric> settings) {}

    /** One level's 36-NN purity. */
    public record PurityRow(String level, int scans, String forest, String exact) {}

    /** A bar of the purity histogram, or (with a label) its caption. */
    public record Bar(int x, String y, String height, String fill) {}

    /** A confusion matrix: true level by row, the neighbours' majority by column. */
    public record Confusion(String title, List<ConfusionRow> rows) {}

    /** One true level's counts. */
    public record ConfusionRow(String level, List<Integer> counts) {}

    /** Score against radiologist severity; {@code agreement} null when no scan is rated. */
    public record Scatter(String agreement, List<Dot> dots) {}

    /** A point of a plot, with a tooltip. */
    public record Dot(String cx, String cy, String fill, String title) {}

    /** A query scan of one level and its 36 nearest labelled neighbours; {@code query} null when there is none. */
    public record Grid(String level, String query, int healthy, int infected, int severe, List<Cell> cells) {}

    /** One neighbour in a grid. */
    public record Cell(String image, String colour, String caption) {}

    /** A named figure. */
    public record Metric(String name, String value) {}

    /** One patient's scores over their scans, the level bands, alerts and (where rated) the radiologist's severity. */
    public record Trajectory(
            String patient,
            String kind,
            List<Band> bands,
            List<Dot> points,
            List<Dot> rated,
            List<Marker> alerts,
            String path,
            String severityPath) {}

    /** A level band of a trajectory plot. */
    public record Band(String y, String height, String fill) {}

    /** An alert marker: a triangle above the scan that raised it. */
    public record Marker(String points, String reason) {}

    static String html(Evaluation e, Map<String, Object> settings) {
        StringOutput out = new StringOutput(1 << 20);
        TEMPLATES.render("cli/evaluation.jte", view(e, settings), out);
        return out.toString();
    }

    static View view(Evaluation e, Map<String, Object> settings) {
        LevelCounts counts = LevelCounts.of(e.labelled, Evaluation.Row::level);
        List<PurityRow> purity = new ArrayList<>();
        for (Level level : Level.values()) {
            purity.add(new PurityRow(
                    name(level),
                    counts.get(level),
                    f3(e.forest.mean().get(level)),
                    f3(e.exact.mean().get(level))));
        }
        List<Grid> grids = new ArrayList<>();
        for (Level level : Level.values()) {
            grids.add(grid(e, level));
        }
        List<Metric> drift = List.of(
                new Metric("sensitivity (worsening patients alerted)", f3(e.sensitivity())),
                new Metric("specificity (stable and improving patients not alerted)", f3(e.specificity())),
                new Metric("median lead time (scans before the true level became severe)", f3(e.medianLeadScans())),
                new Metric("false alerts per 100 patient-scans (stable, improving)", f3(e.falseAlertsPer100Scans())));
        List<Trajectory> trajectories =
                e.patients.stream().limit(60).map(p -> trajectory(p, e.scoring)).toList();
        List<Metric> settingRows = new ArrayList<>();
        settings.forEach((k, v) -> settingRows.add(new Metric(k, String.valueOf(v))));
        return new View(
                e.labelled.size(),
                e.patients.size(),
                purity,
                histogram(e.forest),
                List.of(confusion("forest", e.forest.confusion()), confusion("exact search", e.exact.confusion())),
                scatter(e),
                grids,
                drift,
                trajectories,
                settingRows);
    }

    private static List<Bar> histogram(Evaluation.Purity p) {
        List<Bar> bars = new ArrayList<>();
        int left = 10;
        for (Level level : Level.values()) {
            int[] tenths = p.histogram().get(level);
            int max = Math.max(1, Arrays.stream(tenths).max().orElse(1));
            for (int d = 0; d < 10; d++) {
                double height = 130.0 * tenths[d] / max;
                bars.add(new Bar(left + d * 20, f1(165 - height), f1(height), colour(level)));
            }
            left += 220;
        }
        return bars;
    }

    private static Confusion confusion(String title, Map<Level, LevelCounts> m) {
        List<ConfusionRow> rows = new ArrayList<>();
        for (Level truth : Level.values()) {
            LevelCounts row = m.get(truth);
            rows.add(new ConfusionRow(name(truth), List.of(row.healthy(), row.infected(), row.severe())));
        }
        return new Confusion(title, rows);
    }

    private static Grid grid(Evaluation e, Level level) {
        String name = level.name().toLowerCase(Locale.ROOT);
        int query = -1;
        for (int i = 0; i < e.labelled.size() && query < 0; i++) {
            if (e.labelled.get(i).level() == level) {
                query = i;
            }
        }
        if (query < 0) {
            return new Grid(name, null, 0, 0, 0, List.of());
        }
        Evaluation.Row q = e.labelled.get(query);
        List<Scoring.Labelled> nn = e.index.nearest(e.vectors.get(query), q.patient(), 36, Math.max(e.searchK, 36));
        LevelCounts per = LevelCounts.of(nn, Scoring.Labelled::label);
        List<Cell> cells = new ArrayList<>();
        for (Scoring.Labelled n : nn) {
            int ordinal = Integer.parseInt(n.scanId().substring(4));
            cells.add(new Cell(
                    thumbnail(e.labelled.get(ordinal).png(), 72),
                    colour(n.label()),
                    name(n.label()) + String.format(Locale.ROOT, " %.3f", n.distance())));
        }
        return new Grid(name, thumbnail(q.png(), 96), per.healthy(), per.infected(), per.severe(), cells);
    }

    private static Trajectory trajectory(Evaluation.Patient p, Scoring scoring) {
        int n = p.scored().size();
        double w = 520;
        double x0 = 40;
        List<Band> bands = List.of(
                band(0, scoring.infectedThreshold(), Level.HEALTHY),
                band(scoring.infectedThreshold(), scoring.severeThreshold(), Level.INFECTED),
                band(scoring.severeThreshold(), 1, Level.SEVERE));
        StringBuilder path = new StringBuilder();
        StringBuilder severity = new StringBuilder();
        List<Dot> points = new ArrayList<>();
        List<Dot> rated = new ArrayList<>();
        List<Marker> alerts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ScoredScan sc = p.scored().get(i);
            double x = x0 + (n == 1 ? 0 : w * i / (n - 1));
            double y = 140 - 120 * sc.score();
            path.append(i == 0 ? "M" : "L")
                    .append(f1(x))
                    .append(' ')
                    .append(f1(y))
                    .append(' ');
            points.add(new Dot(f1(x), f1(y), "#1565c0", null));
            double truth = p.rows().get(i).severity();
            if (!Double.isNaN(truth)) {
                rated.add(new Dot(f1(x), f1(140 - 120 * truth), "#777", null));
                severity.append(severity.isEmpty() ? "M" : "L")
                        .append(f1(x))
                        .append(' ')
                        .append(f1(140 - 120 * truth))
                        .append(' ');
            }
            for (Alert a : p.alerts()) {
                if (a.scan().scanId().equals(sc.scanId()) && a.worsens()) {
                    alerts.add(new Marker(
                            String.format(
                                    Locale.ROOT,
                                    "%.1f,%.1f %.1f,%.1f %.1f,%.1f",
                                    x,
                                    y - 14,
                                    x - 6,
                                    y - 24,
                                    x + 6,
                                    y - 24),
                            a.reason()));
                }
            }
        }
        return new Trajectory(
                p.id(),
                p.trajectory(),
                bands,
                points,
                rated,
                alerts,
                path.toString(),
                severity.isEmpty() ? null : severity.toString());
    }

    /** Score (y) against radiologist severity (x) for every rated scan, with the agreement figures. */
    private static Scatter scatter(Evaluation e) {
        List<Evaluation.ScanScore> rated =
                e.scores.stream().filter(x -> !Double.isNaN(x.row().severity())).toList();
        if (rated.isEmpty()) {
            return new Scatter(null, List.of());
        }
        String agreement = String.format(
                Locale.ROOT,
                "%d rated scans: Spearman %.3f, Pearson %.3f, "
                        + "mean absolute difference %.3f; AUROC healthy vs the rest %.3f.",
                rated.size(),
                e.severitySpearman(),
                e.severityPearson(),
                e.severityMae(),
                e.aurocHealthy());
        List<Dot> dots = rated.stream()
                .map(x -> new Dot(
                        f1(40 + 300 * Math.max(0, Math.min(1, x.row().severity()))),
                        f1(310 - 300 * Math.max(0, Math.min(1, x.score()))),
                        colour(x.row().level()),
                        x.row().file()))
                .toList();
        return new Scatter(agreement, dots);
    }

    /** The score band [from, to) of one level, as the trajectory plot draws it. */
    private static Band band(double from, double to, Level level) {
        return new Band(f1(140 - 120 * to), f1(120 * (to - from)), colour(level));
    }

    private static String colour(Level level) {
        return switch (level) {
            case HEALTHY -> "#2e7d32";
            case INFECTED -> "#f9a825";
            case SEVERE -> "#c62828";
        };
    }

    private static String name(Level level) {
        return level.name().toLowerCase(Locale.ROOT);
    }

    private static String thumbnail(byte[] png, int side) {
        BufferedImage src = Preprocessing.decode(png);
        BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        out.getGraphics().drawImage(src.getScaledInstance(side, side, Image.SCALE_AREA_AVERAGING), 0, 0, null);
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream()) {
            ImageIO.write(out, "png", bytes);
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
