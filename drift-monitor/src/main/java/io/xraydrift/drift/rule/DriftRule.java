package io.xraydrift.drift.rule;

import io.xraydrift.events.AlertKind;
import io.xraydrift.events.Level;
import io.xraydrift.platform.score.LevelThresholds;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

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
 * closed it). A scan at least {@code jump} above it raises BASELINE_RISE at once; one at least
 * {@code drift} above it on {@code confirm} consecutive scans raises it too. At most one per
 * episode, and only while no episode is open (0 switches either part off). The rise is measured on
 * {@code baselineOn}: the scan's position on the healthy-to-severe axis, or its score.</li>
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
 * @param jump              rise above the patient's baseline (on {@code baselineOn}) that alerts at once
 *                          (0 = off)
 * @param drift             smaller rise above the baseline that alerts once {@code confirm} consecutive scans
 *                          show it (0 = off)
 * @param baselineOn        what the rise from the baseline is measured on; a history in which a scan lacks
 *                          its axis position is measured on its score
 */
public record DriftRule(
        double infectedThreshold,
        double severeThreshold,
        double hysteresis,
        int window,
        double rise,
        int confirm,
        double jump,
        double drift,
        BaselineSignal baselineOn) {

    private static final double STEP_TOLERANCE = 0.02;

    public DriftRule {
        if (!(infectedThreshold < severeThreshold)
                || window < 2
                || hysteresis < 0
                || confirm < 1
                || jump < 0
                || drift < 0
                || jump > 0 && drift > jump
                || baselineOn == null) {
            throw new IllegalArgumentException("drift rule needs infected < severe thresholds, window >= 2, "
                    + "hysteresis >= 0, confirm >= 1, 0 <= drift <= jump (or jump 0), a baseline signal; got "
                    + infectedThreshold + ", " + severeThreshold + ", " + window + ", " + hysteresis + ", " + confirm
                    + ", " + jump + ", " + drift + ", " + baselineOn);
        }
    }

    /** The level rule alone: no rise-from-baseline alerts. */
    public DriftRule(
            double infectedThreshold, double severeThreshold, double hysteresis, int window, double rise, int confirm) {
        this(infectedThreshold, severeThreshold, hysteresis, window, rise, confirm, 0, 0, BaselineSignal.SCORE);
    }

    /**
     * This rule with a model's own fitted level thresholds (see {@code ModelRef}), where it has both;
     * unchanged otherwise.
     */
    public DriftRule withLevels(Double infected, Double severe) {
        LevelThresholds levels =
                new LevelThresholds(infectedThreshold, severeThreshold).orModel(true, infected, severe);
        return levels.infected() == infectedThreshold && levels.severe() == severeThreshold
                ? this
                : new DriftRule(
                        levels.infected(), levels.severe(), hysteresis, window, rise, confirm, jump, drift, baselineOn);
    }

    /** This rule with other rise-from-baseline margins. */
    public DriftRule withBaseline(double newJump, double newDrift) {
        return new DriftRule(
                infectedThreshold, severeThreshold, hysteresis, window, rise, confirm, newJump, newDrift, baselineOn);
    }

    /** This rule with its rise from the baseline measured on {@code signal}. */
    public DriftRule withBaselineOn(BaselineSignal signal) {
        return new DriftRule(
                infectedThreshold, severeThreshold, hysteresis, window, rise, confirm, jump, drift, signal);
    }

    /** Scans sorted by acquisition time (then id), one per scan id. */
    public static List<ScoredScan> ordered(List<ScoredScan> scans) {
        List<ScoredScan> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
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
    public record Assessment(List<Alert> alerts, Level level, boolean episodeOpen) {}

    /** Every alert the history warrants, in order. */
    public List<Alert> evaluate(String patient, List<ScoredScan> history) {
        return assess(patient, history).alerts();
    }

    /** The level a single score falls into (no history, no hysteresis). */
    public Level levelOf(double score) {
        return thresholds().of(score);
    }

    /** Where the score changes level: the same value the indexer scores with. */
    public LevelThresholds thresholds() {
        return new LevelThresholds(infectedThreshold, severeThreshold);
    }

    /** Alerts, final level and episode state of a history (sorted and deduplicated first). */
    public Assessment assess(String patient, List<ScoredScan> history) {
        List<ScoredScan> scans = ordered(history);
        DriftRule applied = baselineOn == BaselineSignal.AXIS && scans.stream().anyMatch(s -> Double.isNaN(s.axis()))
                ? withBaselineOn(BaselineSignal.SCORE)
                : this;
        State state = start();
        List<Alert> alerts = new ArrayList<>();
        for (ScoredScan scan : scans) {
            Step step = applied.step(patient, state, scan);
            alerts.addAll(step.alerts());
            state = step.state();
        }
        return new Assessment(List.copyOf(alerts), state.level(), state.phase() == Phase.EPISODE);
    }

    /**
     * Where a patient stands for the rule. {@link #NEW}: no scan yet. {@link #WATCHING}: a baseline,
     * no episode open. {@link #EPISODE}: a worsening alert opened an episode that no recovery has
     * closed yet.
     */
    public enum Phase {
        NEW,
        WATCHING,
        EPISODE
    }

    /**
     * All the rule remembers of one patient after some scans (in acquisition order).
     *
     * @param phase        new, watching or in an episode
     * @param level        the confirmed level
     * @param above        consecutive latest scans above the level, not yet confirmed ({@code confirm})
     * @param reachedByAll the highest level every one of those scans reached
     * @param levelSince   index of the scan from which the patient has been at {@code level}
     * @param baseline     the baseline ({@code baselineOn} of a scan): the first scan's, or that of the scan that
     *                     closed the last episode
     * @param risen        consecutive latest scans at least {@code drift} above the baseline
     * @param episode      episodes opened so far (the current one's number while in an episode)
     * @param raised       ids of the alerts raised in the current episode (each is raised once)
     * @param scores       every score so far, oldest first
     */
    public record State(
            Phase phase,
            Level level,
            int above,
            Level reachedByAll,
            int levelSince,
            double baseline,
            int risen,
            int episode,
            Set<String> raised,
            List<Double> scores) {

        public State {
            raised = Set.copyOf(raised);
            scores = List.copyOf(scores);
        }
    }

    /** One transition: the state after a scan and the alerts the scan raised. */
    public record Step(State state, List<Alert> alerts) {

        public Step {
            alerts = List.copyOf(alerts);
        }
    }

    /** The state before a patient's first scan. */
    public State start() {
        return new State(Phase.NEW, Level.HEALTHY, 0, Level.SEVERE, 0, Double.NaN, 0, 0, Set.of(), List.of());
    }

    /**
     * The rule's one transition: what the next scan (in acquisition order) makes of a state.
     * <ul>
     * <li>NEW → WATCHING: the first scan is the baseline and sets the level; no alert.</li>
     * <li>The level: a score above the level holds it until {@code confirm} consecutive scans are
     * above it, then the level they all reached is taken; a score below goes down only past the
     * hysteresis band.</li>
     * <li>WATCHING → EPISODE: a confirmed escalation, a sustained rise within the level, or a rise
     * from the baseline (at once by {@code jump}, or by {@code drift} on {@code confirm} scans)
     * opens an episode with its alert.</li>
     * <li>EPISODE → EPISODE: a further escalation or sustained rise raises its alert if this
     * episode has not raised it yet; a level down that stays above healthy raises nothing.</li>
     * <li>EPISODE → WATCHING: back to the healthy level, or to within {@code hysteresis} of the
     * baseline, raises RECOVERY; that scan becomes the new baseline.</li>
     * </ul>
     */
    public Step step(String patient, State state, ScoredScan scan) {
        List<Double> scores = new ArrayList<>(state.scores());
        scores.add(scan.score());
        if (state.phase() == Phase.NEW) {
            return new Step(
                    new State(
                            Phase.WATCHING,
                            nextLevel(Level.HEALTHY, scan.score()),
                            0,
                            state.reachedByAll(),
                            0,
                            baselineOn.of(scan),
                            0,
                            0,
                            Set.of(),
                            scores),
                    List.of());
        }
        Episodes episodes = new Episodes(patient, state, state.scores());
        LevelMove move = moveLevel(state, scan.score());
        int levelSince = levelRules(episodes, state, scan, move.to(), scores);
        Baseline baseline = baselineRules(episodes, state, scan, move.to());
        return new Step(
                new State(
                        episodes.open ? Phase.EPISODE : Phase.WATCHING,
                        move.to(),
                        move.above(),
                        move.reachedByAll(),
                        levelSince,
                        baseline.value(),
                        baseline.risen(),
                        episodes.episode,
                        episodes.raised,
                        scores),
                episodes.alerts);
    }

    /** Where the level goes with a score: {@code to}, and the unconfirmed run above the level it leaves. */
    private record LevelMove(Level to, int above, Level reachedByAll) {}

    /**
     * A score above the level holds it until {@code confirm} consecutive scans are above it, then the
     * level they all reached is taken; a score below goes down only past the hysteresis band.
     */
    private LevelMove moveLevel(State state, double score) {
        Level from = state.level();
        Level to = nextLevel(from, score);
        if (to.ordinal() <= from.ordinal()) {
            return new LevelMove(to, 0, state.reachedByAll());
        }
        int above = state.above() + 1;
        Level reachedByAll = above == 1 || to.ordinal() < state.reachedByAll().ordinal() ? to : state.reachedByAll();
        return above >= confirm
                ? new LevelMove(reachedByAll, 0, reachedByAll)
                : new LevelMove(from, above, reachedByAll);
    }

    /**
     * The level rules: a confirmed escalation or a sustained rise within the level is a worsening;
     * back to the healthy level a recovery. Returns the index of the scan from which the patient is
     * at the new level.
     */
    private int levelRules(Episodes episodes, State state, ScoredScan scan, Level to, List<Double> scores) {
        List<Double> previous = state.scores();
        int index = previous.size();
        Level from = state.level();
        if (to.ordinal() > from.ordinal()) {
            episodes.worse(
                    AlertKind.LEVEL_ESCALATION, scan, from, to, () -> escalationReason(scan, from, to, previous));
            return index;
        }
        if (to.ordinal() < from.ordinal()) {
            if (to == Level.HEALTHY) {
                episodes.recovered(
                        scan,
                        from,
                        Level.HEALTHY,
                        () -> String.format(
                                Locale.ROOT,
                                "Back to the healthy range: score %.2f (was %.2f); %d of %d nearest reference scans are "
                                        + "healthy.",
                                scan.score(),
                                previous.get(previous.size() - 1),
                                scan.healthy(),
                                scan.neighbours()));
            }
            return index;
        }
        if (index - state.levelSince() + 1 >= window && sustainedRise(scores, from)) {
            double first = scores.get(index - window + 1);
            episodes.worse(
                    AlertKind.SUSTAINED_WORSENING,
                    scan,
                    from,
                    to,
                    () -> String.format(
                            Locale.ROOT,
                            "Steadily worsening within the %s range: score rose from %.2f to %.2f over the last %d scans.",
                            ScoredScan.name(to),
                            first,
                            scan.score(),
                            window));
        }
        return state.levelSince();
    }

    /** The baseline after a scan and the consecutive scans at least {@code drift} above it. */
    private record Baseline(double value, int risen) {}

    /**
     * The baseline rules, after the level rules: with no episode open before this scan, a rise from
     * the baseline (at once by {@code jump}, or by {@code drift} on {@code confirm} scans) is a
     * worsening; in an episode, back to within {@code hysteresis} of the baseline is a recovery, and
     * the scan that closes an episode is the new baseline.
     */
    private Baseline baselineRules(Episodes episodes, State state, ScoredScan scan, Level to) {
        double baseline = state.baseline();
        double value = baselineOn.of(scan);
        double sinceBaseline = value - baseline;
        int risen = drift > 0 && sinceBaseline >= drift ? state.risen() + 1 : 0;
        boolean openBefore = state.phase() == Phase.EPISODE;
        if (!openBefore && episodes.open) {
            return new Baseline(baseline, 0); // the level rules opened this episode with this scan
        }
        if (!openBefore) {
            boolean jumped = jump > 0 && sinceBaseline >= jump;
            if (jumped || drift > 0 && risen >= confirm) {
                int scansAbove = risen;
                episodes.worse(
                        AlertKind.BASELINE_RISE,
                        scan,
                        state.level(),
                        to,
                        () -> baselineReason(scan, baseline, jumped, scansAbove));
            }
            return new Baseline(baseline, risen);
        }
        if (value <= baseline + hysteresis) {
            episodes.recovered(
                    scan,
                    state.level(),
                    to,
                    () -> String.format(
                                    Locale.ROOT,
                                    "Back to the patient's baseline: %s %.2f (baseline %.2f)",
                                    baselineOn.label(),
                                    value,
                                    baseline)
                            + scoreAside(scan)
                            + String.format(
                                    Locale.ROOT,
                                    "; %d of %d nearest reference scans are healthy.",
                                    scan.healthy(),
                                    scan.neighbours()));
        }
        return episodes.open ? new Baseline(baseline, risen) : new Baseline(value, 0);
    }

    /**
     * The episode bookkeeping of one step: a worsening alert opens an episode (if none is open), a
     * recovery closes it; each alert id (patient, episode, kind, level) is raised once per episode,
     * its reason written only then.
     */
    private static final class Episodes {
        private final String patient;
        private final List<Double> previous;
        private final List<Alert> alerts = new ArrayList<>();
        private final Set<String> raised;
        private int episode;
        private boolean open;

        Episodes(String patient, State state, List<Double> previous) {
            this.patient = patient;
            this.previous = previous;
            this.raised = new HashSet<>(state.raised());
            this.episode = state.episode();
            this.open = state.phase() == Phase.EPISODE;
        }

        void worse(AlertKind kind, ScoredScan scan, Level from, Level to, Supplier<String> reason) {
            if (!open) {
                episode++;
                open = true;
                raised.clear();
            }
            raise(kind, scan, from, to, reason);
        }

        void recovered(ScoredScan scan, Level from, Level to, Supplier<String> reason) {
            if (open) {
                open = false;
                raise(AlertKind.RECOVERY, scan, from, to, reason);
                raised.clear();
            }
        }

        private void raise(AlertKind kind, ScoredScan scan, Level from, Level to, Supplier<String> reason) {
            String id = id(patient, episode, kind, to);
            if (raised.add(id)) {
                alerts.add(new Alert(id, kind, scan, from, to, previous, reason.get()));
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

    /** A rise over the last window of scores with no real step down, every one within the level's range. */
    private boolean sustainedRise(List<Double> scores, Level level) {
        int last = scores.size() - 1;
        int first = last - window + 1;
        double ceiling = level == Level.HEALTHY ? infectedThreshold : level == Level.INFECTED ? severeThreshold : 2;
        for (int j = first; j <= last; j++) {
            if (scores.get(j) >= ceiling || j > first && scores.get(j) < scores.get(j - 1) - STEP_TOLERANCE) {
                return false;
            }
        }
        return scores.get(last) - scores.get(first) > rise;
    }

    private String baselineReason(ScoredScan scan, double baseline, boolean jumped, int scansAbove) {
        double value = baselineOn.of(scan);
        return String.format(
                        Locale.ROOT,
                        "Worse than the patient's baseline: %s %.2f, %.2f above the baseline scan's %.2f%s",
                        baselineOn.label(),
                        value,
                        value - baseline,
                        baseline,
                        jumped
                                ? String.format(Locale.ROOT, " (alerts at once from +%.2f)", jump)
                                : String.format(Locale.ROOT, " on %d scans in a row (from +%.2f)", scansAbove, drift))
                + scoreAside(scan)
                + String.format(
                        Locale.ROOT,
                        "; %d of %d nearest reference scans are healthy (%d severe).",
                        scan.healthy(),
                        scan.neighbours(),
                        scan.severe());
    }

    /** The score beside a reason measured on the axis (nothing when it is measured on the score). */
    private String scoreAside(ScoredScan scan) {
        return baselineOn == BaselineSignal.SCORE ? "" : String.format(Locale.ROOT, ", score %.2f", scan.score());
    }

    private static String escalationReason(ScoredScan scan, Level from, Level to, List<Double> previous) {
        int sick = scan.infected() + scan.severe();
        return String.format(
                Locale.ROOT,
                "Escalated from %s to %s: %d of %d nearest reference scans are infected or "
                        + "severe (%d severe); score %.2f%s.",
                ScoredScan.name(from),
                ScoredScan.name(to),
                sick,
                scan.neighbours(),
                scan.severe(),
                scan.score(),
                previous.isEmpty()
                        ? " on the first scan"
                        : String.format(Locale.ROOT, ", was %.2f", previous.get(previous.size() - 1)));
    }

    private static String id(String patient, int episode, AlertKind kind, Level level) {
        return patient + ":" + episode + ":" + kind.name().toLowerCase(Locale.ROOT) + ":"
                + level.name().toLowerCase(Locale.ROOT);
    }
}
