package io.xraydrift.cli.evaluate;

import io.xraydrift.drift.rule.Alert;
import io.xraydrift.drift.rule.BaselineSignal;
import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.drift.rule.ScoredScan;
import io.xraydrift.phantoms.Trajectory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Chooses the rise-from-baseline rule ({@code jump}, {@code drift}, and what the rise is measured
 * on: the axis position or the score) by
 * cross-validation over scored patient series, never by eye: the grid is searched on all but one
 * fold of series, the choice judged on the fold left out, and the pooled held-out sensitivity and
 * specificity are the estimate of what the chosen rule does on patients it was not chosen on. The
 * rule a site should use is then the one chosen on every series.
 *
 * <p>Objective: balanced accuracy (mean of sensitivity on worsening series and specificity on
 * stable and improving ones); ties go to the larger margins (fewer pages for the same figures).
 */
public final class RuleSearch {

    /** One patient's scored series and what it truly did. */
    public record Series(String patient, Trajectory trajectory, List<ScoredScan> scans) {}

    /** An evaluated patient's series (a trajectory the phantoms do not name counts as neither side). */
    static Series series(Evaluation.Patient p) {
        Trajectory kind = null;
        for (Trajectory t : Trajectory.values()) {
            if (p.is(t)) {
                kind = t;
            }
        }
        return new Series(p.id(), kind, p.scored());
    }

    /** A signal, its margins and the figures they give. */
    public record Choice(BaselineSignal signal, double jump, double drift, double sensitivity, double specificity) {
        double balanced() {
            return (sensitivity + specificity) / 2;
        }
    }

    /**
     * The smallest margins each signal may use: its noise floors ({@code jump}, {@code drift}; 0 = none).
     */
    public record NoiseFloor(double jump, double drift) {
        public static final NoiseFloor NONE = new NoiseFloor(0, 0);
    }

    /** No noise floor on either signal. */
    static final Map<BaselineSignal, NoiseFloor> NO_FLOORS =
            Map.of(BaselineSignal.AXIS, NoiseFloor.NONE, BaselineSignal.SCORE, NoiseFloor.NONE);

    /** The jump margins searched (0 = off), then the drift margins (0 = off, never above the jump). */
    static final double[] JUMPS = grid(0.05, 0.40, 0.025);

    static final double[] DRIFTS = grid(0.025, 0.30, 0.025);

    private RuleSearch() {}

    /** The best signal and margins on these series for a rule that is otherwise {@code base}. */
    public static Choice choose(List<Series> series, DriftRule base) {
        return choose(series, base, NO_FLOORS);
    }

    /**
     * The best signal and margins at or above each signal's noise floors; on equal figures the
     * base rule's signal, then the larger margins.
     */
    public static Choice choose(List<Series> series, DriftRule base, Map<BaselineSignal, NoiseFloor> floors) {
        Choice best = null;
        List<BaselineSignal> signals = new ArrayList<>(List.of(base.baselineOn()));
        for (BaselineSignal other : BaselineSignal.values()) {
            if (other != base.baselineOn()) {
                signals.add(other);
            }
        }
        for (BaselineSignal signal : signals) {
            NoiseFloor floor = floors.getOrDefault(signal, NoiseFloor.NONE);
            DriftRule measured = base.withBaselineOn(signal);
            for (double jump : withOff(JUMPS)) {
                for (double drift : withOff(DRIFTS)) {
                    if (jump > 0 && drift > jump + 1e-9
                            || jump > 0 && jump < floor.jump() - 1e-9
                            || drift > 0 && drift < floor.drift() - 1e-9) {
                        continue;
                    }
                    int[] c = counts(series, measured.withBaseline(jump, drift));
                    Choice here = new Choice(signal, jump, drift, ratio(c[0], c[1]), ratio(c[2], c[3]));
                    if (best == null || better(here, best)) {
                        best = here;
                    }
                }
            }
        }
        return best;
    }

    /** The rule {@code base} with a choice's signal and margins. */
    static DriftRule applied(DriftRule base, Choice choice) {
        return base.withBaselineOn(choice.signal()).withBaseline(choice.jump(), choice.drift());
    }

    /**
     * Nested cross-validation: series dealt to {@code folds} (stratified by trajectory, seeded), the
     * margins chosen on the others and judged on each fold. Returns the pooled held-out figures and
     * each fold's choice.
     */
    public static Map<String, Object> crossValidate(List<Series> series, DriftRule base, int folds, long seed) {
        return crossValidate(series, base, folds, seed, NO_FLOORS);
    }

    /** As {@link #crossValidate(List, DriftRule, int, long)}, margins searched only at or above the noise floors. */
    public static Map<String, Object> crossValidate(
            List<Series> series, DriftRule base, int folds, long seed, Map<BaselineSignal, NoiseFloor> floors) {
        List<List<Series>> dealt = deal(series, folds, seed);
        int[] pooled = new int[4];
        List<Map<String, Object>> perFold = new ArrayList<>();
        for (int f = 0; f < folds; f++) {
            List<Series> rest = new ArrayList<>();
            for (int g = 0; g < folds; g++) {
                if (g != f) {
                    rest.addAll(dealt.get(g));
                }
            }
            Choice chosen = choose(rest, base, floors);
            int[] c = counts(dealt.get(f), applied(base, chosen));
            for (int i = 0; i < 4; i++) {
                pooled[i] += c[i];
            }
            Map<String, Object> fold = new LinkedHashMap<>();
            fold.put("fold", f + 1);
            fold.put("signal", chosen.signal().setting());
            fold.put("jump", chosen.jump());
            fold.put("drift", chosen.drift());
            fold.put("worsening_alerted", c[0] + "/" + c[1]);
            fold.put("quiet_silent", c[2] + "/" + c[3]);
            perFold.add(fold);
        }
        Map<String, Object> out = heldOut(pooled);
        Choice all = choose(series, base, floors);
        for (BaselineSignal signal : BaselineSignal.values()) {
            NoiseFloor floor = floors.getOrDefault(signal, NoiseFloor.NONE);
            out.put(floorPrefix(signal) + "noise_floor_jump", EvaluateCommand.round(floor.jump()));
            out.put(floorPrefix(signal) + "noise_floor_drift", EvaluateCommand.round(floor.drift()));
        }
        out.put("chosen_on_all_signal", all.signal().setting());
        out.put("chosen_on_all_jump", all.jump());
        out.put("chosen_on_all_drift", all.drift());
        out.put("chosen_on_all_sensitivity", EvaluateCommand.round(all.sensitivity()));
        out.put("chosen_on_all_specificity", EvaluateCommand.round(all.specificity()));
        out.put("folds", perFold);
        return out;
    }

    /** The held-out figures of pooled counts (as {@link #counts} gives them). */
    private static Map<String, Object> heldOut(int[] pooled) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("held_out_sensitivity", EvaluateCommand.round(ratio(pooled[0], pooled[1])));
        out.put("held_out_specificity", EvaluateCommand.round(ratio(pooled[2], pooled[3])));
        out.put("worsening_alerted", pooled[0] + "/" + pooled[1]);
        out.put("quiet_silent", pooled[2] + "/" + pooled[3]);
        return out;
    }

    /**
     * Several {@link #crossValidate} results (one per deal of patients to folds) pooled: their
     * held-out series counted together, each result kept under {@code per_seed}.
     */
    static Map<String, Object> pooled(List<Map<String, Object>> searches) {
        int[] pooled = new int[4];
        for (Map<String, Object> s : searches) {
            String[] worse = String.valueOf(s.get("worsening_alerted")).split("/");
            String[] quiet = String.valueOf(s.get("quiet_silent")).split("/");
            pooled[0] += Integer.parseInt(worse[0]);
            pooled[1] += Integer.parseInt(worse[1]);
            pooled[2] += Integer.parseInt(quiet[0]);
            pooled[3] += Integer.parseInt(quiet[1]);
        }
        Map<String, Object> out = heldOut(pooled);
        out.put("per_seed", searches);
        return out;
    }

    /** Worsening series alerted, worsening series, quiet (stable or improving) series silent, quiet series. */
    static int[] counts(List<Series> series, DriftRule rule) {
        int[] c = new int[4];
        for (Series s : series) {
            boolean alerted = rule.evaluate(s.patient(), s.scans()).stream().anyMatch(Alert::worsens);
            if (s.trajectory() == Trajectory.WORSENING) {
                c[1]++;
                c[0] += alerted ? 1 : 0;
            } else if (s.trajectory() == Trajectory.STABLE || s.trajectory() == Trajectory.IMPROVING) {
                c[3]++;
                c[2] += alerted ? 0 : 1;
            }
        }
        return c;
    }

    private static boolean better(Choice a, Choice b) {
        double d = a.balanced() - b.balanced();
        if (Math.abs(d) > 1e-9) {
            return d > 0;
        }
        if (Math.abs(a.specificity() - b.specificity()) > 1e-9) {
            return a.specificity() > b.specificity();
        }
        if (a.signal() != b.signal()) {
            return false; // the signal searched first (the base rule's) keeps equal figures
        }
        // Equal figures: the larger margins, a margin that is off counting as the largest.
        double ja = a.jump() == 0 ? 9 : a.jump();
        double jb = b.jump() == 0 ? 9 : b.jump();
        if (Math.abs(ja - jb) > 1e-9) {
            return ja > jb;
        }
        return (a.drift() == 0 ? 9 : a.drift()) > (b.drift() == 0 ? 9 : b.drift());
    }

    static List<List<Series>> deal(List<Series> series, int folds, long seed) {
        List<List<Series>> out = new ArrayList<>();
        for (int f = 0; f < folds; f++) {
            out.add(new ArrayList<>());
        }
        Random random = new Random(seed);
        int next = 0;
        for (Trajectory kind : Trajectory.values()) {
            List<Series> of = new ArrayList<>(series.stream()
                    .filter(s -> s.trajectory() == kind)
                    .sorted(Comparator.comparing(Series::patient))
                    .toList());
            Collections.shuffle(of, random);
            for (Series s : of) {
                out.get(next++ % folds).add(s);
            }
        }
        return out;
    }

    /**
     * How a signal's noise-floor figures are prefixed: the score's carry none (as before there was
     * a choice), the axis's {@code axis_}.
     */
    static String floorPrefix(BaselineSignal signal) {
        return signal == BaselineSignal.SCORE ? "" : signal.setting() + "_";
    }

    private static double[] withOff(double[] values) {
        double[] out = new double[values.length + 1];
        System.arraycopy(values, 0, out, 1, values.length);
        return out;
    }

    private static double[] grid(double from, double to, double step) {
        int n = (int) Math.round((to - from) / step) + 1;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.round((from + i * step) * 1000) / 1000.0;
        }
        return out;
    }

    private static double ratio(int a, int b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }
}
