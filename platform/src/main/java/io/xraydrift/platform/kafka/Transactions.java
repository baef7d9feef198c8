package io.xraydrift.platform.kafka;

import io.xraydrift.platform.config.ServiceConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;

/** What every transactional consume-transform-produce loop needs around its transaction. */
public final class Transactions {

    private Transactions() {}

    /**
     * A consumer of keys and raw values for a transactional loop: read_committed, no auto-commit,
     * {@code maxPollRecords} a poll; in a group (from the earliest offset where the group has none)
     * unless {@code group} is null (assigned partitions). {@code more} adds or overrides settings.
     */
    public static KafkaConsumer<String, byte[]> consumer(
            ServiceConfig common, String client, String group, int maxPollRecords, Map<String, Object> more) {
        Map<String, Object> c = new HashMap<>(common.kafka().clientProperties(common.clientId(client)));
        if (group != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        }
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        c.putAll(more);
        return new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * The transactional producer of a loop (idempotent, acks=all, 5 ms linger), under
     * {@code transactionalId} (one per instance: a restarted instance fences its predecessor).
     */
    public static KafkaProducer<String, byte[]> producer(
            ServiceConfig common, String transactionalId, Map<String, Object> more) {
        Map<String, Object> p = new HashMap<>(common.kafka().clientProperties(common.clientId("producer")));
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.putAll(more);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** The offsets to commit with a batch: one past the last record of each partition. */
    public static Map<TopicPartition, OffsetAndMetadata> nextOffsets(Iterable<? extends ConsumerRecord<?, ?>> batch) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (ConsumerRecord<?, ?> r : batch) {
            out.merge(
                    new TopicPartition(r.topic(), r.partition()),
                    new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return out;
    }

    /**
     * Commits the open transaction. A commit that timed out may still complete on the broker, and
     * the producer allows nothing after it but another commit (an abort is refused, which used to
     * kill the intake and embedder loops), so it is retried until it succeeds or {@code running}
     * turns false (stopping: the broker completes or aborts it, and an aborted batch is read again).
     * Returns whether the commit was confirmed.
     */
    public static boolean commit(Producer<?, ?> producer, BooleanSupplier running, Logger log, String what) {
        while (true) {
            try {
                producer.commitTransaction();
                return true;
            } catch (TimeoutException e) {
                if (!running.getAsBoolean()) {
                    log.warn("commit of {} timed out while stopping: {}", what, e.toString());
                    return false;
                }
                log.warn("commit of {} timed out, retrying: {}", what, e.toString());
            }
        }
    }

    /** After an aborted transaction, go back to the committed offsets so the batch is read again. */
    public static void rewindToCommitted(Consumer<?, ?> consumer) {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata om = committed.get(tp);
            if (om != null) {
                consumer.seek(tp, om.offset());
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
    }
}
