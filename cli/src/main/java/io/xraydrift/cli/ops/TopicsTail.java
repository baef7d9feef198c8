package io.xraydrift.cli.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prints a topic's records decoded through the registry, one JSON line each. */
@Command(
        name = "tail",
        mixinStandardHelpOptions = true,
        description = {
            "Prints a topic's records, Avro decoded through the registry, one JSON line each: topic, "
                    + "partition, offset, key, schema id, value. Bytes (images) are shown as their size. Reads committed "
                    + "records only."
        })
final class TopicsTail implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", description = "Topic, e.g. xray.neighbours.")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the oldest record (default: only new ones).")
    boolean fromBeginning;

    @Option(names = "--max", description = "Stop after this many records.")
    Integer max;

    @Option(names = "--key", description = "Only records with this key.")
    String key;

    @Option(
            names = "--idle-seconds",
            defaultValue = "0",
            description = "Stop after this many seconds without a record (0: never; default: ${DEFAULT-VALUE}).")
    int idleSeconds;

    @Override
    public Integer call() throws Exception {
        Topic<?> declared = Topics.byName(topic)
                .orElseThrow(() -> new IllegalArgumentException("'" + topic + "' is not one of the pipeline's topics: "
                        + Topics.all().stream().map(Topic::name).toList()));
        KafkaSettings kafka = KafkaSettings.from(Settings.load());
        Deserializer<? extends SpecificRecord> values = kafka.serdes().valueDeserializer(declared);
        Map<String, Object> props = new HashMap<>(kafka.clientProperties("xray-drift-tail"));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        int printed = 0;
        try (var consumer =
                new KafkaConsumer<>(props, EventSerdes.keys().deserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            long lastRecord = System.nanoTime();
            while (max == null || printed < max) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    lastRecord = System.nanoTime();
                }
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (key != null && !key.equals(r.key())) {
                        continue;
                    }
                    System.out.println(line(r, values));
                    if (max != null && ++printed >= max) {
                        break;
                    }
                }
                if (idleSeconds > 0
                        && System.nanoTime() - lastRecord
                                > Duration.ofSeconds(idleSeconds).toNanos()) {
                    break;
                }
            }
        }
        return 0;
    }

    private static String line(ConsumerRecord<String, byte[]> r, Deserializer<? extends SpecificRecord> values)
            throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("topic", r.topic());
        out.put("partition", r.partition());
        out.put("offset", r.offset());
        out.put("key", r.key());
        byte[] v = r.value();
        out.put(
                "schemaId",
                v != null && v.length > 4 && v[0] == 0
                        ? ByteBuffer.wrap(v, 1, 4).getInt()
                        : null);
        try {
            out.put("value", plain(values.deserialize(r.topic(), v)));
        } catch (RuntimeException e) {
            out.put("error", "not decodable: " + e.getMessage());
            out.put("bytes", v == null ? 0 : v.length);
        }
        return JSON.writeValueAsString(out);
    }

    /** An Avro value as plain JSON-able objects; bytes become their size. */
    private static Object plain(Object value) {
        if (value instanceof GenericRecord record) {
            Map<String, Object> m = new LinkedHashMap<>();
            record.getSchema().getFields().forEach(f -> m.put(f.name(), plain(record.get(f.name()))));
            return m;
        }
        if (value instanceof ByteBuffer b) {
            return "<" + b.remaining() + " bytes>";
        }
        if (value instanceof List<?> list) {
            return list.stream().map(TopicsTail::plain).toList();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> m = new LinkedHashMap<>();
            map.forEach((k, x) -> m.put(String.valueOf(k), plain(x)));
            return m;
        }
        if (value instanceof GenericData.EnumSymbol
                || value instanceof Enum<?>
                || value instanceof CharSequence
                || value instanceof Instant) {
            return value.toString();
        }
        return value;
    }
}
