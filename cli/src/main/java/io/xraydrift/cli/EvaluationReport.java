package io.xraydrift.cli;

import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.xraydrift.drift.rule.Alert;
import io.xraydrift.drift.rule.ScoredScan;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.events.AlertKind;
import io.xraydrift.events.Level;
import io.xraydrift.indexer.service.Scoring;

/**
 * The evaluation as one self-contained HTML page (inline SVG plots, images as data URIs; no
 * external assets), from the precompiled template {@code cli/evaluation.jte}. This class computes
 * the view — numbers formatted once, for the SVG — and the template escapes every value.
 */
public final class EvaluationReport {

    private static final String[] LEVELS = {"healthy", "infected", "severe"};
    private static final String[] COLOURS = {"#2e7d32", "#f9a825", "#c62828"};
    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(ContentType.Html);

    private EvaluationReport() {
    }

    /** Everything the report shows. */
    public record View(int labelled, int patients, List<PurityRow> purity, List<Bar> histogram, List<Confusion> confusions,
                       Scatter scatter, List<Grid> grids, List<Metric> drift, List<Trajectory> trajectories,
                       List<Metric> settings) {
    }

    /** One level's 36-NN purity. */
    public record PurityRow(String level, int scans, String forest, String exact) {
    }

    /** A bar of the purity histogram, or (with a label) its caption. */
    public record Bar(int x, String y, String height, String fill) {
    }

    /** A confusion matrix: true level by row, the neighbours' majority by column. */
    public record Confusion(String title, List<ConfusionRow> rows) {
    }

    /** One true level's counts. */
    public record ConfusionRow(String level, List<Integer> counts) {
    }

    /** Score against radiologist severity; {@code agreement} null when no scan is rated. */
    public record Scatter(String agreement, List<Dot> dots) {
    }

    /** A point of a plot, with a tooltip. */
    public record Dot(String cx, String cy, String fill, String title) {
    }

    /** A query scan of one level and its 36 nearest labelled neighbours; {@code query} null when there is none. */
    public record Grid(String level, String query, int healthy, int infected, int severe, List<Cell> cells) {
    }

    /** One neighbour in a grid. */
    public record Cell(String image, String colour, String caption) {
    }

    /** A named figure. */
    public record Metric(String name, String value) {
    }

    /** One patient's scores over their scans, the level bands, alerts and (where rated) the radiologist's severity. */
    public record Trajectory(String patient, String kind, List<Band> bands, List<Dot> points, List<Dot> rated,
                             List<Marker> alerts, String path, String severityPath) {
    }

    /** A level band of a trajectory plot. */
    public record Band(String y, String height, String fill) {
    }

    /** An alert marker: a triangle above the scan that raised it. */
    public record Marker(String points, String reason) {
    }

    static String html(Evaluation e, Map<String, Object> settings) {
        StringOutput out = new StringOutput(1 << 20);
        TEMPLATES.render("cli/evaluation.jte", view(e, settings), out);
        return out.toString();
    }

    static View view(Evaluation e, Map<String, Object> settings) {
        int[] counts = new int[3];
        e.labelled.forEach(r -> counts[r.level().ordinal()]++);
        List<PurityRow> purity = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            purity.add(new PurityRow(LEVELS[c], counts[c], f3(e.forest.mean()[c]), f3(e.exact.mean()[c])));
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
        List<Trajectory> trajectories = e.patients.stream().limit(60).map(p -> trajectory(p, e.scoring)).toList();
        List<Metric> settingRows = new ArrayList<>();
        settings.forEach((k, v) -> settingRows.add(new Metric(k, String.valueOf(v))));
        return new View(e.labelled.size(), e.patients.size(), purity, histogram(e.forest),
                List.of(confusion("forest", e.forest.confusion()), confusion("exact search", e.exact.confusion())),
                scatter(e), grids, drift, trajectories, settingRows);
    }

    private static List<Bar> histogram(Evaluation.Purity p) {
        List<Bar> bars = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            int max = Math.max(1, java.util.Arrays.stream(p.histogram()[c]).max().orElse(1));
            for (int d = 0; d < 10; d++) {
                double height = 130.0 * p.histogram()[c][d] / max;
                bars.add(new Bar(10 + c * 220 + d * 20, f1(165 - height), f1(height), COLOURS[c]));
            }
        }
        return bars;
    }

    private static Confusion confusion(String title, int[][] m) {
        List<ConfusionRow> rows = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            rows.add(new ConfusionRow(LEVELS[t], List.of(m[t][0], m[t][1], m[t][2])));
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
        int[] per = new int[3];
        nn.forEach(n -> per[n.label().ordinal()]++);
        List<Cell> cells = new ArrayList<>();
        for (Scoring.Labelled n : nn) {
            int ordinal = Integer.parseInt(n.scanId().substring(4));
            cells.add(new Cell(thumbnail(e.labelled.get(ordinal).png(), 72), COLOURS[n.label().ordinal()],
                    n.label().name().toLowerCase(Locale.ROOT) + String.format(Locale.ROOT, " %.3f", n.distance())));
        }
        return new Grid(name, thumbnail(q.png(), 96), per[0], per[1], per[2], cells);
    }

    private static Trajectory trajectory(Evaluation.Patient p, Scoring scoring) {
        int n = p.scored().size();
        double w = 520;
        double x0 = 40;
        double[] levels = {0, scoring.infectedThreshold(), scoring.severeThreshold(), 1};
        List<Band> bands = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            bands.add(new Band(f1(140 - 120 * levels[c + 1]), f1(120 * (levels[c + 1] - levels[c])), COLOURS[c]));
        }
        StringBuilder path = new StringBuilder();
        StringBuilder severity = new StringBuilder();
        List<Dot> points = new ArrayList<>();
        List<Dot> rated = new ArrayList<>();
        List<Marker> alerts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ScoredScan sc = p.scored().get(i);
            double x = x0 + (n == 1 ? 0 : w * i / (n - 1));
            double y = 140 - 120 * sc.score();
            path.append(i == 0 ? "M" : "L").append(f1(x)).append(' ').append(f1(y)).append(' ');
            points.add(new Dot(f1(x), f1(y), "#1565c0", null));
            double truth = p.rows().get(i).severity();
            if (!Double.isNaN(truth)) {
                rated.add(new Dot(f1(x), f1(140 - 120 * truth), "#777", null));
                severity.append(severity.isEmpty() ? "M" : "L").append(f1(x)).append(' ').append(f1(140 - 120 * truth))
                        .append(' ');
            }
            for (Alert a : p.alerts()) {
                if (a.scan().scanId().equals(sc.scanId()) && a.kind() != AlertKind.RECOVERY) {
                    alerts.add(new Marker(String.format(Locale.ROOT, "%.1f,%.1f %.1f,%.1f %.1f,%.1f", x, y - 14, x - 6,
                            y - 24, x + 6, y - 24), a.reason()));
                }
            }
        }
        return new Trajectory(p.id(), p.trajectory(), bands, points, rated, alerts, path.toString(),
                severity.isEmpty() ? null : severity.toString());
    }

    /** Score (y) against radiologist severity (x) for every rated scan, with the agreement figures. */
    private static Scatter scatter(Evaluation e) {
        List<Evaluation.ScanScore> rated = e.scores.stream().filter(x -> !Double.isNaN(x.row().severity())).toList();
        if (rated.isEmpty()) {
            return new Scatter(null, List.of());
        }
        String agreement = String.format(Locale.ROOT, "%d rated scans: Spearman %.3f, Pearson %.3f, "
                + "mean absolute difference %.3f; AUROC healthy vs the rest %.3f.", rated.size(), e.severitySpearman(),
                e.severityPearson(), e.severityMae(), e.aurocHealthy());
        List<Dot> dots = rated.stream().map(x -> new Dot(f1(40 + 300 * Math.max(0, Math.min(1, x.row().severity()))),
                f1(310 - 300 * Math.max(0, Math.min(1, x.score()))), COLOURS[x.row().level().ordinal()], x.row().file()))
                .toList();
        return new Scatter(agreement, dots);
    }

    private static String thumbnail(byte[] png, int side) {
        BufferedImage src = Preprocessing.decode(png);
        BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        out.getGraphics().drawImage(src.getScaledInstance(side, side, Image.SCALE_AREA_AVERAGING), 0, 0, null);
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream()) {
            ImageIO.write(out, "png", bytes);
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
