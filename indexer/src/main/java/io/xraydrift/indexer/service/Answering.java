package io.xraydrift.indexer.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.xraydrift.events.Composition;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.LevelCounts;
import io.xraydrift.events.Neighbour;
import io.xraydrift.events.ScanEmbedded;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.indexer.reference.ModelKey;
import io.xraydrift.indexer.reference.ReferenceIndex;
import io.xraydrift.indexer.reference.Scoring;
import io.xraydrift.platform.kafka.DeadLetters;
import io.xraydrift.platform.kafka.TransactionalLoop;
import io.xraydrift.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The indexer's answering duty: for each scan of a batch (the partitions of {@code
 * xray.embeddings} assigned to this replica), its k nearest labelled neighbours in its model
 * version's reference index (own patient excluded), scored, as a {@code xray.neighbours} record;
 * a scan whose model version is not the one answering is left unanswered, a malformed one is
 * dead-lettered with the reason. Remembers recent queries for the query API.
 */
final class Answering {

    /** Largest vector a model may declare (ResNet152 gives 2,048). */
    static final int MAX_DIMENSION = 65_536;

    /** A scan the indexer has answered: which model index, whose, and its vector. */
    record Query(String modelKey, String patient, float[] vector) {}

    private final IndexerConfig config;
    private final ReferenceIndexes references;
    private final Map<String, ReferenceIndex> indexes;
    private final Deserializer<ScanEmbedded> embeddings;
    private final Serializer<ScanNeighbours> neighbours;
    private final Serializer<DeadLetter> deadLetters;
    private final Map<String, Query> recentQueries = new ConcurrentHashMap<>();
    private final Counter answered;
    private final Counter silent;
    private final Counter deadLettered;
    private final Timer queryTime;

    Answering(
            IndexerConfig config,
            ReferenceIndexes references,
            Deserializer<ScanEmbedded> embeddings,
            Serializer<ScanNeighbours> neighbours,
            Serializer<DeadLetter> deadLetters,
            MeterRegistry r) {
        this.config = config;
        this.references = references;
        this.indexes = references.map();
        this.embeddings = embeddings;
        this.neighbours = neighbours;
        this.deadLetters = deadLetters;
        this.answered = Counter.builder("xray_indexer_scans_answered").register(r);
        this.deadLettered = Counter.builder("xray_indexer_dead_letters").register(r);
        this.silent = Counter.builder("xray_indexer_scans_not_answered")
                .description("scans of a model version whose cohort is incomplete or superseded")
                .register(r);
        this.queryTime = Timer.builder("xray_indexer_query")
                .publishPercentiles(0.5, 0.99)
                .register(r);
    }

    /** Scans answered, left unanswered (model version not answering) and dead-lettered so far. */
    Map<String, Long> counts() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("answered", (long) answered.count());
        out.put("notAnswered", (long) silent.count());
        out.put("deadLettered", (long) deadLettered.count());
        return out;
    }

    /** A recently answered scan, for the query API (null if unknown). */
    Query queryOf(String scanId) {
        return recentQueries.get(scanId);
    }

    /** Answers a batch: the neighbours of each scan of the answering model version, dead letters for the malformed. */
    TransactionalLoop.Output answer(List<ConsumerRecord<String, byte[]>> batch) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        int dead = 0;
        String answering = references.answering(); // the reader caught up before the batch
        for (ConsumerRecord<String, byte[]> r : batch) {
            ScanNeighbours n;
            try {
                ScanEmbedded e = embeddings.deserialize(r.topic(), r.value());
                // A malformed vector is dead-lettered whichever model version it claims.
                float[] v = checked(e);
                if (!key(e).equals(answering)) {
                    silent.increment();
                    continue;
                }
                n = queryTime.record(() -> neighboursOf(e, v));
            } catch (RetriableException ex) {
                throw ex; // the registry did not answer: not the scan's fault, the batch is read again
            } catch (RuntimeException ex) {
                dead++;
                DeadLetter d = DeadLetters.of(
                        "indexer",
                        r,
                        "record at " + r.topic() + "[" + r.partition() + "]@" + r.offset() + ": " + ex.getMessage(),
                        ex);
                out.add(DeadLetters.record(d, deadLetters));
                continue;
            }
            // Writing the answer fails only if the registry does not answer: not the scan's fault,
            // so it propagates (the batch is read again) instead of dead-lettering a good scan.
            out.add(new ProducerRecord<>(
                    Topics.NEIGHBOURS.name(), n.getPatient(), neighbours.serialize(Topics.NEIGHBOURS.name(), n)));
        }
        int deadLetters = dead;
        return TransactionalLoop.Output.of(out, () -> {
            answered.increment(out.size() - deadLetters);
            deadLettered.increment(deadLetters);
        });
    }

    /** The index a scan's model version has: {@code model@version}. */
    static String key(ScanEmbedded e) {
        return ModelKey.of(e.getModel()).toString();
    }

    /** The scored neighbours of one scan, whose vector {@link #checked} gave. */
    private ScanNeighbours neighboursOf(ScanEmbedded e, float[] v) {
        String key = key(e);
        ReferenceIndex ref = indexes.get(key);
        if (ref == null) {
            throw new IllegalStateException(
                    "scan " + e.getScanId() + ": no labelled scans of model " + key + " to compare with yet");
        }
        rememberQuery(e.getScanId(), new Query(key, e.getPatient(), v));
        ref.modelLevels(e.getModel().getInfectedThreshold(), e.getModel().getSevereThreshold());
        ReferenceIndex.Scored scored = ref.score(
                v,
                e.getPatient(),
                config.k(),
                config.effectiveSearchK(),
                config.scoring()
                        .forModel(
                                e.getModel().getInfectedThreshold(),
                                e.getModel().getSevereThreshold()));
        Scoring.Score score = scored.score();
        LevelCounts c = score.composition();
        List<Neighbour> list = new ArrayList<>(scored.neighbours().size());
        scored.neighbours()
                .forEach(n -> list.add(new Neighbour(
                        n.scanId(), n.distance(), n.label(), Double.isNaN(n.severity()) ? null : n.severity())));
        return ScanNeighbours.newBuilder()
                .setScanId(e.getScanId())
                .setPatient(e.getPatient())
                .setAcquiredAt(e.getAcquiredAt())
                .setModel(e.getModel())
                .setIndexVersion(ref.index().built().version())
                .setNeighbours(list)
                .setComposition(new Composition(c.healthy(), c.infected(), c.severe()))
                .setSeverityScore(score.score())
                .setAxisPosition(score.axisPosition())
                .setLevel(score.level())
                .setScoredAt(Instant.now())
                .build();
    }

    private void rememberQuery(String scanId, Query v) {
        if (recentQueries.size() > 100_000) {
            recentQueries.clear();
        }
        recentQueries.put(scanId, v);
    }

    /** The scan's vector, refused if malformed or of another width than its model version's index. */
    private float[] checked(ScanEmbedded e) {
        float[] v = vector(e);
        ReferenceIndex ref = indexes.get(key(e));
        if (ref != null && v.length != ref.dim()) {
            throw new IllegalArgumentException("scan " + e.getScanId() + ": vector has " + v.length
                    + " dims, the index " + "of model " + key(e) + " holds " + ref.dim() + "-dim vectors");
        }
        return v;
    }

    static float[] vector(ScanEmbedded e) {
        List<Float> list = e.getVector();
        int dim = e.getModel().getDimension();
        if (dim < 1 || dim > MAX_DIMENSION) {
            throw new IllegalArgumentException("scan " + e.getScanId() + ": model " + key(e) + " has dimension " + dim
                    + ", outside [1, " + MAX_DIMENSION + "]");
        }
        if (list.size() != dim) {
            throw new IllegalArgumentException("scan " + e.getScanId() + ": vector has " + list.size() + " dims, model "
                    + e.getModel().getId() + " says " + e.getModel().getDimension());
        }
        float[] v = new float[list.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = list.get(i);
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException("scan " + e.getScanId() + ": vector has " + v[i] + " at index " + i);
            }
        }
        return v;
    }
}
