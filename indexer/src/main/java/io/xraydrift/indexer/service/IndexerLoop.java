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
import io.xraydrift.indexer.forest.LiveIndex;
import io.xraydrift.platform.http.Metrics;
import io.xraydrift.platform.kafka.DeadLetters;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.platform.kafka.TransactionalLoop;
import io.xraydrift.platform.kafka.Transactions;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.RegistryUnavailableException;
import io.xraydrift.schemas.Topics;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The indexer's loop. A "store" consumer reads every partition of {@code xray.embeddings} into
 * the per-model-version reference indexes (labelled scans only); a "query" consumer in the
 * {@code xray-indexer} group answers, for the partitions assigned to this replica, each scan's k
 * nearest labelled neighbours (same model version, own patient excluded), scored, in one Kafka
 * transaction with its offsets. Before answering, the store catches up to the topic's end, so a
 * scan's neighbours include every labelled scan written before it.
 */
final class IndexerLoop implements Runnable, TransactionalLoop.Processor {

    private static final Logger LOG = LoggerFactory.getLogger(IndexerLoop.class);
    static final String GROUP = ServiceAccess.INDEXER.prefix();
    /** Largest vector a model may declare (ResNet152 gives 2,048). */
    static final int MAX_DIMENSION = 65_536;

    private final IndexerConfig config;
    private final ReferenceIndexes references;
    private final SnapshotStore snapshots;
    private final Map<String, ReferenceIndex> indexes;
    private final Map<String, Query> recentQueries = new ConcurrentHashMap<>();

    /** A scan the loop has answered: which model index, whose, and its vector. */
    record Query(String modelKey, String patient, float[] vector) {}

    private final KafkaConsumer<String, byte[]> store;
    private final KafkaConsumer<String, byte[]> queries;
    private final Deserializer<ScanEmbedded> embeddings;
    private final Serializer<ScanNeighbours> neighbours;
    private final Serializer<DeadLetter> deadLetters;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final TransactionalLoop loop;
    private final Counter answered;
    private final Counter silent;
    private final Counter deadLettered;
    private final Counter rebuilds;
    private final Timer rebuildTime;
    private final Timer queryTime;
    private Instant lastSnapshot = Instant.now();
    private volatile List<Integer> assigned = List.of();

    IndexerLoop(IndexerConfig config, EventSerdes serdes, Metrics metrics) {
        this.config = config;
        this.references = new ReferenceIndexes(config, this::rebuilt);
        this.indexes = references.map();
        this.snapshots = new SnapshotStore(config, this::rebuilt);
        this.store = Transactions.consumer(config.common(), "store", null, 2000, Map.of());
        this.queries = Transactions.consumer(config.common(), "query", GROUP, 200, Map.of());
        Supplier<Producer<String, byte[]>> producers = () -> {
            KafkaProducer<String, byte[]> p = Transactions.producer(
                    config.common(),
                    ServiceAccess.INDEXER.transactionalId(config.common().instanceId()),
                    Map.of());
            metrics.bind(p);
            return p;
        };
        this.embeddings = serdes.valueDeserializer(Topics.EMBEDDINGS);
        this.neighbours = serdes.valueSerializer(Topics.NEIGHBOURS);
        this.deadLetters = serdes.valueSerializer(Topics.DEAD_LETTER);
        MeterRegistry r = metrics.registry();
        metrics.bind(store);
        metrics.bind(queries);
        this.loop = new TransactionalLoop(
                "indexer loop",
                queries,
                producers,
                Set.of(Topics.EMBEDDINGS.name()),
                TransactionalLoop.Batching.singlePoll(Duration.ofMillis(100)),
                this);
        this.answered = Counter.builder("xray_indexer_scans_answered").register(r);
        this.deadLettered = Counter.builder("xray_indexer_dead_letters").register(r);
        this.silent = Counter.builder("xray_indexer_scans_not_answered")
                .description("scans of a model version whose cohort is incomplete or superseded")
                .register(r);
        this.rebuilds = Counter.builder("xray_indexer_rebuilds").register(r);
        this.rebuildTime = Timer.builder("xray_indexer_rebuild").register(r);
        this.queryTime = Timer.builder("xray_indexer_query")
                .publishPercentiles(0.5, 0.99)
                .register(r);
        r.gauge(
                "xray_indexer_reference_vectors",
                indexes,
                m -> m.values().stream().mapToInt(ReferenceIndex::size).sum());
    }

    Map<String, ReferenceIndex> indexes() {
        return indexes;
    }

    /** The partitions of the topic this replica answers now (its share of the group's). */
    List<Integer> answering() {
        return assigned;
    }

    /** Scans answered, left unanswered (model version not answering) and dead-lettered so far. */
    Map<String, Long> counts() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("answered", (long) answered.count());
        out.put("notAnswered", (long) silent.count());
        out.put("deadLettered", (long) deadLettered.count());
        return out;
    }

    private static List<Integer> partitionNumbers(Collection<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::partition).sorted().toList();
    }

    /** A recently answered scan, for the query API (null if unknown). */
    Query queryOf(String scanId) {
        return recentQueries.get(scanId);
    }

    @Override
    public void run() {
        loop.run();
    }

    @Override
    public void starting() throws IOException {
        for (PartitionInfo info : store.partitionsFor(Topics.EMBEDDINGS.name())) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        store.assign(partitions);
        Map<Integer, Long> offsets = snapshots.load(indexes);
        for (TopicPartition tp : partitions) {
            Long from = offsets.get(tp.partition());
            if (from != null) {
                store.seek(tp, from);
            } else {
                store.seekToBeginning(Set.of(tp));
            }
        }
    }

    @Override
    public void assigned(Collection<TopicPartition> now) {
        assigned = partitionNumbers(now);
    }

    @Override
    public void idle() {
        index(store.poll(Duration.ZERO)); // keep the store current without asking the broker for ends
    }

    @Override
    public TransactionalLoop.Output process(List<ConsumerRecord<String, byte[]>> batch) {
        catchUp(partitions);
        return answer(batch);
    }

    @Override
    public void afterPoll() {
        if (Duration.between(lastSnapshot, Instant.now()).compareTo(config.snapshotInterval()) > 0) {
            snapshot();
        }
    }

    @Override
    public void finished(boolean cleanly) {
        try {
            if (cleanly) {
                snapshot();
            }
        } finally {
            store.close(Duration.ofSeconds(10));
        }
    }

    /** Reads the store consumer up to the topic's current end, indexing labelled scans. */
    private void catchUp(List<TopicPartition> partitions) {
        Map<TopicPartition, Long> ends = store.endOffsets(partitions);
        while (loop.running()) {
            boolean behind = false;
            for (TopicPartition tp : partitions) {
                if (store.position(tp) < ends.get(tp)) {
                    behind = true;
                    break;
                }
            }
            if (!behind) {
                return;
            }
            index(store.poll(Duration.ofMillis(100)));
        }
    }

    /**
     * Adds the labelled scans among the records to their model version's reference index. If the
     * registry does not answer, the store is set back to the first record not indexed and the
     * failure propagates (the loop retries), so no labelled scan is skipped.
     */
    private void index(ConsumerRecords<String, byte[]> records) {
        List<TopicPartition> parts = new ArrayList<>(records.partitions());
        for (int p = 0; p < parts.size(); p++) {
            for (ConsumerRecord<String, byte[]> r : records.records(parts.get(p))) {
                try {
                    index(r);
                } catch (RegistryUnavailableException ex) {
                    // Not indexed yet: the store reads this record and the rest of the batch again.
                    store.seek(parts.get(p), r.offset());
                    for (TopicPartition later : parts.subList(p + 1, parts.size())) {
                        store.seek(later, records.records(later).get(0).offset());
                    }
                    throw ex;
                }
            }
        }
    }

    /** Adds one record to its model version's reference index if it is a well-formed labelled scan. */
    private void index(ConsumerRecord<String, byte[]> r) {
        ScanEmbedded e;
        try {
            e = embeddings.deserialize(r.topic(), r.value());
        } catch (RegistryUnavailableException ex) {
            throw ex;
        } catch (RuntimeException ex) {
            return; // the query side dead-letters it
        }
        if (e.getReferenceLabel() == null) {
            return;
        }
        try {
            references.add(e, vector(e));
        } catch (IllegalArgumentException ex) {
            // Not indexed; the query side dead-letters the same record with this reason.
            LOG.warn(
                    "labelled scan at {}[{}]@{} not indexed: {}",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    ex.getMessage());
        }
    }

    private void rebuilt(LiveIndex.Built built, int size) {
        rebuilds.increment();
        rebuildTime.record(built.buildTime());
        LOG.info(
                "forest version {} rebuilt over {} vectors in {} ms",
                built.version(),
                size,
                built.buildTime().toMillis());
    }

    private TransactionalLoop.Output answer(List<ConsumerRecord<String, byte[]>> batch) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        int dead = 0;
        String answering = references.answering(); // the store caught up before the batch
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
    private static String key(ScanEmbedded e) {
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

    private void snapshot() {
        lastSnapshot = Instant.now();
        if (indexes.isEmpty()) {
            return;
        }
        Map<Integer, Long> offsets = new HashMap<>();
        for (TopicPartition tp : store.assignment()) {
            offsets.put(tp.partition(), store.position(tp));
        }
        snapshots.write(indexes.values(), offsets);
    }

    boolean healthy() {
        return loop.alive();
    }

    void stop() {
        loop.stop();
    }
}
