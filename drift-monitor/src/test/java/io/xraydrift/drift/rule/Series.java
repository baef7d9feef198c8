package io.xraydrift.drift.rule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Scored series for the rule's tests: a scan a day from {@link #T0}, its severe share the score. */
final class Series {

    static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");

    private Series() {}

    /** Scans s0, s1, ... with these scores. */
    static List<ScoredScan> of(double... scores) {
        List<ScoredScan> out = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            int severe = (int) Math.round(scores[i] * 36);
            out.add(new ScoredScan("s" + i, T0.plus(Duration.ofDays(i)), scores[i], 36 - severe, 0, severe));
        }
        return out;
    }

    /** Scans s0, s1, ... with these scores and these axis positions. */
    static List<ScoredScan> of(double[] scores, double[] axis) {
        List<ScoredScan> out = new ArrayList<>();
        for (ScoredScan s : of(scores)) {
            int i = out.size();
            out.add(new ScoredScan(
                    s.scanId(), s.acquiredAt(), s.score(), s.healthy(), s.infected(), s.severe(), axis[i]));
        }
        return out;
    }

    static List<String> ids(List<Alert> alerts) {
        return alerts.stream().map(Alert::alertId).toList();
    }
}
