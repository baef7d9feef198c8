package io.xraydrift.cli.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The demo's closing summary: per trajectory kind, patients and alerts, and scan-to-alert times. */
final class DemoSummary {

    private DemoSummary() {}

    /** Prints the summary; true when every worsening patient was alerted and no stable one was. */
    static boolean print(
            PrintStream out,
            Map<String, String> kinds,
            Map<String, String> names,
            List<DemoMonitor.Seen> alerts,
            double seconds,
            int scans) {
        Map<String, int[]> byKind = new LinkedHashMap<>();
        Map<String, Integer> worseByPatient = new LinkedHashMap<>();
        for (DemoMonitor.Seen s : alerts) {
            if (DemoCommand.worse(s.alert().getKind())) {
                worseByPatient.merge(s.alert().getPatient(), 1, Integer::sum);
            }
        }
        kinds.forEach((patient, kind) -> {
            int[] c = byKind.computeIfAbsent(kind, k -> new int[4]);
            c[0]++;
            int worse = worseByPatient.getOrDefault(patient, 0);
            c[1] += worse > 0 ? 1 : 0;
            c[2] += worse;
            c[3] += (int) alerts.stream()
                            .filter(s -> s.alert().getPatient().equals(patient))
                            .count()
                    - worse;
        });
        out.println();
        out.println("Summary (" + String.format(Locale.ROOT, "%.1f s, %d scans", seconds, scans) + "):");
        out.printf(
                Locale.ROOT,
                "  %-12s %8s %16s %14s %11s%n",
                "trajectory",
                "patients",
                "patients alerted",
                "worse alerts",
                "recoveries");
        byKind.forEach(
                (kind, c) -> out.printf(Locale.ROOT, "  %-12s %8d %16d %14d %11d%n", kind, c[0], c[1], c[2], c[3]));
        List<Long> latencies = new ArrayList<>();
        alerts.forEach(s -> {
            if (s.latencyMillis() != null) {
                latencies.add(s.latencyMillis());
            }
        });
        latencies.sort(null);
        if (!latencies.isEmpty()) {
            out.printf(
                    Locale.ROOT,
                    "  scan -> alert (submission to alert on xray.alerts): median %.2f s, p99 %.2f s "
                            + "over %d alerts%n",
                    quantile(latencies, 0.5) / 1000.0,
                    quantile(latencies, 0.99) / 1000.0,
                    latencies.size());
        }
        boolean worseningAlerted = true;
        boolean stableQuiet = true;
        for (Map.Entry<String, String> e : kinds.entrySet()) {
            int worse = worseByPatient.getOrDefault(e.getKey(), 0);
            if (e.getValue().equals("worsening") && worse == 0) {
                worseningAlerted = false;
                out.println("  NOT ALERTED: " + names.get(e.getKey()));
            }
            if (e.getValue().equals("stable")
                    && alerts.stream().anyMatch(s -> s.alert().getPatient().equals(e.getKey()))) {
                stableQuiet = false;
                out.println("  FALSE ALERT: " + names.get(e.getKey()));
            }
        }
        out.println(
                worseningAlerted && stableQuiet
                        ? "Result: every worsening patient alerted, no stable patient " + "alerted."
                        : "Result: FAILED (see above).");
        return worseningAlerted && stableQuiet;
    }

    /** Nearest-rank quantile of sorted values. */
    static long quantile(List<Long> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
