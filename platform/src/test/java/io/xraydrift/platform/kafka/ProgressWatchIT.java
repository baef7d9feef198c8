package io.xraydrift.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.stack.LocalKafka;
import io.xraydrift.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A consumer stuck behind a hanging transaction (read_committed: it cannot read past the open
 * transaction, so it commits nothing while input waits) is reported stalled, naming the partition;
 * once the transaction ends and the consumer moves on, the stall clears.
 */
class ProgressWatchIT {

    @Test
    void aConsumerStuckBehindAHangingTransactionIsReportedStalledUntilItMovesOn() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            String servers = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
                admin.createTopics(List.of(new NewTopic("watch-in", 1, (short) 1)))
                        .all()
                        .get();
            }
            KafkaProducer<String, byte[]> hanging = new KafkaProducer<>(
                    Map.of(
                            "bootstrap.servers",
                            servers,
                            "transactional.id",
                            "watch-hanging",
                            "transaction.timeout.ms",
                            600_000),
                    new StringSerializer(),
                    new ByteArraySerializer());
            try (KafkaConsumer<String, byte[]> consumer = GroupConsumers.of(servers, "watch-it");
                    KafkaProducer<String, byte[]> plain = new KafkaProducer<>(
                            Map.of("bootstrap.servers", servers), new StringSerializer(), new ByteArraySerializer());
                    ProgressWatch watch = new ProgressWatch(
                            Map.of("bootstrap.servers", servers),
                            "watch-it",
                            Set.of("watch-in"),
                            Duration.ofSeconds(2),
                            Duration.ofMillis(200))) {
                consumer.subscribe(List.of("watch-in"));
                plain.send(new ProducerRecord<>("watch-in", "k", bytes("first")))
                        .get();
                hanging.initTransactions();
                hanging.beginTransaction();
                hanging.send(new ProducerRecord<>("watch-in", "k", bytes("in an open transaction")))
                        .get();
                plain.send(new ProducerRecord<>("watch-in", "k", bytes("behind it")))
                        .get();
                // The consumer reads what it can and commits its position, as a service's loop does.
                Runnable turn = () -> {
                    consumer.poll(Duration.ofMillis(200));
                    consumer.commitSync();
                };
                Await.until("the stall reported", Duration.ofSeconds(60), () -> {
                    turn.run();
                    return watch.problem() != null;
                });
                assertTrue(
                        watch.problem().contains("watch-in-0")
                                && watch.problem().contains("lag"),
                        watch.problem());
                assertEquals(1, watch.stalls());
                hanging.abortTransaction();
                Await.until("the stall cleared", Duration.ofSeconds(60), () -> {
                    turn.run();
                    return watch.problem() == null;
                });
                assertNull(watch.problem());
                assertEquals(1, watch.stalls(), "one episode");
            } finally {
                hanging.close(Duration.ofSeconds(5));
            }
        }
    }

    /**
     * A transactional writer's commit marker takes an offset no consumer is handed: a group that read
     * and committed everything (last offset + 1, as the loops commit) sits one offset below the end of
     * the idle partition. That is not input waiting (the bug: every idle pipeline turned not ready
     * after the stall time); a record written after it is.
     */
    @Test
    void anIdlePartitionEndingInACommitMarkerIsNotAStall() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            String servers = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
                admin.createTopics(List.of(new NewTopic("watch-idle", 1, (short) 1)))
                        .all()
                        .get();
            }
            TopicPartition tp = new TopicPartition("watch-idle", 0);
            try (KafkaProducer<String, byte[]> writer = new KafkaProducer<>(
                            Map.of("bootstrap.servers", servers, "transactional.id", "watch-writer"),
                            new StringSerializer(),
                            new ByteArraySerializer());
                    KafkaConsumer<String, byte[]> consumer = GroupConsumers.of(servers, "watch-idle-it");
                    ProgressWatch watch = new ProgressWatch(
                            Map.of("bootstrap.servers", servers),
                            "watch-idle-it",
                            Set.of("watch-idle"),
                            Duration.ZERO,
                            Duration.ofHours(1))) {
                writer.initTransactions();
                writer.beginTransaction();
                writer.send(new ProducerRecord<>("watch-idle", "k", bytes("one")))
                        .get();
                writer.commitTransaction();
                consumer.assign(List.of(tp));
                List<Long> read = new ArrayList<>();
                Await.until("the record read", Duration.ofSeconds(60), () -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.offset()));
                    return !read.isEmpty();
                });
                consumer.commitSync(Map.of(tp, new OffsetAndMetadata(read.get(0) + 1)));
                watch.check();
                assertNull(watch.problem(), "an idle partition after a commit marker");
                writer.beginTransaction();
                writer.send(new ProducerRecord<>("watch-idle", "k", bytes("two")))
                        .get();
                writer.commitTransaction();
                watch.check();
                watch.check();
                assertTrue(
                        watch.problem() != null && watch.problem().contains("watch-idle-0"),
                        "a committed record waiting: " + watch.problem());
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
