package io.xraydrift.indexer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.events.Level;
import io.xraydrift.events.ScanEmbedded;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two indexer replicas in one group on a 4-partition {@code xray.embeddings}: each reads all four
 * partitions into its forest, answers only the partitions assigned to it, and every scan gets
 * exactly one {@code ScanNeighbours}. Its own stack, so the topic can be made with 4 partitions
 * (topic setup reports the difference from the declared 6 and leaves the topic as it is).
 */
class IndexerReplicasIT {

    @TempDir
    Path dir;

    @Test
    void twoReplicasOnAFourPartitionTopicAnswerEveryScanExactlyOnce() throws Exception {
        try (LocalStack stack = LocalStack.start()) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
                admin.createTopics(List.of(
                                new NewTopic(Topics.EMBEDDINGS.name(), 4, (short) 1)
                                        .configs(Topics.EMBEDDINGS.configs()),
                                new NewTopic(Topics.NEIGHBOURS.name(), 4, (short) 1)
                                        .configs(Topics.NEIGHBOURS.configs())))
                        .all()
                        .get();
            }
            KafkaBootstrap.Outcome setup = KafkaBootstrap.prepare(
                    KafkaSettings.from(Settings.of(IndexerIT.env(stack, "setup"))), "replicas-setup");
            assertEquals(2, setup.topics().mismatches().size(), "4 partitions instead of 6, reported and kept");
            List<ScanEmbedded> cohort = new ArrayList<>();
            for (Level level : Level.values()) {
                for (int i = 0; i < 40; i++) {
                    cohort.add(IndexerIT.scan(
                            "r-ref-" + level + "-" + i,
                            "r-cohort-" + level + "-" + i,
                            level,
                            IndexerIT.around(level, 40_000 + i)));
                }
            }
            List<ScanEmbedded> patients = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                patients.add(IndexerIT.scan(
                        "r-pat-" + i,
                        "r-patient-" + (i % 50),
                        null,
                        IndexerIT.around(Level.values()[i % 3], 50_000 + i)));
            }
            try (IndexerService a = IndexerIT.start(stack, "replica-a", dir.resolve("a"));
                    IndexerService b = IndexerIT.start(stack, "replica-b", dir.resolve("b"))) {
                IndexerIT.produce(stack, cohort);
                IndexerIT.awaitLabelled(a, cohort.size());
                IndexerIT.awaitLabelled(b, cohort.size());
                IndexerIT.awaitAnswering(4, a, b);
                IndexerIT.produce(stack, patients);
                Map<String, List<ScanNeighbours>> out =
                        IndexerIT.await(stack, id -> id.startsWith("r-"), cohort.size() + patients.size(), a, b);
                out.forEach((id, list) -> assertEquals(1, list.size(), id + " answered " + list.size() + " times"));
                for (int i = 0; i < patients.size(); i++) {
                    ScanNeighbours n = out.get("r-pat-" + i).get(0);
                    assertEquals(Level.values()[i % 3], n.getLevel(), "r-pat-" + i);
                }
                assertTrue(IndexerIT.get(a.httpPort(), "/index").toString().contains("\"labelled\":120"));
                assertTrue(
                        IndexerIT.get(b.httpPort(), "/index").toString().contains("\"labelled\":120"),
                        "each replica holds every partition's vectors");
            }
        }
    }
}
