package io.xraydrift.cli.evaluate;

import io.xraydrift.drift.rule.Alert;
import io.xraydrift.drift.rule.BaselineSignal;
import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.drift.rule.ScoredScan;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.events.Level;
import io.xraydrift.events.LevelCounts;
import io.xraydrift.indexer.forest.Metric;
import io.xraydrift.indexer.reference.ReferenceIndex;
import io.xraydrift.indexer.reference.Scoring;
import io.xraydrift.phantoms.Manifest;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.phantoms.Trajectory;
import io.xraydrift.training.Augmentation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * The evaluation's figures: k-NN class purity of labelled scans (forest and exact search), the
 * majority-class confusion, and drift alerts on patient trajectories scored the way the indexer
 * scores and judged by the drift rule.
 */
final class Evaluation {

    /** One row of a manifest, with its image. */
    record Row(
            String file,
            String patient,
            Level level,
            double severity,
            Instant acquiredAt,
            String trajectory,
            byte[] png) {}

    /**
     * Purity figures of one search method, per true level: the mean share of a scan's neighbours
     * that share its level (NaN when no scan has the level), that share's histogram in tenths, and
     * the confusion row (how many of the level's scans had each level as their neighbours' majority).
     */
    record Purity(Map<Level, Double> mean, Map<Level, int[]> histogram, Map<Level, LevelCounts> confusion) {}

    /** One labelled scan's score as the indexer gives it, beside its level and radiologist severity (NaN if none). */
    record ScanScore(Row row, double score, Level scored, LevelCounts composition) {}

    /** A patient's series as the pipeline scored it. */
    record Patient(String id, String trajectory, List<Row> rows, List<ScoredScan> scored, List<Alert> alerts) {

        /** Whether the manifest's trajectory (any case; a folder may name none) is this kind. */
        boolean is(Trajectory kind) {
            return kind.name().equalsIgnoreCase(trajectory);
        }
    }

    final List<Row> labelled;
    final List<float[]> vectors;
    final ReferenceIndex index;
    final int k;
    final int searchK;
    final Purity forest;
    final Purity exact;
    final List<Patient> patients = new ArrayList<>();
    final Scoring scoring;
    final DriftRule rule;
    /** Whether a labelled scan is asked for its neighbours (cross-validation: the held-out fold); all are references. */
    final Predicate<Row> queried;
    /** The score of every queried labelled scan (filled by the forest purity pass). */
    final List<ScanScore> scores = new ArrayList<>();
    /** Scores and radiologist severities of the queried scans that carry one, in the same order. */
    private final double[] ratedScores;

    private final double[] ratedSeverities;

    Evaluation(
            EmbeddingModel model, List<Row> labelled, int k, int trees, int searchK, Scoring scoring, DriftRule rule) {
        this(model, labelled, r -> true, k, trees, searchK, scoring, rule);
    }

    Evaluation(
            EmbeddingModel model,
            List<Row> labelled,
            Predicate<Row> queried,
            int k,
            int trees,
            int searchK,
            Scoring scoring,
            DriftRule rule) {
        this(
                model.card().id(),
                model.card().version(),
                embed(model, labelled),
                labelled,
                queried,
                k,
                trees,
                searchK,
                scoring,
                rule);
        this.augmentedNoise = augmentedNoise(model);
        this.headSpearman = headSpearman(model);
    }

    /** Spearman of the model's own severity estimate (its head) on the queried rated scans (NaN without 3). */
    double headSpearman = Double.NaN;

    /**
     * What the neighbours' score is to be judged beside: the model's head reads a severity from the
     * same film (for an ordinal projection, the direction the neighbours are found along); the
     * score is the composition of the 36 nearest labelled films, so the difference is what finding
     * neighbours loses (or gains) over the model's own estimate.
     */
    private double headSpearman(EmbeddingModel model) {
        List<Row> rated = labelled.stream()
                .filter(r -> queried.test(r) && !Double.isNaN(r.severity()))
                .toList();
        if (rated.size() < 3) {
            return Double.NaN;
        }
        double[] estimate = forward(model, rated, model::head).stream()
                .mapToDouble(h -> h[h.length - 1])
                .toArray();
        return Agreement.spearman(
                estimate, rated.stream().mapToDouble(Row::severity).toArray());
    }

    /** Films whose score is measured under the augmentation, and views each. */
    static final int NOISE_SCANS = 48;

    static final int NOISE_VIEWS = 3;
    /** The acquisition changes a stable patient's films show (position, zoom, rotation, exposure, blur, noise). */
    static final Augmentation NOISE_AUGMENTATION = new Augmentation(0.5);

    /** Mean standard deviation of a film's score over itself and its augmented views (NaN without a model). */
    double augmentedNoise = Double.NaN;

    /** The same for its position on the grade axis. */
    double augmentedAxisNoise = Double.NaN;

    /**
     * The score's noise for one film: up to {@value #NOISE_SCANS} queried labelled films, each scored
     * as it is and under {@value #NOISE_VIEWS} seeded augmentations (what another exposure or
     * positioning of the same lungs gives); the mean over films of the scores' standard deviation.
     * Sets {@link #augmentedAxisNoise} likewise; returns the score's.
     */
    private double augmentedNoise(EmbeddingModel model) {
        List<Integer> picks = new ArrayList<>();
        for (int i = 0; i < labelled.size(); i++) {
            if (queried.test(labelled.get(i))) {
                picks.add(i);
            }
        }
        if (picks.isEmpty()) {
            return Double.NaN;
        }
        int step = Math.max(1, picks.size() / NOISE_SCANS);
        Preprocessing pre = model.preprocessing();
        double sdSum = 0;
        double axisSdSum = 0;
        int films = 0;
        for (int p = 0; p < picks.size() && films < NOISE_SCANS; p += step) {
            Row r = labelled.get(picks.get(p));
            float[] resized = pre.resized(Preprocessing.decode(r.png()));
            List<float[]> inputs = new ArrayList<>();
            inputs.add(pre.finish(resized));
            SplittableRandom random = new SplittableRandom(1000L + picks.get(p));
            for (int v = 0; v < NOISE_VIEWS; v++) {
                inputs.add(pre.finish(NOISE_AUGMENTATION.apply(resized, pre.size(), random.split())));
            }
            List<Scoring.Score> scores = model.embed(inputs).stream()
                    .map(q -> index.score(q, r.patient(), k, searchK, scoring).score())
                    .toList();
            sdSum += sd(scores.stream().mapToDouble(Scoring.Score::score).toArray());
            axisSdSum +=
                    sd(scores.stream().mapToDouble(Scoring.Score::axisPosition).toArray());
            films++;
        }
        augmentedAxisNoise = axisSdSum / films;
        return sdSum / films;
    }

    private static double sd(double[] x) {
        double mean = Arrays.stream(x).average().orElse(0);
        return Math.sqrt(Arrays.stream(x).map(v -> (v - mean) * (v - mean)).sum() / (x.length - 1));
    }

    /** The augmented noise of what the rise from the baseline is measured on. */
    double augmentedNoise(BaselineSignal signal) {
        return signal == BaselineSignal.AXIS ? augmentedAxisNoise : augmentedNoise;
    }

    /**
     * Root mean square of {@code signal}'s step (the score's or the axis position's) between
     * consecutive films of stable patients (NaN without any).
     */
    double stableStepRms(BaselineSignal signal) {
        double sum = 0;
        int n = 0;
        for (Patient p : patients) {
            if (!p.is(Trajectory.STABLE)) {
                continue;
            }
            for (int i = 1; i < p.scored().size(); i++) {
                double d = signal.of(p.scored().get(i)) - signal.of(p.scored().get(i - 1));
                sum += d * d;
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.sqrt(sum / n);
    }

    /** The figures of vectors computed elsewhere (a floor's pixels, a teacher's raw features), one per labelled row. */
    Evaluation(
            String id,
            String version,
            List<float[]> vectors,
            List<Row> labelled,
            Predicate<Row> queried,
            int k,
            int trees,
            int searchK,
            Scoring scoring,
            DriftRule rule) {
        this.queried = queried;
        this.labelled = labelled;
        this.k = k;
        this.searchK = searchK;
        this.scoring = scoring;
        this.rule = rule;
        this.vectors = vectors;
        this.index = new ReferenceIndex(
                id, version, Metric.ANGULAR, vectors.get(0).length, trees, 42, 1e9, Duration.ofDays(365), (b, s) -> {});
        for (int i = 0; i < labelled.size(); i++) {
            index.add(
                    "ref-" + i,
                    labelled.get(i).patient(),
                    labelled.get(i).level(),
                    labelled.get(i).severity(),
                    vectors.get(i));
        }
        index.index().rebuildNow();
        this.forest = purity(false);
        this.exact = purity(true);
        List<ScanScore> rated =
                scores.stream().filter(s -> !Double.isNaN(s.row().severity())).toList();
        this.ratedScores = rated.stream().mapToDouble(ScanScore::score).toArray();
        this.ratedSeverities =
                rated.stream().mapToDouble(s -> s.row().severity()).toArray();
    }

    /** Spearman's rank correlation of score and radiologist severity (NaN with fewer than 3 rated scans). */
    double severitySpearman() {
        return ratedScores.length < 3 ? Double.NaN : Agreement.spearman(ratedScores, ratedSeverities);
    }

    /** Pearson's correlation of score and radiologist severity. */
    double severityPearson() {
        return ratedScores.length < 3 ? Double.NaN : Agreement.pearson(ratedScores, ratedSeverities);
    }

    /** Mean absolute difference of score and radiologist severity (both in [0, 1]). */
    double severityMae() {
        return ratedScores.length == 0 ? Double.NaN : Agreement.meanAbsoluteError(ratedScores, ratedSeverities);
    }

    /** Scans with a radiologist severity among the queried ones. */
    int ratedScans() {
        return ratedScores.length;
    }

    /** Area under the ROC curve of the score separating healthy scans (low) from infected and severe (high). */
    double aurocHealthy() {
        double[] healthy = scores.stream()
                .filter(s -> s.row().level() == Level.HEALTHY)
                .mapToDouble(ScanScore::score)
                .toArray();
        double[] ill = scores.stream()
                .filter(s -> s.row().level() != Level.HEALTHY)
                .mapToDouble(ScanScore::score)
                .toArray();
        return Agreement.auroc(healthy, ill);
    }

    /**
     * Level thresholds fitted on the queried labelled scans' scores (each scored without its own
     * patient): the infected threshold separates healthy from infected-or-severe, the severe one
     * severe from the rest, each at its best Youden J. {@code [infected, severe]}, NaN where a level
     * is missing.
     */
    double[] fittedThresholds() {
        double[] healthy = scoresOf(l -> l == Level.HEALTHY);
        double[] ill = scoresOf(l -> l != Level.HEALTHY);
        double[] notSevere = scoresOf(l -> l != Level.SEVERE);
        double[] severe = scoresOf(l -> l == Level.SEVERE);
        return new double[] {Agreement.youdenCut(healthy, ill), Agreement.youdenCut(notSevere, severe)};
    }

    private double[] scoresOf(Predicate<Level> level) {
        return scores.stream()
                .filter(s -> level.test(s.row().level()))
                .mapToDouble(ScanScore::score)
                .toArray();
    }

    /** Scores each patient's scans against the labelled set and runs the drift rule over them. */
    void trajectories(EmbeddingModel model, List<Row> rows) {
        Map<String, List<Row>> byPatient = new LinkedHashMap<>();
        rows.forEach(r ->
                byPatient.computeIfAbsent(r.patient(), p -> new ArrayList<>()).add(r));
        List<float[]> v = embed(model, rows);
        Map<Row, float[]> vectorOf = new IdentityHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            vectorOf.put(rows.get(i), v.get(i));
        }
        for (var e : byPatient.entrySet()) {
            List<ScoredScan> scored = new ArrayList<>();
            for (Row r : e.getValue()) {
                float[] q = vectorOf.get(r);
                Scoring.Score s =
                        index.score(q, r.patient(), k, searchK, scoring).score();
                scored.add(new ScoredScan(
                        r.file(),
                        r.acquiredAt(),
                        s.score(),
                        s.composition().healthy(),
                        s.composition().infected(),
                        s.composition().severe(),
                        s.axisPosition()));
            }
            patients.add(new Patient(
                    e.getKey(),
                    e.getValue().get(0).trajectory(),
                    e.getValue(),
                    scored,
                    rule.evaluate(e.getKey(), scored)));
        }
    }

    private Purity purity(boolean exhaustive) {
        Map<Level, Double> sum = new EnumMap<>(Level.class);
        Map<Level, int[]> histogram = new EnumMap<>(Level.class);
        Map<Level, LevelCounts> confusion = new EnumMap<>(Level.class);
        for (Level level : Level.values()) {
            sum.put(level, 0.0);
            histogram.put(level, new int[10]);
            confusion.put(level, LevelCounts.NONE);
        }
        for (int i = 0; i < labelled.size(); i++) {
            if (!queried.test(labelled.get(i))) {
                continue;
            }
            List<Scoring.Labelled> nn;
            if (exhaustive) {
                nn = exactNearest(i);
            } else {
                // The forest pass is also the scan's score, as the indexer gives it: one search, both figures.
                Row r = labelled.get(i);
                ReferenceIndex.Scored scored = index.score(vectors.get(i), r.patient(), k, searchK, scoring);
                Scoring.Score s = scored.score();
                scores.add(new ScanScore(r, s.score(), s.level(), s.composition()));
                nn = scored.neighbours();
            }
            LevelCounts per = LevelCounts.of(nn, Scoring.Labelled::label);
            Level truth = labelled.get(i).level();
            double p = (double) per.get(truth) / k;
            sum.merge(truth, p, Double::sum);
            histogram.get(truth)[Math.min(9, (int) (p * 10))]++;
            confusion.put(truth, confusion.get(truth).plus(per.majority()));
        }
        Map<Level, Double> mean = new EnumMap<>(Level.class);
        sum.forEach((level, total) -> {
            int count = confusion.get(level).total();
            mean.put(level, count == 0 ? Double.NaN : total / count);
        });
        return new Purity(mean, histogram, confusion);
    }

    private List<Scoring.Labelled> exactNearest(int i) {
        String patient = labelled.get(i).patient();
        List<Scoring.Labelled> out = new ArrayList<>();
        index.index()
                .exact(vectors.get(i), k, o -> !patient.equals(index.entry(o).patient()))
                .forEach(n -> out.add(new Scoring.Labelled(
                        index.entry(n.ordinal()).scanId(),
                        n.distance(),
                        index.entry(n.ordinal()).label())));
        return out;
    }

    /** Worsening patients with an escalation or worsening alert. */
    double sensitivity() {
        List<Patient> worsening =
                patients.stream().filter(p -> p.is(Trajectory.WORSENING)).toList();
        return worsening.isEmpty()
                ? Double.NaN
                : (double) worsening.stream().filter(p -> alerts(p) > 0).count() / worsening.size();
    }

    /**
     * Sensitivity and specificity of another drift rule over the same scored series (e.g. one that
     * escalates on a single scan: real series are often two or three scans, and a rule that wants
     * two scans above a threshold cannot alert on the second of two).
     */
    double[] sensitivitySpecificity(DriftRule other) {
        int[] c = RuleSearch.counts(patients.stream().map(RuleSearch::series).toList(), other);
        return new double[] {
            c[1] == 0 ? Double.NaN : (double) c[0] / c[1], c[3] == 0 ? Double.NaN : (double) c[2] / c[3]
        };
    }

    /** Stable and improving patients without one. */
    double specificity() {
        List<Patient> quiet = quietPatients();
        return quiet.isEmpty()
                ? Double.NaN
                : (double) quiet.stream().filter(p -> alerts(p) == 0).count() / quiet.size();
    }

    /** Alerts on stable and improving patients per 100 of their scans. */
    double falseAlertsPer100Scans() {
        List<Patient> quiet = quietPatients();
        int scans = quiet.stream().mapToInt(p -> p.rows().size()).sum();
        return scans == 0
                ? Double.NaN
                : 100.0 * quiet.stream().mapToInt(Evaluation::alerts).sum() / scans;
    }

    /** Median of (scan index where the true level became severe - scan index of the first alert). */
    double medianLeadScans() {
        List<Integer> leads = new ArrayList<>();
        for (Patient p : patients) {
            if (!p.is(Trajectory.WORSENING) || alerts(p) == 0) {
                continue;
            }
            int severeAt = -1;
            for (int i = 0; i < p.rows().size(); i++) {
                if (p.rows().get(i).level() == Level.SEVERE) {
                    severeAt = i;
                    break;
                }
            }
            String first = p.alerts().stream()
                    .filter(Alert::worsens)
                    .findFirst()
                    .orElseThrow()
                    .scan()
                    .scanId();
            int alertAt = 0;
            while (!p.rows().get(alertAt).file().equals(first)) {
                alertAt++;
            }
            if (severeAt >= 0) {
                leads.add(severeAt - alertAt);
            }
        }
        if (leads.isEmpty()) {
            return Double.NaN;
        }
        int[] sorted = leads.stream().mapToInt(Integer::intValue).sorted().toArray();
        return sorted.length % 2 == 1
                ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
    }

    private List<Patient> quietPatients() {
        return patients.stream()
                .filter(p -> p.is(Trajectory.STABLE) || p.is(Trajectory.IMPROVING))
                .toList();
    }

    static int alerts(Patient p) {
        return (int) p.alerts().stream().filter(Alert::worsens).count();
    }

    static List<float[]> embed(EmbeddingModel model, List<Row> rows) {
        return forward(model, rows, model::embed);
    }

    /** One row's output of {@code pass} (32 films a batch) per film, preprocessed as the model wants. */
    static List<float[]> forward(EmbeddingModel model, List<Row> rows, UnaryOperator<List<float[]>> pass) {
        List<float[]> inputs = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            inputs.add(null);
        }
        IntStream.range(0, rows.size())
                .parallel()
                .forEach(i -> inputs.set(
                        i,
                        model.preprocessing()
                                .input(Preprocessing.decode(rows.get(i).png()))));
        List<float[]> out = new ArrayList<>(rows.size());
        for (int from = 0; from < inputs.size(); from += 32) {
            out.addAll(pass.apply(inputs.subList(from, Math.min(inputs.size(), from + 32))));
        }
        return out;
    }

    /** Reads a manifest folder (the layout 'xray-drift phantoms' writes); the acquisition time is required. */
    static List<Row> read(Path dir) {
        List<Row> rows = new ArrayList<>();
        for (Manifest.Entry e : Manifest.read(dir)) {
            if (e.acquiredAt() == null) {
                throw new IllegalArgumentException(dir.resolve(PhantomSet.MANIFEST) + " line " + e.line()
                        + ": acquired_at is empty; the evaluation orders scans by it");
            }
            rows.add(new Row(
                    e.file(),
                    e.patient(),
                    Level.valueOf(e.grade().name()),
                    e.severity(),
                    e.acquiredAt(),
                    e.trajectory(),
                    e.read()));
        }
        return rows;
    }
}
