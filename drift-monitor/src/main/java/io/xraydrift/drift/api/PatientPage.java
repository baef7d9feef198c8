package io.xraydrift.drift.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.Neighbour;
import io.xraydrift.events.PatientState;
import io.xraydrift.events.TrackedScan;

/**
 * The web view of one patient, rendered on the server (no script): the trajectory as an SVG plot —
 * score over acquisition time, the three level bands, alert markers — and, for the selected scan
 * (by default the latest), its nearest labelled neighbours as a 6×6 grid of thumbnails with their
 * labels and distances: the study's figure, live.
 */
final class PatientPage {

    private static final int W = 760;
    private static final int H = 300;
    private static final int PAD = 40;
    private static final int GRID = 36;

    private PatientPage() {
    }

    static String render(PatientState state, DriftRule rule, String selected) {
        List<TrackedScan> scans = state.getScans();
        TrackedScan focus = scans.stream().filter(s -> s.getScanId().equals(selected)).findFirst()
                .orElse(scans.isEmpty() ? null : scans.get(scans.size() - 1));
        DriftRule.Assessment a = rule.assess(state.getPatient(),
                io.xraydrift.drift.topology.Trajectories.scored(scans));
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Patient ")
                .append(esc(shortId(state.getPatient()))).append(" — xray-drift</title><style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222}h1{font-size:20px}")
                .append(".grid{display:grid;grid-template-columns:repeat(6,112px);gap:6px}")
                .append(".cell{margin:0;padding:4px;border:3px solid #ccc;font-size:11px;text-align:center}")
                .append(".cell img{width:96px;height:96px;object-fit:contain;background:#000;display:block;margin:auto}")
                .append(".HEALTHY{border-color:#2e7d32}.INFECTED{border-color:#f9a825}.SEVERE{border-color:#c62828}")
                .append(".alert{margin:4px 0}.focus img{width:160px;background:#000}")
                .append("</style></head><body>");
        h.append("<h1>Patient <code>").append(esc(shortId(state.getPatient()))).append("</code>: ")
                .append(a.level().name().toLowerCase(Locale.ROOT)).append(a.episodeOpen() ? ", episode open" : "")
                .append("</h1><p>").append(scans.size()).append(" scans, ").append(state.getAlerts().size())
                .append(" alerts. Decision support, not a diagnosis.</p>");
        plot(h, scans, state.getAlerts(), rule);
        h.append("<h2>Alerts</h2>");
        for (DriftAlert alert : state.getAlerts()) {
            h.append("<p class=\"alert\"><b>").append(esc(alert.getKind().name())).append("</b> ")
                    .append(esc(alert.getAcquiredAt().toString())).append(": ").append(esc(alert.getReason()))
                    .append("</p>");
        }
        h.append("<p><a href=\"/\">All recent alerts</a> · <a href=\"/logout\">Sign out</a></p>");
        if (focus != null) {
            h.append("<h2>Scan <code>").append(esc(shortId(focus.getScanId()))).append("</code> (")
                    .append(esc(focus.getAcquiredAt().toString())).append(", score ")
                    .append(String.format(Locale.ROOT, "%.2f", focus.getScore())).append(")</h2>")
                    .append("<div class=\"focus\"><img alt=\"scan\" src=\"/thumbnails/").append(url(focus.getScanId()))
                    .append("\"></div>").append(focus.getNeighbours().isEmpty()
                            ? "<p>Its neighbours are no longer kept: the monitor keeps them for a patient's "
                                + "newest scans and for scans that raised an alert.</p>"
                            : "<p>Its " + Math.min(GRID, focus.getNeighbours().size())
                                + " nearest labelled reference scans, nearest first:</p>")
                    .append("<div class=\"grid\">");
            List<Neighbour> ns = focus.getNeighbours();
            for (int i = 0; i < Math.min(GRID, ns.size()); i++) {
                Neighbour n = ns.get(i);
                h.append("<figure class=\"cell ").append(n.getLabel().name()).append("\"><img alt=\"")
                        .append(n.getLabel().name()).append("\" src=\"/thumbnails/").append(url(n.getScanId()))
                        .append("\"><figcaption>").append(n.getLabel().name().toLowerCase(Locale.ROOT))
                        .append(n.getSeverity() == null ? "" : String.format(Locale.ROOT, " (severity %.2f)",
                                n.getSeverity()))
                        .append(String.format(Locale.ROOT, " %.3f", n.getDistance())).append("</figcaption></figure>");
            }
            h.append("</div>");
        }
        return h.append("</body></html>").toString();
    }

    private static void plot(StringBuilder h, List<TrackedScan> scans, List<DriftAlert> alerts, DriftRule rule) {
        long t0 = scans.isEmpty() ? 0 : scans.get(0).getAcquiredAt().toEpochMilli();
        long t1 = scans.isEmpty() ? 1 : Math.max(t0 + 1, scans.get(scans.size() - 1).getAcquiredAt().toEpochMilli());
        double sev = rule.severeThreshold();
        double inf = rule.infectedThreshold();
        h.append("<svg id=\"trajectory\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"score over time\">");
        band(h, 1.0, sev, "#fde0dc", "severe");
        band(h, sev, inf, "#fff3c4", "infected");
        band(h, inf, 0.0, "#e3f2e1", "healthy");
        h.append("<line x1=\"").append(PAD).append("\" y1=\"").append(y(0)).append("\" x2=\"").append(W - PAD)
                .append("\" y2=\"").append(y(0)).append("\" stroke=\"#555\"/>");
        StringBuilder path = new StringBuilder();
        for (TrackedScan s : scans) {
            path.append(path.length() == 0 ? "M" : " L").append(x(s.getAcquiredAt(), t0, t1)).append(',')
                    .append(y(s.getScore()));
        }
        h.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\"/>");
        Set<String> alerted = alerts.stream().map(DriftAlert::getScanId).collect(Collectors.toSet());
        for (TrackedScan s : scans) {
            String cx = x(s.getAcquiredAt(), t0, t1);
            String cy = y(s.getScore());
            h.append("<a href=\"?scan=").append(url(s.getScanId())).append("\"><circle class=\"point\" cx=\"")
                    .append(cx).append("\" cy=\"").append(cy).append("\" r=\"5\" fill=\"#1565c0\" data-scan=\"")
                    .append(esc(s.getScanId())).append("\"><title>").append(esc(s.getAcquiredAt().toString()))
                    .append(String.format(Locale.ROOT, " score %.2f", s.getScore())).append("</title></circle></a>");
            if (alerted.contains(s.getScanId())) {
                double px = Double.parseDouble(cx);
                double py = Double.parseDouble(cy) - 12;
                h.append(String.format(Locale.ROOT, "<polygon class=\"alert-marker\" points=\"%.1f,%.1f %.1f,%.1f "
                        + "%.1f,%.1f\" fill=\"#c62828\"/>", px - 6, py - 8, px + 6, py - 8, px, py));
            }
        }
        h.append("</svg>");
    }

    private static void band(StringBuilder h, double top, double bottom, String fill, String label) {
        h.append("<rect x=\"").append(PAD).append("\" y=\"").append(y(top)).append("\" width=\"").append(W - 2 * PAD)
                .append("\" height=\"").append(String.format(Locale.ROOT, "%.1f",
                        Double.parseDouble(y(bottom)) - Double.parseDouble(y(top))))
                .append("\" fill=\"").append(fill).append("\"/><text x=\"4\" y=\"")
                .append(String.format(Locale.ROOT, "%.1f", (Double.parseDouble(y(top)) + Double.parseDouble(y(bottom))) / 2))
                .append("\" font-size=\"10\">").append(label).append("</text>");
    }

    private static String x(Instant t, long t0, long t1) {
        return String.format(Locale.ROOT, "%.1f", PAD + (W - 2.0 * PAD) * (t.toEpochMilli() - t0) / (double) (t1 - t0));
    }

    private static String y(double score) {
        return String.format(Locale.ROOT, "%.1f", H - PAD - (H - 2.0 * PAD) * score);
    }

    static String shortId(String id) {
        return id.length() > 16 ? id.substring(0, 16) + "…" : id;
    }

    static String url(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
