package io.xraydrift.cli;

import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.ServiceProcess;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** What a pipeline test prints when answers stop: offsets, open transactions, group offsets, thread dumps. */
final class PipelineDiagnostics {

    private PipelineDiagnostics() {}

    /**
     * Per partition of the pipeline's topics: the last stable offset (what read_committed readers
     * can reach), the high watermark, and any producer with an open transaction — a transaction
     * left open holds every read_committed reader of its partition at its first offset.
     */
    static String offsets(LocalStack stack) throws Exception {
        return offsets(stack, List.of(Topics.SCANS.name(), Topics.EMBEDDINGS.name(), Topics.NEIGHBOURS.name()));
    }

    static String offsets(LocalStack stack, List<String> topics) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            for (String topic : topics) {
                List<TopicPartition> parts =
                        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                                .map(p -> new TopicPartition(topic, p.partition()))
                                .toList();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                parts.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                        .all()
                        .get();
                var high = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                        .all()
                        .get();
                var producers = admin.describeProducers(parts).all().get();
                for (TopicPartition tp : parts) {
                    out.append(String.format(
                            Locale.ROOT,
                            "  %s lso=%d hw=%d",
                            tp,
                            stable.get(tp).offset(),
                            high.get(tp).offset()));
                    producers.get(tp).activeProducers().stream()
                            .filter(p -> p.currentTransactionStartOffset().isPresent())
                            .forEach(p -> out.append(" OPEN-TXN(producer ")
                                    .append(p.producerId())
                                    .append(" epoch ")
                                    .append(p.producerEpoch())
                                    .append(" from ")
                                    .append(p.currentTransactionStartOffset().getAsLong())
                                    .append(")"));
                    out.append('\n');
                }
            }
        }
        return out.toString();
    }

    /**
     * What a stall leaves to look at: the offset report (intake too), every group's committed
     * offsets against the topic's stable end, and each service's threads (jcmd) in the work dir.
     */
    static String diagnose(LocalStack stack, Map<String, ServiceProcess> services, Path work) {
        StringBuilder out = new StringBuilder();
        try {
            out.append(offsets(
                    stack,
                    List.of(
                            Topics.INTAKE.name(),
                            Topics.SCANS.name(),
                            Topics.EMBEDDINGS.name(),
                            Topics.NEIGHBOURS.name())));
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
                for (var g : admin.listGroups().all().get()) {
                    var committed = admin.listConsumerGroupOffsets(g.groupId())
                            .partitionsToOffsetAndMetadata()
                            .get();
                    out.append("  group ")
                            .append(g.groupId())
                            .append(' ')
                            .append(g.groupState().orElse(null))
                            .append(": ")
                            .append(new TreeMap<>(committed.entrySet().stream()
                                    .collect(Collectors.toMap(
                                            e -> e.getKey().toString(),
                                            e -> e.getValue() == null
                                                    ? -1
                                                    : e.getValue().offset()))))
                            .append('\n');
                }
            }
        } catch (Exception e) {
            out.append("  offsets not read: ").append(e).append('\n');
        }
        for (ServiceProcess s : services.values()) {
            if (!s.alive()) {
                continue;
            }
            try {
                Path dump = work.resolve(s.name() + "-threads.txt");
                Process p = new ProcessBuilder("jcmd", String.valueOf(s.pid()), "Thread.print")
                        .redirectErrorStream(true)
                        .redirectOutput(dump.toFile())
                        .start();
                p.waitFor(30, TimeUnit.SECONDS);
                out.append("  threads of ")
                        .append(s.name())
                        .append(" in ")
                        .append(dump)
                        .append('\n');
            } catch (Exception e) {
                out.append("  no thread dump of ")
                        .append(s.name())
                        .append(": ")
                        .append(e)
                        .append('\n');
            }
        }
        return out.toString();
    }
}
