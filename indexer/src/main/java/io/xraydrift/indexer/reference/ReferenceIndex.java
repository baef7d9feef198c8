package io.xraydrift.indexer.reference;

import io.xraydrift.events.Level;
import io.xraydrift.events.LevelCounts;
import io.xraydrift.indexer.forest.Forest;
import io.xraydrift.indexer.forest.LiveIndex;
import io.xraydrift.indexer.forest.Metric;
import io.xraydrift.indexer.forest.Neighbour;
import io.xraydrift.indexer.forest.Vectors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The labelled scans of one model version: their forest (a {@link LiveIndex}), who they are
 * (scan id, patient, label by ordinal), the count per label and the grade axis
 * ({@link GradeAxis}). One writer (the indexer loop) adds; HTTP readers search concurrently.
 */
public final class ReferenceIndex implements AutoCloseable {

    /** Who a vector is; {@code severity} is its radiologist severity in [0, 1], NaN when not rated. */
    public record Entry(String scanId, String patient, Level label, double severity) {

        public Entry(String scanId, String patient, Level label) {
            this(scanId, patient, label, Double.NaN);
        }
    }

    private final String modelId;
    private final String modelVersion;
    private final LiveIndex index;
    private volatile Entry[] entries = new Entry[1024];
    private final Map<String, Integer> ordinals = new HashMap<>();

    private LevelCounts counts = LevelCounts.NONE;
    private volatile long firstSeen = Long.MAX_VALUE;
    private volatile boolean complete;
    /** The model's own level thresholds, as its scans' ModelRef carries them (null until one did, or none). */
    private volatile Double modelInfected;

    private volatile Double modelSevere;
    /** Each patient's ordinals: their films are left out of the grade axis's fit for their own queries. */
    private final Map<String, List<Integer>> byPatient = new HashMap<>();

    private GradeAxis axis;
    /** The grade axis's fit, solved on the first query after a change (not per query); null when stale. */
    private GradeAxis.Fit axisFit;
    /** References when the fit was solved (vectors of over {@value #CHEAP_FIT_DIM} dims are refitted per 1 % grown). */
    private int fittedAt;

    static final int CHEAP_FIT_DIM = 256;

    public ReferenceIndex(
            String modelId,
            String modelVersion,
            Metric metric,
            int dim,
            int trees,
            long seed,
            double rebuildFraction,
            Duration rebuildInterval,
            LiveIndex.RebuildListener listener) {
        this(
                modelId,
                modelVersion,
                new LiveIndex(
                        new Vectors(metric, dim, 1024),
                        trees,
                        seed,
                        Forest.defaultLeafSize(dim),
                        rebuildFraction,
                        rebuildInterval,
                        listener));
    }

    public ReferenceIndex(String modelId, String modelVersion, LiveIndex index) {
        this.modelId = modelId;
        this.modelVersion = modelVersion;
        this.index = index;
        this.axis = new GradeAxis(index.vectors().dim());
    }

    public String modelId() {
        return modelId;
    }

    public String modelVersion() {
        return modelVersion;
    }

    public LiveIndex index() {
        return index;
    }

    /** Records the level thresholds the model's scans carry (their ModelRef), for answers about this version. */
    public void modelLevels(Double infected, Double severe) {
        if (infected != null && severe != null) {
            modelInfected = infected;
            modelSevere = severe;
        }
    }

    /**
     * The scoring of this version's answers: the model's own thresholds where its scans carried them
     * and the deployment set none (as the answering loop scores), else {@code deployment}'s.
     */
    public Scoring scoring(Scoring deployment) {
        return deployment.forModel(modelInfected, modelSevere);
    }

    public int size() {
        return index.vectors().size();
    }

    public int dim() {
        return index.vectors().dim();
    }

    /** Adds a labelled scan; a scan id seen before is ignored (re-sent scans). Returns false if ignored. */
    public boolean add(String scanId, String patient, Level label, float[] vector) {
        return add(scanId, patient, label, Double.NaN, vector);
    }

    /** The model version this index belongs to. */
    public ModelKey key() {
        return new ModelKey(modelId, modelVersion);
    }

    /** Adds a labelled scan with its radiologist severity (NaN: not rated); a scan id seen before is ignored. */
    public synchronized boolean add(String scanId, String patient, Level label, double severity, float[] vector) {
        if (ordinals.containsKey(scanId)) {
            return false;
        }
        if (vector.length != dim()) {
            throw new IllegalArgumentException(
                    "scan " + scanId + ": vector has " + vector.length + " dims, index of " + key() + " has " + dim());
        }
        int ordinal = size();
        Entry[] e = entries;
        if (ordinal >= e.length) {
            e = Arrays.copyOf(e, e.length * 2);
        }
        e[ordinal] = new Entry(scanId, patient, label, severity);
        entries = e;
        ordinals.put(scanId, ordinal);
        index.add(vector);
        track(ordinal, patient, label, severity, index.vectors().view());
        counts = counts.plus(label);
        axisFit = null;
        return true;
    }

    public Entry entry(int ordinal) {
        return entries[ordinal];
    }

    /** The k nearest labelled scans, the patient's own excluded. */
    public List<Scoring.Labelled> nearest(float[] vector, String excludedPatient, int k, int searchK) {
        Entry[] e = entries;
        List<Neighbour> found = index.search(
                vector,
                k,
                searchK,
                ordinal -> excludedPatient == null || !excludedPatient.equals(e[ordinal].patient()));
        List<Scoring.Labelled> out = new ArrayList<>(found.size());
        for (Neighbour n : found) {
            Entry entry = e[n.ordinal()];
            out.add(new Scoring.Labelled(entry.scanId(), n.distance(), entry.label(), entry.severity()));
        }
        return out;
    }

    /** A scan's k nearest labelled neighbours (own patient excluded) and its score from them. */
    public record Scored(List<Scoring.Labelled> neighbours, Scoring.Score score) {}

    /** Neighbours and score of a vector: what the indexer emits, the query API answers and the evaluation judges. */
    public Scored score(float[] vector, String excludedPatient, int k, int searchK, Scoring scoring) {
        List<Scoring.Labelled> nn = nearest(vector, excludedPatient, k, searchK);
        return new Scored(nn, scoring.score(nn, axisPosition(vector, excludedPatient)));
    }

    /** Adds a held vector to the grade axis's sums and to its patient's ordinals. */
    private void track(int ordinal, String patient, Level label, double severity, Vectors.View view) {
        axis.add(view.data(), view.offset(ordinal), label, severity);
        byPatient.computeIfAbsent(patient, p -> new ArrayList<>()).add(ordinal);
    }

    /** Position on the grade axis of a scan of no labelled patient; NaN until a healthy and a severe scan are held. */
    public double axisPosition(float[] vector) {
        return axisPosition(vector, null);
    }

    /**
     * Position on the grade axis (the grade the references' linear fit gives the scan, its own
     * patient's labelled films left out of the fit); NaN until a healthy and a severe scan are held.
     */
    public double axisPosition(float[] vector, String excludedPatient) {
        List<GradeAxis.Own> own = new ArrayList<>();
        GradeAxis.Fit fit;
        synchronized (this) {
            if (counts.healthy() == 0 || counts.severe() == 0) {
                return Double.NaN;
            }
            if (axisFit == null || dim() > CHEAP_FIT_DIM && size() - fittedAt > size() / 100) {
                axisFit = axis.fit();
                fittedAt = size();
            }
            fit = axisFit;
            Vectors.View view = index.vectors().view();
            for (int ordinal :
                    excludedPatient == null ? List.<Integer>of() : byPatient.getOrDefault(excludedPatient, List.of())) {
                if (ordinal < fittedAt) {
                    Entry e = entries[ordinal];
                    own.add(new GradeAxis.Own(view.data(), view.offset(ordinal), e.label(), e.severity()));
                }
            }
        }
        return GradeAxis.position(fit, index.vectors().prepareQuery(vector), own);
    }

    /**
     * The earliest {@code embeddedAt} (epoch ms) of this version's labelled scans: when the model
     * version appeared. A minimum, so the same however the topic's partitions were read.
     */
    public long firstSeen() {
        return firstSeen;
    }

    public void seen(long embeddedAtMillis) {
        if (embeddedAtMillis < firstSeen) {
            firstSeen = embeddedAtMillis;
        }
    }

    /** Whether this version has held its labelled cohort (once true, stays true). */
    public boolean complete() {
        return complete;
    }

    public void markComplete() {
        complete = true;
    }

    /**
     * The key ({@code model@version}) of the version that answers: the newest version (by
     * {@link #firstSeen}) that holds its cohort; while none does, the oldest, with what it has.
     * Depends only on the indexes' contents, not on the order the topic was read in, so every
     * replica — restarted, replayed or live — picks the same version.
     */
    public static String answering(Map<String, ReferenceIndex> indexes) {
        Comparator<Map.Entry<String, ReferenceIndex>> byAge =
                Comparator.<Map.Entry<String, ReferenceIndex>>comparingLong(
                                e -> e.getValue().firstSeen())
                        .thenComparing(Map.Entry::getKey);
        return indexes.entrySet().stream()
                .filter(e -> e.getValue().complete())
                .max(byAge)
                .or(() -> indexes.entrySet().stream().min(byAge))
                .map(Map.Entry::getKey)
                .orElse(null);
    }

    /** Labelled scans per level. */
    public synchronized LevelCounts counts() {
        return counts;
    }

    /**
     * The sum of one label's vectors as the index holds them (normalised for the angular metric):
     * what a snapshot's CENTROID section carries, computed when it is written.
     */
    public synchronized double[] centroidSum(Level level) {
        double[] sum = new double[dim()];
        Vectors.View view = index.vectors().view();
        float[] data = view.data();
        for (int ordinal = 0; ordinal < size(); ordinal++) {
            if (entries[ordinal].label() == level) {
                int offset = view.offset(ordinal);
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += data[offset + i];
                }
            }
        }
        return sum;
    }

    /**
     * Restores entries and ordinals (snapshot load) over the vectors the caller restored into the
     * index, and regrows the label counts and the grade axis's sums from them.
     */
    public synchronized void restoreEntries(List<Entry> restored) {
        Entry[] e = new Entry[Math.max(1024, restored.size() * 2)];
        axis = new GradeAxis(dim());
        byPatient.clear();
        counts = LevelCounts.NONE;
        Vectors.View view = index.vectors().view();
        for (int i = 0; i < restored.size(); i++) {
            Entry entry = restored.get(i);
            e[i] = entry;
            ordinals.put(entry.scanId(), i);
            track(i, entry.patient(), entry.label(), entry.severity(), view);
            counts = counts.plus(entry.label());
        }
        entries = e;
        axisFit = null;
    }

    @Override
    public void close() {
        index.close();
    }
}
