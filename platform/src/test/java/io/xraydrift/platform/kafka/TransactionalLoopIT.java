package io.xraydrift.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.stack.LocalKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                    Map.of(
                            "bootstrap.servers",
                            servers,
                            "group.id",
                            "loop-it",
                            "auto.offset.reset",
                            "earliest",
                            "enable.auto.commit",
                            false,
                            "isolation.level",
                            "read_committed"),
                    new StringDeserializer(),
                    new ByteArrayDeserializer());
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
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                    Map.of(
                            "bootstrap.servers",
                            servers,
                            "group.id",
                            "fence-it",
                            "auto.offset.reset",
                            "earliest",
                            "enable.auto.commit",
                            false,
                            "isolation.level",
                            "read_committed"),
                    new StringDeserializer(),
                    new ByteArrayDeserializer());
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
