package io.xraydrift.indexer.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.indexer.forest.LiveIndex;
import io.xraydrift.indexer.reference.ReferenceIndex;
import io.xraydrift.platform.http.Metrics;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.platform.kafka.TransactionalLoop;
import io.xraydrift.platform.kafka.Transactions;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The indexer's loop, three duties wired together: the {@link ReferenceReader} keeps the
 * per-model-version reference indexes current from every partition of {@code xray.embeddings};
 * {@link Answering} answers, for the partitions the {@code xray-indexer} group assigns this
 * replica, each scan's k nearest labelled neighbours, in one Kafka transaction with its offsets
 * ({@link TransactionalLoop}); the {@link SnapshotStore} writes the indexes with the reader's
 * offsets every snapshot interval and at a clean stop, and loads them at start. Before answering a
 * batch, the reader catches up to the topic's end.
 */
final class IndexerLoop implements Runnable, TransactionalLoop.Processor {

    private static final Logger LOG = LoggerFactory.getLogger(IndexerLoop.class);
    static final String GROUP = ServiceAccess.INDEXER.prefix();

    private final IndexerConfig config;
    private final Map<String, ReferenceIndex> indexes;
    private final SnapshotStore snapshots;
    private final ReferenceReader reader;
    private final Answering answering;
    private final TransactionalLoop loop;
    private final Counter rebuilds;
    private final Timer rebuildTime;
    private Instant lastSnapshot = Instant.now();
    private volatile List<Integer> assigned = List.of();

    IndexerLoop(IndexerConfig config, EventSerdes serdes, Metrics metrics) {
        this.config = config;
        ReferenceIndexes references = new ReferenceIndexes(config, this::rebuilt);
        this.indexes = references.map();
        this.snapshots = new SnapshotStore(config, this::rebuilt);
        KafkaConsumer<String, byte[]> store = Transactions.consumer(config.common(), "store", null, 2000, Map.of());
        KafkaConsumer<String, byte[]> queries = Transactions.consumer(config.common(), "query", GROUP, 200, Map.of());
        Supplier<Producer<String, byte[]>> producers = () -> {
            KafkaProducer<String, byte[]> p = Transactions.producer(
                    config.common(),
                    ServiceAccess.INDEXER.transactionalId(config.common().instanceId()),
                    Map.of());
            metrics.bind(p);
            return p;
        };
        MeterRegistry r = metrics.registry();
        metrics.bind(store);
        metrics.bind(queries);
        this.reader = new ReferenceReader(store, serdes.valueDeserializer(Topics.EMBEDDINGS), references);
        this.answering = new Answering(
                config,
                references,
                serdes.valueDeserializer(Topics.EMBEDDINGS),
                serdes.valueSerializer(Topics.NEIGHBOURS),
                serdes.valueSerializer(Topics.DEAD_LETTER),
                r);
        this.loop = new TransactionalLoop(
                "indexer loop",
                queries,
                producers,
                Set.of(Topics.EMBEDDINGS.name()),
                TransactionalLoop.Batching.singlePoll(Duration.ofMillis(100)),
                this);
        this.rebuilds = Counter.builder("xray_indexer_rebuilds").register(r);
        this.rebuildTime = Timer.builder("xray_indexer_rebuild").register(r);
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
        return answering.counts();
    }

    /** A recently answered scan, for the query API (null if unknown). */
    Answering.Query queryOf(String scanId) {
        return answering.queryOf(scanId);
    }

    @Override
    public void run() {
        loop.run();
    }

    @Override
    public void starting() throws IOException {
        reader.start(snapshots.load(indexes));
    }

    @Override
    public void assigned(Collection<TopicPartition> now) {
        assigned = now.stream().map(TopicPartition::partition).sorted().toList();
    }

    @Override
    public void idle() {
        reader.poll(); // keep the indexes current without asking the broker for ends
    }

    @Override
    public TransactionalLoop.Output process(List<ConsumerRecord<String, byte[]>> batch) {
        reader.catchUp(loop::running);
        return answering.answer(batch);
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
            reader.close();
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

    private void snapshot() {
        lastSnapshot = Instant.now();
        if (!indexes.isEmpty()) {
            snapshots.write(indexes.values(), reader.positions());
        }
    }

    boolean healthy() {
        return loop.alive();
    }

    void stop() {
        loop.stop();
    }
}
