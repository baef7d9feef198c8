package io.xraydrift.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.events.ScanReceived;
import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.LocalStackExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalStackExtension.class)
class TopicSetupIT {

    @Test
    void createsEveryDeclaredTopicOnceThenReportsThemMatching(LocalStack stack) throws Exception {
        List<Topic<?>> topics = new ArrayList<>();
        for (Topic<?> t : Topics.all()) {
            topics.add(rename(t, "setup-idem-" + t.name()));
        }
        try (Admin admin = admin(stack)) {
            TopicSetup setup = new TopicSetup(admin, (short) 1);
            TopicSetup.Report first = setup.apply(topics);
            assertEquals(topics.size(), first.created().size(), first.toString());

            TopicSetup.Report second = setup.apply(topics);
            assertTrue(second.created().isEmpty(), second.toString());
            assertTrue(second.mismatches().isEmpty(), second.toString());
            second.results().forEach(r -> assertEquals(TopicSetup.Outcome.MATCHES, r.outcome(), r.toString()));

            String trajectories = "setup-idem-" + Topics.TRAJECTORIES.name();
            TopicDescription d = admin.describeTopics(Set.of(trajectories))
                    .allTopicNames()
                    .get()
                    .get(trajectories);
            assertEquals(Topics.TRAJECTORIES.partitions(), d.partitions().size());
        }
    }

    @Test
    void reportsATopicThatExistsWithOtherSettingsAndLeavesItAlone(LocalStack stack) throws Exception {
        Topic<ScanReceived> declared = rename(Topics.SCANS, "setup-mismatch-scans");
        try (Admin admin = admin(stack)) {
            admin.createTopics(List.of(
                            new NewTopic(declared.name(), 2, (short) 1).configs(Map.of("retention.ms", "3600000"))))
                    .all()
                    .get();

            TopicSetup.Report report = new TopicSetup(admin, (short) 1).apply(List.of(declared));

            assertEquals(1, report.mismatches().size(), report.toString());
            List<String> differences = report.mismatches().get(0).differences();
            assertTrue(differences.contains("partitions: declared 6, actual 2"), differences.toString());
            assertTrue(
                    differences.stream()
                            .anyMatch(s -> s.startsWith("retention.ms: declared 2592000000, actual 3600000")),
                    differences.toString());
            int partitions = admin.describeTopics(Set.of(declared.name()))
                    .allTopicNames()
                    .get()
                    .get(declared.name())
                    .partitions()
                    .size();
            assertEquals(2, partitions, "setup must not change an existing topic");
        }
    }

    private static <V extends SpecificRecord> Topic<V> rename(Topic<V> t, String name) {
        return new Topic<>(name, t.valueType(), t.partitions(), t.configs(), t.purpose());
    }

    private static Admin admin(LocalStack stack) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()));
    }
}
