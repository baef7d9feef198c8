package io.xraydrift.platform;

import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.kafka.TopicSetup;
import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The step every service runs at start: create missing topics (report mismatched ones), register
 * every value schema and set BACKWARD compatibility on its subject.
 */
public final class KafkaBootstrap {

    /** What the step did. */
    public record Outcome(TopicSetup.Report topics, Map<String, Integer> schemaIds) {}

    private KafkaBootstrap() {}

    /** Runs the step for all declared topics. */
    public static Outcome prepare(KafkaSettings kafka, String clientId) {
        return prepare(kafka, clientId, Topics.all());
    }

    /** Runs the step for the given topics. */
    public static Outcome prepare(KafkaSettings kafka, String clientId, Collection<Topic<?>> declared) {
        List<Topic<?>> topics = declared.stream().<Topic<?>>map(kafka::declared).toList();
        TopicSetup.Report report;
        try (Admin admin = Admin.create(kafka.clientProperties(clientId))) {
            report = new TopicSetup(admin, kafka.replicationFactor()).apply(topics);
        }
        Map<String, Integer> ids = kafka.schemaRegistration().registerAll(topics);
        return new Outcome(report, ids);
    }
}
