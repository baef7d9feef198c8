package io.xraydrift.platform.kafka;

import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The consumer a transactional loop wants, for the tests: in a group, from the earliest offset, no auto-commit, read_committed. */
final class GroupConsumers {

    private GroupConsumers() {}

    static KafkaConsumer<String, byte[]> of(String servers, String group) {
        return new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        servers,
                        "group.id",
                        group,
                        "auto.offset.reset",
                        "earliest",
                        "enable.auto.commit",
                        false,
                        "isolation.level",
                        "read_committed"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
    }
}
