package io.xraydrift.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

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
