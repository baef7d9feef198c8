package io.xraydrift.indexer.service;

import io.xraydrift.events.ScanEmbedded;
import io.xraydrift.schemas.RegistryUnavailableException;
import io.xraydrift.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The indexer's reading duty: a "store" consumer, in no group, reads every partition of {@code
 * xray.embeddings} into the per-model-version reference indexes (labelled scans only), from where
 * the last snapshot left off. The answering side asks it to catch up to the topic's end before each
 * batch, so a scan's neighbours include every labelled scan written before it.
 */
final class ReferenceReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceReader.class);

    private final KafkaConsumer<String, byte[]> store;
    private final Deserializer<ScanEmbedded> embeddings;
    private final ReferenceIndexes references;
    private final List<TopicPartition> partitions = new ArrayList<>();

    ReferenceReader(
            KafkaConsumer<String, byte[]> store, Deserializer<ScanEmbedded> embeddings, ReferenceIndexes references) {
        this.store = store;
        this.embeddings = embeddings;
        this.references = references;
    }

    /** Takes every partition of the topic, each from the snapshot's next offset or from its beginning. */
    void start(Map<Integer, Long> snapshotOffsets) {
        for (PartitionInfo info : store.partitionsFor(Topics.EMBEDDINGS.name())) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        store.assign(partitions);
        for (TopicPartition tp : partitions) {
            Long from = snapshotOffsets.get(tp.partition());
            if (from != null) {
                store.seek(tp, from);
            } else {
                store.seekToBeginning(Set.of(tp));
            }
        }
    }

    /** Indexes what has arrived, without waiting or asking the broker for the topic's ends. */
    void poll() {
        index(store.poll(Duration.ZERO));
    }

    /** Reads up to the topic's current end (while {@code running}), indexing labelled scans. */
    void catchUp(BooleanSupplier running) {
        Map<TopicPartition, Long> ends = store.endOffsets(partitions);
        while (running.getAsBoolean()) {
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

    /** The next offset to read per partition: where a snapshot of the indexes read so far resumes. */
    Map<Integer, Long> positions() {
        Map<Integer, Long> offsets = new HashMap<>();
        for (TopicPartition tp : store.assignment()) {
            offsets.put(tp.partition(), store.position(tp));
        }
        return offsets;
    }

    @Override
    public void close() {
        store.close(Duration.ofSeconds(10));
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
            return; // the answering side dead-letters it
        }
        if (e.getReferenceLabel() == null) {
            return;
        }
        try {
            references.add(e, Answering.vector(e));
        } catch (IllegalArgumentException ex) {
            // Not indexed; the answering side dead-letters the same record with this reason.
            LOG.warn(
                    "labelled scan at {}[{}]@{} not indexed: {}",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    ex.getMessage());
        }
    }
}
