package io.xraydrift.testing;

import io.xraydrift.stack.LocalStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a whole topic back (read_committed, from the beginning) for the ITs. */
public final class TopicReader {

    private TopicReader() {}

    /**
     * The committed values of a topic that {@code keep} accepts, read from its start by a fresh
     * group: returns once at least {@code n} arrived and {@code settle} more passed (so that a
     * duplicate would show), or when {@code timeout} ran out with what arrived.
     */
    public static <V> List<V> await(
            LocalStack stack,
            String topic,
            Deserializer<V> values,
            Predicate<V> keep,
            int n,
            Duration settle,
            Duration timeout) {
        List<V> out = new ArrayList<>();
        try (KafkaConsumer<String, V> c =
                new KafkaConsumer<>(stack.readerProperties("it-"), new StringDeserializer(), values)) {
            c.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            long settled = 0;
            while (System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(300)).forEach(r -> {
                    if (r.value() != null && keep.test(r.value())) {
                        out.add(r.value());
                    }
                });
                if (out.size() >= n) {
                    if (settled == 0) {
                        settled = System.nanoTime() + settle.toNanos();
                    } else if (System.nanoTime() > settled) {
                        break;
                    }
                }
            }
        }
        return out;
    }

    /**
     * Waits until {@code group} has committed every partition of {@code input} up to its stable end
     * as it stands now. A transactional service commits its output with its offsets, so from then
     * on everything it will write for that input is below its output topics' end offsets: reading
     * them to the end ({@link #readAll}) shows any duplicate, with no settle time.
     */
    public static void awaitCommitted(LocalStack stack, String group, String input, Duration timeout) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
                KafkaConsumer<String, String> c = new KafkaConsumer<>(
                        stack.readerProperties("it-ends-"), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(input).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            Map<TopicPartition, Long> ends = c.endOffsets(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                var committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get();
                List<TopicPartition> behind = parts.stream()
                        .filter(tp -> ends.get(tp) > 0
                                && (committed.get(tp) == null
                                        || committed.get(tp).offset() < ends.get(tp)))
                        .toList();
                if (behind.isEmpty()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("group " + group + " has not committed " + behind + " up to " + ends
                            + " in " + timeout.toSeconds() + " s (committed: " + committed + ")");
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Every committed non-null value of a topic to a sink: read to its end offsets, and on until at
     * least {@code atLeast} values arrived (or three minutes passed). Returns how many arrived.
     */
    public static <V> int readAll(
            LocalStack stack, String topic, Deserializer<V> values, int atLeast, Consumer<V> sink) {
        int n = 0;
        Map<String, Object> props = stack.readerProperties("it-reader-");
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (System.nanoTime() < deadline
                    && (n < atLeast || parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)))) {
                for (var r : c.poll(Duration.ofMillis(300))) {
                    if (r.value() != null) {
                        sink.accept(r.value());
                        n++;
                    }
                }
                if (n >= atLeast) {
                    end.putAll(c.endOffsets(parts));
                }
            }
        }
        return n;
    }
}
