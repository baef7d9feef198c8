package io.xraydrift.alertout;

import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.SealedIdentifiers;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.TopicReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writing alerts as the drift monitor does, and watching what alert-out committed, for the ITs. */
public final class AlertTopic {

    private AlertTopic() {}

    /** Writes the alerts (keyed by patient) and returns where each landed. */
    public static List<RecordMetadata> write(LocalStack stack, List<DriftAlert> alerts) throws Exception {
        var serializer = new EventSerdes(stack.registryUrl()).valueSerializer(Topics.ALERTS);
        List<RecordMetadata> out = new ArrayList<>();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", stack.bootstrapServers(), "acks", "all"),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (DriftAlert a : alerts) {
                out.add(p.send(new ProducerRecord<>(
                                Topics.ALERTS.name(), a.getPatient(), serializer.serialize(Topics.ALERTS.name(), a)))
                        .get());
            }
        }
        return out;
    }

    /** Writes sealed identifiers as ingest does with re-identification on (keyed by scan id). */
    public static void writeSealed(LocalStack stack, List<SealedIdentifiers> sealed) throws Exception {
        var serializer = new EventSerdes(stack.registryUrl()).valueSerializer(Topics.REIDENTIFICATION);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", stack.bootstrapServers(), "acks", "all"),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (var s : sealed) {
                p.send(new ProducerRecord<>(
                                Topics.REIDENTIFICATION.name(),
                                s.getScanId(),
                                serializer.serialize(Topics.REIDENTIFICATION.name(), s)))
                        .get();
            }
        }
    }

    /** True once the group committed past the record. */
    public static boolean committedPast(LocalStack stack, String group, RecordMetadata m) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            OffsetAndMetadata o = offsets.get(new TopicPartition(m.topic(), m.partition()));
            return o != null && o.offset() > m.offset();
        }
    }

    /** The dead letters of a stage, read to the topic's end. */
    public static List<DeadLetter> deadLetters(LocalStack stack, String stage) {
        List<DeadLetter> out = new ArrayList<>();
        TopicReader.readAll(
                stack,
                Topics.DEAD_LETTER.name(),
                new EventSerdes(stack.registryUrl()).valueDeserializer(Topics.DEAD_LETTER),
                0,
                d -> {
                    if (d.getStage().equals(stage)) {
                        out.add(d);
                    }
                });
        return out;
    }
}
