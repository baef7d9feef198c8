package io.xraydrift.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.xraydrift.stack.LocalStack;

/** Reads a whole topic back (read_committed, from the beginning) for the ITs. */
public final class TopicReader {

    private TopicReader() {
    }

    /**
     * The committed values of a topic that {@code keep} accepts, read from its start by a fresh
     * group: returns once at least {@code n} arrived and {@code settle} more passed (so that a
     * duplicate would show), or when {@code timeout} ran out with what arrived.
     */
    public static <V> List<V> await(LocalStack stack, String topic, Deserializer<V> values, Predicate<V> keep, int n,
                                    Duration settle, Duration timeout) {
        List<V> out = new ArrayList<>();
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(stack.readerProperties("it-"), new StringDeserializer(),
                values)) {
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
     * Every committed non-null value of a topic to a sink: read to its end offsets, and on until at
     * least {@code atLeast} values arrived (or three minutes passed). Returns how many arrived.
     */
    public static <V> int readAll(LocalStack stack, String topic, Deserializer<V> values, int atLeast, Consumer<V> sink) {
        int n = 0;
        Map<String, Object> props = stack.readerProperties("it-reader-");
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (System.nanoTime() < deadline && (n < atLeast
                    || parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)))) {
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
