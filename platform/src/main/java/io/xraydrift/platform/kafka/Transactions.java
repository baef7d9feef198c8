package io.xraydrift.platform.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** What every transactional consume-transform-produce loop needs around its transaction. */
public final class Transactions {

    private Transactions() {
    }

    /** The offsets to commit with a batch: one past the last record of each partition. */
    public static Map<TopicPartition, OffsetAndMetadata> nextOffsets(Iterable<? extends ConsumerRecord<?, ?>> batch) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (ConsumerRecord<?, ?> r : batch) {
            out.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
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
    public static boolean commit(org.apache.kafka.clients.producer.Producer<?, ?> producer,
                                 java.util.function.BooleanSupplier running, org.slf4j.Logger log, String what) {
        while (true) {
            try {
                producer.commitTransaction();
                return true;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
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
