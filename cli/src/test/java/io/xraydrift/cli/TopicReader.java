package io.xraydrift.cli;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topic;
import io.xraydrift.stack.LocalStack;

/** Reads a whole topic back for the pipeline ITs. */
final class TopicReader {

    private TopicReader() {
    }

    /**
     * Every committed value of a topic to a sink: read to its end offsets, and on until at least
     * {@code atLeast} values arrived (or three minutes passed).
     */
    static <V extends SpecificRecord> void readAll(LocalStack stack, EventSerdes serdes, Topic<V> topic, int atLeast,
                                                   Consumer<V> sink) {
        int n = 0;
        Map<String, Object> props = stack.readerProperties("it-reader-");
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(props, EventSerdes.keys().deserializer(),
                serdes.valueDeserializer(topic))) {
            List<TopicPartition> parts = c.partitionsFor(topic.name()).stream()
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
    }
}
