package io.xraydrift.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

import io.xraydrift.stack.LocalKafka;

/** The transactional loop against a real broker that is away when the service starts. */
class TransactionalLoopIT {

    @Test
    void aLoopStartedWhileTheBrokerIsAwayWaitsForItThenWrites() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            String servers = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
                admin.createTopics(List.of(new NewTopic("loop-in", 1, (short) 1), new NewTopic("loop-out", 1, (short) 1)))
                        .all().get();
            }
            kafka.pause();
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", servers,
                    "group.id", "loop-it", "auto.offset.reset", "earliest", "enable.auto.commit", false,
                    "isolation.level", "read_committed"), new StringDeserializer(), new ByteArrayDeserializer());
            // initTransactions gives up after max.block.ms: 1 s here, so the outage below outlasts several tries.
            KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", servers,
                    "transactional.id", "loop-it-1", "max.block.ms", 1000), new StringSerializer(),
                    new ByteArraySerializer());
            TransactionalLoop loop = new TransactionalLoop("test loop", consumer, producer, Set.of("loop-in"),
                    TransactionalLoop.Batching.singlePoll(Duration.ofMillis(100)), batch -> {
                        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
                        batch.forEach(r -> out.add(new ProducerRecord<>("loop-out", r.key(), r.value())));
                        return TransactionalLoop.Output.of(out, () -> { });
                    });
            Thread thread = new Thread(loop, "test-loop");
            thread.start();
            try {
                Thread.sleep(4000);
                assertTrue(loop.alive() && loop.running(), "the loop waits for the broker instead of ending");
                kafka.resume();
                try (KafkaProducer<String, byte[]> feed = new KafkaProducer<>(Map.of("bootstrap.servers", servers),
                        new StringSerializer(), new ByteArraySerializer())) {
                    feed.send(new ProducerRecord<>("loop-in", "k", "hello".getBytes(StandardCharsets.UTF_8))).get();
                }
                List<String> seen = new ArrayList<>();
                try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(Map.of("bootstrap.servers", servers,
                        "isolation.level", "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
                    TopicPartition out = new TopicPartition("loop-out", 0);
                    reader.assign(List.of(out));
                    reader.seekToBeginning(List.of(out));
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (seen.isEmpty() && System.nanoTime() < deadline) {
                        reader.poll(Duration.ofMillis(200)).forEach(r -> seen.add(new String(r.value(),
                                StandardCharsets.UTF_8)));
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
}
