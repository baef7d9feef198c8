package io.xraydrift.drift.rule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import io.xraydrift.events.AlertKind;
import io.xraydrift.events.Level;

/**
 * The drift rule: pure code over one patient's scored scans, in acquisition order.
 * <ul>
 * <li><b>Escalation</b>: the level rises (healthy → infected → severe) — an alert per level reached
 * within an episode.</li>
 * <li><b>Sustained worsening</b>: within a level (every scan of the window inside the level's score
 * range), the score rises by more than {@code rise} over the last {@code window} scans, no step
 * down beyond a small tolerance — at most one such alert per episode and level. A window of scans rather than a slope per day: scans come at
 * irregular intervals, and a monotone rise over several scans is robust to one noisy scan.</li>
 * <li><b>Rise from the baseline</b> (for sparse series, where two or three scans never confirm a
 * level): the patient's baseline is their first scan (and, after an episode closes, the scan that
 * closed it). A score at least {@code jump} above it raises BASELINE_RISE at once; one at least
 * {@code drift} above it on {@code confirm} consecutive scans raises it too. At most one per
 * episode, and only while no episode is open (0 switches either part off).</li>
 * <li><b>Episodes</b>: the first alert opens one; falling back below the infected threshold by
 * more than {@code hysteresis}, or back to within {@code hysteresis} of the baseline, closes it with
 * a RECOVERY event. Levels go down only past the hysteresis band, so a score hovering at a
 * threshold does not flap.</li>
 * </ul>
 * The first scan is the baseline: a patient admitted severe and improving raises nothing.
 * {@link #evaluate} replays the whole (sorted, deduplicated) history, so a late scan is slotted
 * in; alert ids are deterministic, and the caller emits only ids it has not emitted before.
 *
 * @param infectedThreshold score from which a scan is infected
 * @param severeThreshold   score from which a scan is severe
 * @param hysteresis        how far below a threshold the score must fall to go down a level
 * @param window            scans the sustained-worsening rule looks back over (>= 2)
 * @param rise              score rise over the window that counts as sustained worsening
 * @param confirm           consecutive scans at a higher level needed to escalate (1: the first one does).
 *                          Two by default: a single mis-scored scan (a portable view, poor positioning)
 *                          should not page anyone; a real deterioration shows on the next scan too.
 * @param jump              rise of the score above the patient's baseline that alerts at once (0 = off)
 * @param drift             smaller rise above the baseline that alerts once {@code confirm} consecutive scans
 *                          show it (0 = off)
 */
public record DriftRule(double infectedThreshold, double severeThreshold, double hysteresis, int window, double rise,
                        int confirm, double jump, double drift) {

    private static final double STEP_TOLERANCE = 0.02;

    public DriftRule {
        if (!(infectedThreshold < severeThreshold) || window < 2 || hysteresis < 0 || confirm < 1 || jump < 0
                || drift < 0 || jump > 0 && drift > jump) {
            throw new IllegalArgumentException("drift rule needs infected < severe thresholds, window >= 2, "
                    + "hysteresis >= 0, confirm >= 1, 0 <= drift <= jump (or jump 0); got " + infectedThreshold + ", "
                    + severeThreshold + ", " + window + ", " + hysteresis + ", " + confirm + ", " + jump + ", " + drift);
        }
    }

    /** The level rule alone: no rise-from-baseline alerts. */
    public DriftRule(double infectedThreshold, double severeThreshold, double hysteresis, int window, double rise,
                     int confirm) {
        this(infectedThreshold, severeThreshold, hysteresis, window, rise, confirm, 0, 0);
    }

    /** This rule with other rise-from-baseline margins. */
    public DriftRule withBaseline(double newJump, double newDrift) {
        return new DriftRule(infectedThreshold, severeThreshold, hysteresis, window, rise, confirm, newJump, newDrift);
    }

    /** Scans sorted by acquisition time (then id), one per scan id. */
    public static List<ScoredScan> ordered(List<ScoredScan> scans) {
        List<ScoredScan> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ScoredScan s : scans) {
            if (seen.add(s.scanId())) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparing(ScoredScan::acquiredAt).thenComparing(ScoredScan::scanId));
        return out;
    }

    /**
     * What the rule makes of a history: its alerts, the patient's level after the last scan and
     * whether an alerted episode is still open.
     */
    public record Assessment(List<Alert> alerts, Level level, boolean episodeOpen) {
    }

    /** Every alert the history warrants, in order. */
    public List<Alert> evaluate(String patient, List<ScoredScan> history) {
        return assess(patient, history).alerts();
    }

    /** The level a single score falls into (no history, no hysteresis). */
    public Level levelOf(double score) {
        return thresholds().of(score);
    }

    /** Where the score changes level: the same value the indexer scores with. */
    public io.xraydrift.platform.score.LevelThresholds thresholds() {
        return new io.xraydrift.platform.score.LevelThresholds(infectedThreshold, severeThreshold);
    }

    /** Alerts, final level and episode state of a history (sorted and deduplicated first). */
    public Assessment assess(String patient, List<ScoredScan> history) {
        List<ScoredScan> scans = ordered(history);
        Episodes episodes = new Episodes(patient);
        Level level = Level.HEALTHY;
        List<Double> previous = new ArrayList<>();
        int levelStart = 0;
        int above = 0;
        Level reachedByAll = Level.SEVERE;
        double baseline = Double.NaN;
        int risen = 0;
        for (int i = 0; i < scans.size(); i++) {
            ScoredScan scan = scans.get(i);
            Level next = nextLevel(level, scan.score());
            if (i > 0 && next.ordinal() > level.ordinal()) {
                above++;
                reachedByAll = above == 1 ? next : (next.ordinal() < reachedByAll.ordinal() ? next : reachedByAll);
                // Not confirmed yet: hold the level until `confirm` consecutive scans are above it.
                next = above >= confirm ? reachedByAll : level;
            } else {
                above = 0;
            }
            if (i == 0) {
                // The first scan is the patient's baseline: drift is change against it, not its level.
                level = next;
                baseline = scan.score();
                previous.add(scan.score());
                continue;
            }
            boolean openBefore = episodes.open;
            Level from = level;
            Level to = next;
            if (to.ordinal() > from.ordinal()) {
                episodes.worse(AlertKind.LEVEL_ESCALATION, scan, from, to, previous,
                        () -> escalationReason(scan, from, to, previous));
                levelStart = i;
                above = 0;
            } else if (to.ordinal() < from.ordinal()) {
                levelStart = i;
                if (to == Level.HEALTHY) {
                    episodes.recovered(scan, from, Level.HEALTHY, previous, () -> String.format(Locale.ROOT,
                            "Back to the healthy range: score %.2f (was %.2f); %d of %d nearest reference scans are "
                                    + "healthy.", scan.score(), previous.isEmpty() ? scan.score()
                                    : previous.get(previous.size() - 1), scan.healthy(), scan.neighbours()));
                }
            } else if (i - levelStart + 1 >= window && sustainedRise(scans, i, from)) {
                double first = scans.get(i - window + 1).score();
                episodes.worse(AlertKind.SUSTAINED_WORSENING, scan, from, to, previous, () -> String.format(Locale.ROOT,
                        "Steadily worsening within the %s range: score rose from %.2f to %.2f over the last %d scans.",
                        ScoredScan.name(to), first, scan.score(), window));
            }
            double sinceBaseline = scan.score() - baseline;
            risen = drift > 0 && sinceBaseline >= drift ? risen + 1 : 0;
            if (!openBefore && episodes.open) {
                risen = 0; // the level rule opened this episode with this scan
            } else if (!openBefore) {
                boolean jumped = jump > 0 && sinceBaseline >= jump;
                if (jumped || drift > 0 && risen >= confirm) {
                    double base = baseline;
                    int scansAbove = risen;
                    episodes.worse(AlertKind.BASELINE_RISE, scan, from, next, previous,
                            () -> baselineReason(scan, base, jumped, scansAbove));
                }
            } else if (scan.score() <= baseline + hysteresis) {
                double base = baseline;
                episodes.recovered(scan, from, next, previous, () -> String.format(Locale.ROOT,
                        "Back to the patient's baseline: score %.2f (baseline %.2f); %d of %d nearest reference "
                                + "scans are healthy.", scan.score(), base, scan.healthy(), scan.neighbours()));
            }
            if (openBefore && !episodes.open) {
                baseline = scan.score(); // an episode closed: this scan is the new baseline
                risen = 0;
            }
            level = next;
            previous.add(scan.score());
        }
        return new Assessment(episodes.alerts, level, episodes.open);
    }

    /**
     * The episodes of one assessment: a worsening alert opens an episode (if none is open), a
     * recovery closes it; each alert id (patient, episode, kind, level) is raised once, its
     * reason written only then.
     */
    private final class Episodes {
        private final String patient;
        private final List<Alert> alerts = new ArrayList<>();
        private final java.util.Set<String> raised = new java.util.HashSet<>();
        private int episode;
        private boolean open;

        Episodes(String patient) {
            this.patient = patient;
        }

        void worse(AlertKind kind, ScoredScan scan, Level from, Level to, List<Double> previous,
                   java.util.function.Supplier<String> reason) {
            if (!open) {
                episode++;
                open = true;
            }
            raise(kind, scan, from, to, previous, reason);
        }

        void recovered(ScoredScan scan, Level from, Level to, List<Double> previous,
                       java.util.function.Supplier<String> reason) {
            if (open) {
                open = false;
                raise(AlertKind.RECOVERY, scan, from, to, previous, reason);
            }
        }

        private void raise(AlertKind kind, ScoredScan scan, Level from, Level to, List<Double> previous,
                           java.util.function.Supplier<String> reason) {
            String id = id(patient, episode, kind, to);
            if (raised.add(id)) {
                alerts.add(new Alert(id, kind, scan, from, to, List.copyOf(previous), reason.get()));
            }
        }
    }

    /** The level after a scan: up at a threshold, down only once the score is below it by the hysteresis. */
    Level nextLevel(Level current, double score) {
        Level raw = levelOf(score);
        if (raw.ordinal() >= current.ordinal()) {
            return raw;
        }
        if (current == Level.SEVERE && score >= severeThreshold - hysteresis) {
            return Level.SEVERE;
        }
        return score >= infectedThreshold - hysteresis ? Level.INFECTED : Level.HEALTHY;
    }

    /** A rise over the window with no real step down, every scan of it within the current level's range. */
    private boolean sustainedRise(List<ScoredScan> scans, int last, Level level) {
        int first = last - window + 1;
        double ceiling = level == Level.HEALTHY ? infectedThreshold : level == Level.INFECTED ? severeThreshold : 2;
        for (int j = first; j <= last; j++) {
            if (scans.get(j).score() >= ceiling
                    || j > first && scans.get(j).score() < scans.get(j - 1).score() - STEP_TOLERANCE) {
                return false;
            }
        }
        return scans.get(last).score() - scans.get(first).score() > rise;
    }

    private String baselineReason(ScoredScan scan, double baseline, boolean jumped, int scansAbove) {
        return String.format(Locale.ROOT, "Worse than the patient's baseline: score %.2f, %.2f above the baseline "
                + "scan's %.2f%s; %d of %d nearest reference scans are healthy (%d severe).", scan.score(),
                scan.score() - baseline, baseline, jumped ? String.format(Locale.ROOT, " (alerts at once from +%.2f)", jump)
                        : String.format(Locale.ROOT, " on %d scans in a row (from +%.2f)", scansAbove, drift),
                scan.healthy(), scan.neighbours(), scan.severe());
    }

    private static String escalationReason(ScoredScan scan, Level from, Level to, List<Double> previous) {
        int sick = scan.infected() + scan.severe();
        return String.format(Locale.ROOT, "Escalated from %s to %s: %d of %d nearest reference scans are infected or "
                + "severe (%d severe); score %.2f%s.", ScoredScan.name(from), ScoredScan.name(to), sick,
                scan.neighbours(), scan.severe(), scan.score(),
                previous.isEmpty() ? " on the first scan" : String.format(Locale.ROOT, ", was %.2f",
                        previous.get(previous.size() - 1)));
    }

    private static String id(String patient, int episode, AlertKind kind, Level level) {
        return patient + ":" + episode + ":" + kind.name().toLowerCase(Locale.ROOT) + ":"
                + level.name().toLowerCase(Locale.ROOT);
    }
}
