package io.xraydrift.cli;

import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import io.xraydrift.drift.rule.Alert;
import io.xraydrift.drift.rule.ScoredScan;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.events.AlertKind;
import io.xraydrift.events.Level;
import io.xraydrift.indexer.service.Scoring;

/** The evaluation as one self-contained HTML page (inline SVG plots, images as data URIs; no external assets). */
final class EvaluationReport {

    private static final String[] LEVELS = {"healthy", "infected", "severe"};
    private static final String[] COLOURS = {"#2e7d32", "#f9a825", "#c62828"};

    private EvaluationReport() {
    }

    static String html(Evaluation e, Map<String, Object> settings) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html><head><meta charset='utf-8'><title>xray-drift evaluation</title><style>")
                .append("body{font-family:sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse;margin:8px 0}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}")
                .append(".grid{display:grid;grid-template-columns:repeat(6,72px);gap:4px;margin:8px 0 16px}")
                .append(".grid-cell{width:72px;height:72px}.cap{font-size:10px;text-align:center}")
                .append(".query{border:3px solid #1565c0}</style></head><body>")
                .append("<h1>xray-drift evaluation</h1><p>Decision support, not a diagnosis. Figures from ")
                .append(e.labelled.size()).append(" labelled scans and ").append(e.patients.size())
                .append(" patient trajectories.</p>");
        h.append("<h2>36-NN class purity</h2><table><tr><th>level</th><th>scans</th><th>forest</th><th>exact search</th></tr>");
        int[] counts = new int[3];
        e.labelled.forEach(r -> counts[r.level().ordinal()]++);
        for (int c = 0; c < 3; c++) {
            h.append(String.format(Locale.ROOT, "<tr><th>%s</th><td>%d</td><td id='purity-%s'>%.3f</td><td>%.3f</td></tr>",
                    LEVELS[c], counts[c], LEVELS[c], e.forest.mean()[c], e.exact.mean()[c]));
        }
        h.append("</table>").append(histogram(e.forest)).append(confusion("forest", e.forest.confusion()))
                .append(confusion("exact search", e.exact.confusion()));
        h.append(severityScatter(e));
        h.append("<h2>Nearest labelled neighbours, as in the published study</h2>");
        for (Level level : Level.values()) {
            h.append(grid(e, level));
        }
        h.append("<h2>Drift alerts on trajectories</h2><table>")
                .append(row("sensitivity (worsening patients alerted)", e.sensitivity()))
                .append(row("specificity (stable and improving patients not alerted)", e.specificity()))
                .append(row("median lead time (scans before the true level became severe)", e.medianLeadScans()))
                .append(row("false alerts per 100 patient-scans (stable, improving)", e.falseAlertsPer100Scans()))
                .append("</table>");
        int shown = 0;
        for (Evaluation.Patient p : e.patients) {
            if (shown++ < 60) {
                h.append(trajectoryPlot(p, e.scoring));
            }
        }
        h.append("<h2>Settings and versions</h2><table>");
        settings.forEach((k, v) -> h.append("<tr><th>").append(escape(k)).append("</th><td style='text-align:left'>")
                .append(escape(String.valueOf(v))).append("</td></tr>"));
        h.append("</table></body></html>");
        return h.toString();
    }

    private static String row(String name, double value) {
        return String.format(Locale.ROOT, "<tr><th style='text-align:left'>%s</th><td>%.3f</td></tr>", name, value);
    }

    private static String histogram(Evaluation.Purity p) {
        StringBuilder s = new StringBuilder("<svg class='plot' width='660' height='180' viewBox='0 0 660 180'>"
                + "<text x='4' y='14' font-size='12'>purity distribution per level (deciles, forest)</text>");
        for (int c = 0; c < 3; c++) {
            int max = Math.max(1, java.util.Arrays.stream(p.histogram()[c]).max().orElse(1));
            for (int d = 0; d < 10; d++) {
                double height = 130.0 * p.histogram()[c][d] / max;
                s.append(String.format(Locale.ROOT, "<rect x='%d' y='%.1f' width='18' height='%.1f' fill='%s'/>",
                        10 + c * 220 + d * 20, 165 - height, height, COLOURS[c]));
            }
            s.append(String.format(Locale.ROOT, "<text x='%d' y='178' font-size='11'>%s 0 → 1</text>", 10 + c * 220, LEVELS[c]));
        }
        return s.append("</svg>").toString();
    }

    private static String confusion(String title, int[][] m) {
        StringBuilder s = new StringBuilder("<table><tr><th>" + title + ": true \\ majority of neighbours</th>");
        for (String l : LEVELS) {
            s.append("<th>").append(l).append("</th>");
        }
        s.append("</tr>");
        for (int t = 0; t < 3; t++) {
            s.append("<tr><th>").append(LEVELS[t]).append("</th>");
            for (int c = 0; c < 3; c++) {
                s.append("<td>").append(m[t][c]).append("</td>");
            }
            s.append("</tr>");
        }
        return s.append("</table>").toString();
    }

    private static String grid(Evaluation e, Level level) {
        int query = -1;
        for (int i = 0; i < e.labelled.size() && query < 0; i++) {
            if (e.labelled.get(i).level() == level) {
                query = i;
            }
        }
        if (query < 0) {
            return "<p>No " + level.name().toLowerCase(Locale.ROOT) + " scan to show.</p>";
        }
        Evaluation.Row q = e.labelled.get(query);
        List<Scoring.Labelled> nn = e.index.nearest(e.vectors.get(query), q.patient(), 36, Math.max(e.searchK, 36));
        int[] per = new int[3];
        nn.forEach(n -> per[n.label().ordinal()]++);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "<h3>%s query</h3><p><img class='query' width='96' height='96' src='%s'> neighbours: %d healthy, "
                        + "%d infected, %d severe</p><div class='grid' id='grid-%s'>",
                level.name().toLowerCase(Locale.ROOT), thumbnail(q.png(), 96), per[0], per[1], per[2],
                level.name().toLowerCase(Locale.ROOT)));
        for (Scoring.Labelled n : nn) {
            int ordinal = Integer.parseInt(n.scanId().substring(4));
            s.append("<figure style='margin:0'><img class='grid-cell' src='").append(thumbnail(e.labelled.get(ordinal).png(), 72))
                    .append("'><figcaption class='cap' style='color:").append(COLOURS[n.label().ordinal()]).append("'>")
                    .append(n.label().name().toLowerCase(Locale.ROOT)).append(String.format(Locale.ROOT, " %.3f", n.distance()))
                    .append("</figcaption></figure>");
        }
        return s.append("</div>").toString();
    }

    private static String trajectoryPlot(Evaluation.Patient p, Scoring scoring) {
        int n = p.scored().size();
        double w = 520;
        double x0 = 40;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "<svg class='plot trajectory' width='580' height='150' viewBox='0 0 580 150'>"
                        + "<text x='4' y='12' font-size='11'>%s (%s)</text>", escape(p.id()), escape(p.trajectory())));
        double[] bands = {0, scoring.infectedThreshold(), scoring.severeThreshold(), 1};
        for (int c = 0; c < 3; c++) {
            double top = 140 - 120 * bands[c + 1];
            double height = 120 * (bands[c + 1] - bands[c]);
            s.append(String.format(Locale.ROOT, "<rect x='%.0f' y='%.1f' width='%.0f' height='%.1f' fill='%s' opacity='0.12'/>",
                    x0, top, w, height, COLOURS[c]));
        }
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ScoredScan sc = p.scored().get(i);
            double x = x0 + (n == 1 ? 0 : w * i / (n - 1));
            double y = 140 - 120 * sc.score();
            path.append(i == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", x, y));
            s.append(String.format(Locale.ROOT, "<circle class='point' cx='%.1f' cy='%.1f' r='3' fill='#1565c0'/>", x, y));
            double truth = p.rows().get(i).severity();
            if (!Double.isNaN(truth)) {
                s.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='2' fill='#777'/>", x, 140 - 120 * truth));
            }
            for (Alert a : p.alerts()) {
                if (a.scan().scanId().equals(sc.scanId()) && a.kind() != AlertKind.RECOVERY) {
                    s.append(String.format(Locale.ROOT, "<polygon class='alert' points='%.1f,%.1f %.1f,%.1f %.1f,%.1f' "
                            + "fill='#c62828'><title>%s</title></polygon>", x, y - 14, x - 6, y - 24, x + 6, y - 24,
                            escape(a.reason())));
                }
            }
        }
        s.append("<path d='").append(path).append("' stroke='#1565c0' fill='none'/>");
        StringBuilder rated = new StringBuilder();
        for (int i = 0; i < n; i++) {
            double truth = p.rows().get(i).severity();
            if (!Double.isNaN(truth)) {
                rated.append(rated.isEmpty() ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ",
                        x0 + (n == 1 ? 0 : w * i / (n - 1)), 140 - 120 * truth));
            }
        }
        if (!rated.isEmpty()) {
            s.append("<path class='severity' d='").append(rated).append("' stroke='#777' stroke-dasharray='4 3' fill='none'/>")
                    .append("<text x='440' y='12' font-size='10' fill='#777'>- - radiologist severity</text>")
                    .append("<text x='360' y='12' font-size='10' fill='#1565c0'>— score</text>");
        }
        return s.append("</svg>").toString();
    }

    /** Score (y) against radiologist severity (x) for every rated scan, with the agreement figures. */
    private static String severityScatter(Evaluation e) {
        List<Evaluation.ScanScore> rated = e.scores.stream().filter(x -> !Double.isNaN(x.row().severity())).toList();
        StringBuilder s = new StringBuilder("<h2>Score against radiologist severity</h2>");
        if (rated.isEmpty()) {
            return s.append("<p id='severity-none'>No scan in the data carries a radiologist severity.</p>").toString();
        }
        s.append(String.format(Locale.ROOT, "<p id='severity-agreement'>%d rated scans: Spearman %.3f, Pearson %.3f, "
                + "mean absolute difference %.3f; AUROC healthy vs the rest %.3f.</p>", rated.size(), e.severitySpearman(),
                e.severityPearson(), e.severityMae(), e.aurocHealthy()));
        s.append("<svg class='plot scatter' width='360' height='340' viewBox='0 0 360 340'>")
                .append("<rect x='40' y='10' width='300' height='300' fill='none' stroke='#999'/>")
                .append("<line x1='40' y1='310' x2='340' y2='10' stroke='#ccc' stroke-dasharray='4 3'/>")
                .append("<text x='120' y='334' font-size='11'>radiologist severity 0 → 1</text>")
                .append("<text x='12' y='220' font-size='11' transform='rotate(-90 12 220)'>score 0 → 1</text>");
        for (Evaluation.ScanScore x : rated) {
            s.append(String.format(Locale.ROOT, "<circle class='rated' cx='%.1f' cy='%.1f' r='3' fill='%s' "
                    + "opacity='0.7'><title>%s</title></circle>", 40 + 300 * Math.max(0, Math.min(1, x.row().severity())),
                    310 - 300 * Math.max(0, Math.min(1, x.score())), COLOURS[x.row().level().ordinal()],
                    escape(x.row().file())));
        }
        return s.append("</svg>").toString();
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

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }
}
