package io.xraydrift.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.stack.LocalKafka;
import io.xraydrift.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The transactional loop against a real broker that is away when the service starts. */
class TransactionalLoopIT {

    @Test
    void aLoopStartedWhileTheBrokerIsAwayWaitsForItThenWrites() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            String servers = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
                admin.createTopics(
                                List.of(new NewTopic("loop-in", 1, (short) 1), new NewTopic("loop-out", 1, (short) 1)))
                        .all()
                        .get();
            }
            kafka.pause();
            KafkaConsumer<String, byte[]> consumer = GroupConsumers.of(servers, "loop-it");
            // initTransactions gives up after max.block.ms: 1 s here, so the outage below outlasts several tries.
            KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", servers, "transactional.id", "loop-it-1", "max.block.ms", 1000),
                    new StringSerializer(),
                    new ByteArraySerializer());
            TransactionalLoop loop = new TransactionalLoop(
                    "test loop",
                    consumer,
                    producer,
                    Set.of("loop-in"),
                    TransactionalLoop.Batching.singlePoll(Duration.ofMillis(100)),
                    batch -> {
                        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
                        batch.forEach(r -> out.add(new ProducerRecord<>("loop-out", r.key(), r.value())));
                        return TransactionalLoop.Output.of(out, () -> {});
                    });
            Thread thread = new Thread(loop, "test-loop");
            thread.start();
            try {
                Thread.sleep(4000);
                assertTrue(loop.alive() && loop.running(), "the loop waits for the broker instead of ending");
                kafka.resume();
                try (KafkaProducer<String, byte[]> feed = new KafkaProducer<>(
                        Map.of("bootstrap.servers", servers), new StringSerializer(), new ByteArraySerializer())) {
                    feed.send(new ProducerRecord<>("loop-in", "k", "hello".getBytes(StandardCharsets.UTF_8)))
                            .get();
                }
                List<String> seen = new ArrayList<>();
                try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(
                        Map.of("bootstrap.servers", servers, "isolation.level", "read_committed"),
                        new StringDeserializer(),
                        new ByteArrayDeserializer())) {
                    TopicPartition out = new TopicPartition("loop-out", 0);
                    reader.assign(List.of(out));
                    reader.seekToBeginning(List.of(out));
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (seen.isEmpty() && System.nanoTime() < deadline) {
                        reader.poll(Duration.ofMillis(200))
                                .forEach(r -> seen.add(new String(r.value(), StandardCharsets.UTF_8)));
                    }
                }
                assertEquals(List.of("hello"), seen, "the record went through once the broker was back");
                assertTrue(loop.alive());
            } finally {
                loop.stop();
                thread.join(30_000);
            }
        }
    }

    /**
     * Fenced mid-run (another producer took the transactional id, as after a broker restart): the loop
     * takes its id back with a new producer, reads the open batch again, and every input record is
     * written exactly once; fenced more than three times within a minute — two instances sharing one
     * id — it ends, not live.
     */
    @Test
    void aFencedLoopTakesItsIdBackAndWritesEachRecordOnceButTwoInstancesSharingAnIdFail() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            String servers = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
                admin.createTopics(List.of(
                                new NewTopic("fence-in", 1, (short) 1), new NewTopic("fence-out", 1, (short) 1)))
                        .all()
                        .get();
            }
            KafkaConsumer<String, byte[]> consumer = GroupConsumers.of(servers, "fence-it");
            Map<String, Object> producerConfig = Map.of("bootstrap.servers", servers, "transactional.id", "fence-it-1");
            TransactionalLoop loop = new TransactionalLoop(
                    "fence loop",
                    consumer,
                    () -> new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer()),
                    Set.of("fence-in"),
                    TransactionalLoop.Batching.singlePoll(Duration.ofMillis(100)),
                    batch -> {
                        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
                        batch.forEach(r -> out.add(new ProducerRecord<>("fence-out", r.key(), r.value())));
                        return TransactionalLoop.Output.of(out, () -> {});
                    });
            Thread thread = new Thread(loop, "fence-loop");
            thread.start();
            try (KafkaProducer<String, byte[]> feed = new KafkaProducer<>(
                    Map.of("bootstrap.servers", servers), new StringSerializer(), new ByteArraySerializer())) {
                int sent = 0;
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < 5; i++, sent++) {
                        feed.send(new ProducerRecord<>(
                                        "fence-in", "k" + sent, ("r" + sent).getBytes(StandardCharsets.UTF_8)))
                                .get();
                    }
                    awaitOutput(servers, "fence-out", sent);
                    fence(producerConfig);
                }
                for (int i = 0; i < 5; i++, sent++) {
                    feed.send(new ProducerRecord<>(
                                    "fence-in", "k" + sent, ("r" + sent).getBytes(StandardCharsets.UTF_8)))
                            .get();
                }
                List<String> out = awaitOutput(servers, "fence-out", sent);
                assertEquals(sent, out.size(), "every record once, none twice: " + out);
                assertEquals(sent, Set.copyOf(out).size(), out.toString());
                assertTrue(loop.alive() && loop.running(), "the loop recovered from each fencing in process");
                assertEquals(3, loop.fencingsRecovered());
                // A fourth fencing within the minute: two instances share the id, an error the operator must see.
                fence(producerConfig);
                feed.send(new ProducerRecord<>("fence-in", "k" + sent, "last".getBytes(StandardCharsets.UTF_8)))
                        .get();
                thread.join(60_000);
                assertTrue(!loop.alive() && !thread.isAlive(), "fenced four times in a minute, the loop ends");
            } finally {
                loop.stop();
                thread.join(30_000);
            }
        }
    }

    /**
     * A second instance joins while the first is still gathering a batch (a long gathering window):
     * the rebalance takes partitions from under the batch in hand. Records of a revoked partition
     * are its new owner's to read from the committed offsets, so the first instance must drop them,
     * not write them with its offsets (the group coordinator accepts offsets of the new generation
     * for any partition): every input record is written exactly once.
     */
    @Test
    void aBatchGatheredAcrossARebalanceWritesOnlyWhatItsLoopStillOwns() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            String servers = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
                admin.createTopics(List.of(new NewTopic("rb-in", 2, (short) 1), new NewTopic("rb-out", 1, (short) 1)))
                        .all()
                        .get();
            }
            int sent = 40;
            try (KafkaProducer<String, byte[]> feed = new KafkaProducer<>(
                    Map.of("bootstrap.servers", servers), new StringSerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < sent; i++) {
                    feed.send(new ProducerRecord<>("rb-in", i % 2, "k" + i, ("r" + i).getBytes(StandardCharsets.UTF_8)))
                            .get();
                }
            }
            List<Collection<TopicPartition>> firstAssignments = new CopyOnWriteArrayList<>();
            // The first instance gathers for up to 8 s once it holds a record: the second joins meanwhile.
            TransactionalLoop first = rebalanceLoop(
                    servers,
                    "rb-it-1",
                    new TransactionalLoop.Batching(Duration.ofMillis(100), 10_000, Duration.ofSeconds(8)),
                    firstAssignments);
            TransactionalLoop second = rebalanceLoop(
                    servers,
                    "rb-it-2",
                    TransactionalLoop.Batching.singlePoll(Duration.ofMillis(100)),
                    new CopyOnWriteArrayList<>());
            Thread one = new Thread(first, "rb-loop-1");
            Thread two = new Thread(second, "rb-loop-2");
            one.start();
            try {
                Await.until(
                        "the first loop holds both partitions",
                        Duration.ofSeconds(60),
                        () -> !firstAssignments.isEmpty()
                                && firstAssignments
                                                .get(firstAssignments.size() - 1)
                                                .size()
                                        == 2);
                two.start();
                Await.until(
                        "the first loop gave a partition to the second",
                        Duration.ofSeconds(60),
                        () -> firstAssignments.get(firstAssignments.size() - 1).size() == 1);
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
                    Await.until("the group committed every input record", Duration.ofSeconds(90), () -> {
                        var committed = admin.listConsumerGroupOffsets("rb-it")
                                .partitionsToOffsetAndMetadata()
                                .get();
                        return List.of(0, 1).stream().allMatch(p -> {
                            var o = committed.get(new TopicPartition("rb-in", p));
                            return o != null && o.offset() == sent / 2;
                        });
                    });
                }
                List<String> out = awaitOutput(servers, "rb-out", sent);
                assertEquals(sent, Set.copyOf(out).size(), "every record written: " + out);
                assertEquals(sent, out.size(), "no record written twice: " + out);
            } finally {
                first.stop();
                second.stop();
                one.join(30_000);
                two.join(30_000);
            }
        }
    }

    /** A loop of group rb-it copying rb-in to rb-out, reporting each assignment it is given. */
    private static TransactionalLoop rebalanceLoop(
            String servers,
            String id,
            TransactionalLoop.Batching batching,
            List<Collection<TopicPartition>> assignments) {
        KafkaConsumer<String, byte[]> consumer = GroupConsumers.of(servers, "rb-it");
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", servers, "transactional.id", id),
                new StringSerializer(),
                new ByteArraySerializer());
        return new TransactionalLoop(
                id, consumer, producer, Set.of("rb-in"), batching, new TransactionalLoop.Processor() {
                    @Override
                    public TransactionalLoop.Output process(List<ConsumerRecord<String, byte[]>> batch) {
                        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
                        batch.forEach(r -> out.add(new ProducerRecord<>("rb-out", r.key(), r.value())));
                        return TransactionalLoop.Output.of(out, () -> {});
                    }

                    @Override
                    public void assigned(Collection<TopicPartition> partitions) {
                        assignments.add(List.copyOf(partitions));
                    }
                });
    }

    /** Another producer takes the transactional id (its initTransactions fences the loop's producer). */
    private static void fence(Map<String, Object> producerConfig) {
        try (KafkaProducer<String, byte[]> other =
                new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer())) {
            other.initTransactions();
        }
    }

    /** The committed values of a one-partition topic once it holds {@code count} (or after 60 s). */
    private static List<String> awaitOutput(String servers, String topic, int count) {
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(
                Map.of("bootstrap.servers", servers, "isolation.level", "read_committed"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            reader.assign(List.of(tp));
            reader.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.size() < count && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(200))
                        .forEach(r -> seen.add(new String(r.value(), StandardCharsets.UTF_8)));
            }
            // Anything written twice would follow: read what is there now.
            reader.poll(Duration.ofMillis(500)).forEach(r -> seen.add(new String(r.value(), StandardCharsets.UTF_8)));
        }
        return seen;
    }
}
