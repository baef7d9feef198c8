package io.xraydrift.cli.ops;

import io.xraydrift.platform.kafka.ServiceAccess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;

/**
 * Hanging transactions: a partition holding an open transaction that its coordinator no longer
 * has open on it. Kafka completes a transaction without writing its markers when a partition it
 * wrote has no leader at that moment (it takes such a partition for deleted): on one broker that
 * happens while it shuts down or starts. The partition's last stable offset then stays at the
 * transaction's first offset, so every read_committed reader stops there, and the consumer
 * offsets the transaction committed stay pending, so the group that wrote them cannot fetch its
 * position. Aborting the transaction on each partition it holds (the offsets partition included)
 * releases both; the service then reads that input again and writes it once more, in a new
 * transaction. This is what {@code kafka-transactions.sh find-hanging} / {@code abort} do.
 */
public final class HangingTransactions {

    /** An open transaction on a partition that its coordinator does not have open there. */
    public record Hanging(
            TopicPartition partition,
            long producerId,
            int producerEpoch,
            int coordinatorEpoch,
            long startOffset,
            String transactionalId,
            String coordinatorState,
            Duration age) {

        @Override
        public String toString() {
            return partition + " from offset " + startOffset + ": producer " + producerId + " epoch " + producerEpoch
                    + " (" + (transactionalId == null ? "no transactional id known" : transactionalId)
                    + ", coordinator "
                    + coordinatorState + "), open " + age.toSeconds() + " s";
        }
    }

    private HangingTransactions() {}

    /**
     * The hanging transactions on every partition of the cluster (internal topics included): open
     * for longer than their transaction timeout (or {@code minAge} when the coordinator no longer
     * knows the producer) and not open on that partition by the coordinator.
     */
    public static List<Hanging> find(Admin admin, Duration minAge) throws Exception {
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true))
                .names()
                .get();
        List<TopicPartition> partitions = new ArrayList<>();
        admin.describeTopics(topics)
                .allTopicNames()
                .get()
                .forEach((name, d) ->
                        d.partitions().forEach(p -> partitions.add(new TopicPartition(name, p.partition()))));
        long now = System.currentTimeMillis();
        Map<Long, Coordinator> coordinators = new HashMap<>();
        List<Hanging> out = new ArrayList<>();
        for (var e : admin.describeProducers(partitions).all().get().entrySet()) {
            for (ProducerState p : e.getValue().activeProducers()) {
                if (p.currentTransactionStartOffset().isEmpty()) {
                    continue;
                }
                Coordinator c = coordinators.computeIfAbsent(p.producerId(), id -> Coordinator.of(admin, id));
                Optional<TransactionDescription> d = Optional.ofNullable(c.description());
                Duration age = Duration.ofMillis(Math.max(0, now - p.lastTimestamp()));
                Duration timeout =
                        d.map(t -> Duration.ofMillis(t.transactionTimeoutMs())).orElse(minAge);
                boolean openThere = d.map(t -> t.producerEpoch() <= p.producerEpoch() + 1
                                && (t.state() == TransactionState.ONGOING
                                        || t.state() == TransactionState.PREPARE_COMMIT
                                        || t.state() == TransactionState.PREPARE_ABORT)
                                && t.topicPartitions().contains(e.getKey()))
                        .orElse(false);
                if (!openThere && age.compareTo(timeout) > 0 && age.compareTo(minAge) >= 0) {
                    out.add(new Hanging(
                            e.getKey(),
                            p.producerId(),
                            p.producerEpoch(),
                            p.coordinatorEpoch().orElse(-1),
                            p.currentTransactionStartOffset().getAsLong(),
                            c.transactionalId(),
                            d.map(t -> t.state().toString()).orElse("unknown"),
                            age));
                }
            }
        }
        return out;
    }

    /**
     * The pipeline service whose transactional id it is (ingest, embedder, indexer), to restart
     * after the abort; empty for another producer.
     */
    public static Optional<String> service(Hanging h) {
        if (h.transactionalId() == null) {
            return Optional.empty();
        }
        for (ServiceAccess s : ServiceAccess.values()) {
            if (h.transactionalId().startsWith(s.prefix() + "-")) {
                return Optional.of(s.service());
            }
        }
        return Optional.empty();
    }

    /** Writes an abort marker for the hanging transaction on its partition. */
    public static void abort(Admin admin, Hanging h) throws Exception {
        admin.abortTransaction(new AbortTransactionSpec(
                        h.partition(), h.producerId(), (short) h.producerEpoch(), h.coordinatorEpoch()))
                .all()
                .get();
    }

    /** What the coordinator says of a producer id: its transactional id and transaction (null where unknown). */
    private record Coordinator(String transactionalId, TransactionDescription description) {

        static Coordinator of(Admin admin, long producerId) {
            try {
                for (TransactionListing l : admin.listTransactions(
                                new ListTransactionsOptions().filterProducerIds(Set.of(producerId)))
                        .all()
                        .get()) {
                    String id = l.transactionalId();
                    return new Coordinator(
                            id,
                            admin.describeTransactions(List.of(id)).all().get().get(id));
                }
            } catch (Exception e) {
                return new Coordinator(null, null);
            }
            return new Coordinator(null, null);
        }
    }
}
