package io.xraydrift.drift.api;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.xraydrift.drift.rule.BaselineSignal;
import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.drift.topology.Trajectories;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.Neighbour;
import io.xraydrift.events.PatientState;
import io.xraydrift.events.TrackedScan;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The web view of one patient, rendered on the server (no script) from the precompiled template
 * {@code drift/patient.jte}: the trajectory as an SVG plot — score over acquisition time, the three
 * level bands, alert markers — and, for the selected scan (by default the latest), its nearest
 * labelled neighbours as a 6×6 grid of thumbnails with their labels and distances: the study's
 * figure, live. This class computes the view ({@link View}); the template escapes every value in
 * its context.
 */
public final class PatientPage {

    private static final int W = 760;
    private static final int H = 300;
    private static final int PAD = 40;
    private static final int GRID = 36;
    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(ContentType.Html);

    private PatientPage() {}

    /** What the patient template shows. */
    public record View(
            String patient,
            String level,
            boolean episodeOpen,
            int scans,
            List<AlertLine> alerts,
            Plot plot,
            boolean riseOnAxis,
            Focus focus) {}

    /** One alert under the plot. */
    public record AlertLine(String kind, String acquiredAt, String reason) {}

    /**
     * The plot: its size, the level bands, the score path, the grade-axis path (empty unless every
     * scan carries its axis position) and one point per scan.
     */
    public record Plot(
            int width,
            int height,
            int left,
            int right,
            double axisY,
            List<Band> bands,
            String path,
            String gradeAxisPath,
            List<Point> points) {}

    /** A level's band: from y to y + height, its label at labelY. */
    public record Band(double y, double height, double labelY, String fill, String label) {}

    /** A scan on the plot; {@code alerted} puts a marker above it. */
    public record Point(String scanId, String link, double x, double y, String title, boolean alerted) {
        /** The alert marker: a triangle pointing at the point from above. */
        public String marker() {
            double py = y - 12;
            return String.format(Locale.ROOT, "%.1f,%.1f %.1f,%.1f %.1f,%.1f", x - 6, py - 8, x + 6, py - 8, x, py);
        }
    }

    /** The selected scan and its nearest labelled neighbours. */
    public record Focus(
            String shortId,
            String acquiredAt,
            String score,
            String link,
            boolean neighboursKept,
            int shown,
            List<Cell> cells) {}

    /** One neighbour in the grid. */
    public record Cell(String label, String link, String caption) {}

    /** One alert in the list of recent alerts: its patient (shortened, and as a link), kind and reason. */
    public record AlertItem(String patient, String link, String kind, String reason) {}

    /** The list of recent alerts, newest first (at most 200), from the template {@code drift/alerts.jte}. */
    static String renderAlerts(List<Json.Alert> oldestFirst) {
        List<AlertItem> items = new ArrayList<>();
        for (int i = oldestFirst.size() - 1; i >= Math.max(0, oldestFirst.size() - 200); i--) {
            Json.Alert a = oldestFirst.get(i);
            items.add(new AlertItem(shortId(a.patient()), url(a.patient()), a.kind(), a.reason()));
        }
        StringOutput out = new StringOutput(8_192);
        TEMPLATES.render("drift/alerts.jte", Map.of("alerts", items), out);
        return out.toString();
    }

    static String render(PatientState state, DriftRule rule, String selected) {
        StringOutput out = new StringOutput(16_384);
        TEMPLATES.render("drift/patient.jte", view(state, rule, selected), out);
        return out.toString();
    }

    static View view(PatientState state, DriftRule rule, String selected) {
        List<TrackedScan> scans = state.getScans();
        TrackedScan focus = scans.stream()
                .filter(s -> s.getScanId().equals(selected))
                .findFirst()
                .orElse(scans.isEmpty() ? null : scans.get(scans.size() - 1));
        DriftRule.Assessment a = rule.assess(state.getPatient(), Trajectories.scored(scans));
        List<AlertLine> alerts = state.getAlerts().stream()
                .map(x -> new AlertLine(x.getKind().name(), x.getAcquiredAt().toString(), x.getReason()))
                .toList();
        return new View(
                shortId(state.getPatient()),
                a.level().name().toLowerCase(Locale.ROOT),
                a.episodeOpen(),
                scans.size(),
                alerts,
                plot(scans, state.getAlerts(), rule),
                rule.baselineOn() == BaselineSignal.AXIS,
                focus == null ? null : focus(focus));
    }

    private static Focus focus(TrackedScan focus) {
        List<Neighbour> ns = focus.getNeighbours();
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i < Math.min(GRID, ns.size()); i++) {
            Neighbour n = ns.get(i);
            cells.add(new Cell(
                    n.getLabel().name(),
                    url(n.getScanId()),
                    n.getLabel().name().toLowerCase(Locale.ROOT)
                            + (n.getSeverity() == null
                                    ? ""
                                    : String.format(Locale.ROOT, " (severity %.2f)", n.getSeverity()))
                            + String.format(Locale.ROOT, " %.3f", n.getDistance())));
        }
        return new Focus(
                shortId(focus.getScanId()),
                focus.getAcquiredAt().toString(),
                String.format(Locale.ROOT, "%.2f", focus.getScore()),
                url(focus.getScanId()),
                !ns.isEmpty(),
                Math.min(GRID, ns.size()),
                cells);
    }

    private static Plot plot(List<TrackedScan> scans, List<DriftAlert> alerts, DriftRule rule) {
        long t0 = scans.isEmpty() ? 0 : scans.get(0).getAcquiredAt().toEpochMilli();
        long t1 = scans.isEmpty()
                ? 1
                : Math.max(t0 + 1, scans.get(scans.size() - 1).getAcquiredAt().toEpochMilli());
        double sev = rule.severeThreshold();
        double inf = rule.infectedThreshold();
        List<Band> bands = List.of(
                band(1.0, sev, "#fde0dc", "severe"),
                band(sev, inf, "#fff3c4", "infected"),
                band(inf, 0.0, "#e3f2e1", "healthy"));
        Set<String> alerted = alerts.stream().map(DriftAlert::getScanId).collect(Collectors.toSet());
        StringBuilder path = new StringBuilder();
        StringBuilder gradeAxis = new StringBuilder();
        boolean everyAxis = !scans.isEmpty() && scans.stream().allMatch(s -> s.getAxisPosition() != null);
        List<Point> points = new ArrayList<>();
        for (TrackedScan s : scans) {
            double x = x(s.getAcquiredAt(), t0, t1);
            double y = y(s.getScore());
            lineTo(path, x, y);
            if (everyAxis) {
                lineTo(gradeAxis, x, y(s.getAxisPosition()));
            }
            points.add(new Point(
                    s.getScanId(),
                    url(s.getScanId()),
                    x,
                    y,
                    s.getAcquiredAt()
                            + String.format(Locale.ROOT, " score %.2f", s.getScore())
                            + (s.getAxisPosition() == null
                                    ? ""
                                    : String.format(Locale.ROOT, ", axis %.2f", s.getAxisPosition())),
                    alerted.contains(s.getScanId())));
        }
        return new Plot(W, H, PAD, W - PAD, y(0), bands, path.toString(), gradeAxis.toString(), points);
    }

    private static void lineTo(StringBuilder path, double x, double y) {
        path.append(path.length() == 0 ? "M" : " L").append(f1(x)).append(',').append(f1(y));
    }

    private static Band band(double top, double bottom, String fill, String label) {
        return new Band(y(top), y(bottom) - y(top), (y(top) + y(bottom)) / 2, fill, label);
    }

    private static double x(Instant t, long t0, long t1) {
        return PAD + (W - 2.0 * PAD) * (t.toEpochMilli() - t0) / (double) (t1 - t0);
    }

    private static double y(double score) {
        return H - PAD - (H - 2.0 * PAD) * score;
    }

    /** A coordinate as the SVG carries it: one decimal. */
    public static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String shortId(String id) {
        return id.length() > 16 ? id.substring(0, 16) + "…" : id;
    }

    static String url(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
