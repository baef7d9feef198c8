package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xraydrift.drift.DriftMonitorConfig;
import io.xraydrift.drift.topology.Trajectories;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.TopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What a pipeline run left on its topics (read back read_committed), counted per scan of one
 * source — other tests of the JVM may share the stack — and the checks the pipeline ITs make on
 * it: every scan ingested, embedded and scored exactly once; the alerts exactly those the drift
 * rule gives for the scores, each once (what an undisturbed run emits).
 */
final class PipelineOutcome {

    private final LocalStack stack;
    private final Map<String, Integer> ingested = new HashMap<>();
    private final Map<String, Integer> embedded = new HashMap<>();
    private final Map<String, Integer> scored = new HashMap<>();
    private final List<ScanNeighbours> neighbours = new ArrayList<>();
    private final Set<String> patients = new HashSet<>();

    private PipelineOutcome(LocalStack stack) {
        this.stack = stack;
    }

    /** Reads the scans of {@code source} (at least {@code total} records of each topic) and what became of them. */
    static PipelineOutcome read(LocalStack stack, String source, int total) {
        PipelineOutcome o = new PipelineOutcome(stack);
        readAll(stack, Topics.SCANS, total, v -> {
            if (v.getSource().equals(source)) {
                o.ingested.merge(v.getScanId(), 1, Integer::sum);
                o.patients.add(v.getPatient());
            }
        });
        readAll(stack, Topics.EMBEDDINGS, total, v -> {
            if (o.ingested.containsKey(v.getScanId())) {
                o.embedded.merge(v.getScanId(), 1, Integer::sum);
            }
        });
        readAll(stack, Topics.NEIGHBOURS, total, v -> {
            if (o.ingested.containsKey(v.getScanId())) {
                o.neighbours.add(v);
                o.scored.merge(v.getScanId(), 1, Integer::sum);
            }
        });
        return o;
    }

    /** Those of {@code scanIds} that were not ingested from the feed (an answer for a scan the run did not send). */
    Set<String> notIngested(Set<String> scanIds) {
        Set<String> out = new TreeSet<>(scanIds);
        out.removeAll(ingested.keySet());
        return out;
    }

    /** Every one of {@code total} scans ingested, embedded and scored, each once; {@code context} is said on failure. */
    void assertEachScanOnce(int total, String context) {
        assertEquals(total, ingested.size(), "distinct scans ingested (" + context + ")");
        assertEquals(total, embedded.size(), "distinct scans embedded (" + context + ")");
        assertEquals(total, scored.size(), "distinct scans scored (" + context + ")");
        ingested.forEach((id, n) -> assertEquals(1, n, "scan " + id + " ingested " + n + " times"));
        embedded.forEach((id, n) -> assertEquals(1, n, "scan " + id + " embedded " + n + " times"));
        scored.forEach((id, n) -> assertEquals(1, n, "scan " + id + " scored " + n + " times"));
    }

    /**
     * The alerts of these patients are exactly those of the default drift rule on the scores, each
     * once; their count. The drift monitor (default application id) must still run: this waits
     * until it has committed every answer written so far, so that each alert it will raise for
     * them is on the alerts topic when it is read.
     */
    int assertAlertsAsUndisturbed() throws Exception {
        TopicReader.awaitCommitted(
                stack, ServiceAccess.DRIFT_MONITOR.prefix(), Topics.NEIGHBOURS.name(), Duration.ofMinutes(3));
        TreeSet<String> expected =
                new TreeSet<>(Trajectories.alertIds(DriftMonitorConfig.ruleFrom(Settings.of(Map.of())), neighbours));
        Map<String, Integer> alerts = new HashMap<>();
        readAll(stack, Topics.ALERTS, expected.size(), a -> {
            if (patients.contains(a.getPatient())) {
                alerts.merge(a.getAlertId(), 1, Integer::sum);
            }
        });
        alerts.forEach((id, n) -> assertEquals(1, n, "alert " + id + " emitted " + n + " times"));
        assertEquals(expected, new TreeSet<>(alerts.keySet()), "alerts of the undisturbed run");
        return expected.size();
    }

    /**
     * The scans of one source answered on xray.neighbours from now on, counted once each: a run fed
     * by how many scans are scored must not count a duplicated answer as progress (it would end the
     * run with a scan unsent and hide the duplicate, which {@link #assertEachScanOnce} then names),
     * nor an answer to another test's scan on the stack they share (ingest's xray.scans says which
     * scan ids are this source's; both topics are read from now on).
     */
    static final class Answers implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> answers;
        private final KafkaConsumer<byte[], byte[]> ingested;
        private final Deserializer<ScanNeighbours> answerValues;
        private final Deserializer<ScanReceived> scanValues;
        private final String source;
        private final Set<String> answered = new HashSet<>();
        private final Set<String> ours = new HashSet<>();

        Answers(LocalStack stack, String groupPrefix, String source) {
            this.answers = fromNow(stack, groupPrefix, Topics.NEIGHBOURS.name());
            this.ingested = fromNow(stack, groupPrefix, Topics.SCANS.name());
            EventSerdes serdes = new EventSerdes(stack.registryUrl());
            this.answerValues = serdes.valueDeserializer(Topics.NEIGHBOURS);
            this.scanValues = serdes.valueDeserializer(Topics.SCANS);
            this.source = source;
        }

        /** Every scan answered so far, this source's or not. */
        Set<String> scans() {
            return Set.copyOf(answered);
        }

        /** Polls for up to {@code wait}; the distinct scans of this source answered so far. */
        int distinct(Duration wait) {
            answers.poll(wait)
                    .forEach(r -> answered.add(
                            answerValues.deserialize(r.topic(), r.value()).getScanId()));
            ingested.poll(Duration.ZERO).forEach(r -> {
                ScanReceived scan = scanValues.deserialize(r.topic(), r.value());
                if (scan.getSource().equals(source)) {
                    ours.add(scan.getScanId());
                }
            });
            return (int) answered.stream().filter(ours::contains).count();
        }

        @Override
        public void close() {
            answers.close();
            ingested.close();
        }
    }

    private static KafkaConsumer<byte[], byte[]> fromNow(LocalStack stack, String groupPrefix, String topic) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                stack.readerProperties(groupPrefix), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = c.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        c.assign(parts);
        c.seekToEnd(parts);
        parts.forEach(c::position); // the end as it is now, not when the first poll runs
        return c;
    }

    private static <V extends SpecificRecord> void readAll(
            LocalStack stack, Topic<V> topic, int atLeast, Consumer<V> sink) {
        TopicReader.readAll(
                stack, topic.name(), new EventSerdes(stack.registryUrl()).valueDeserializer(topic), atLeast, sink);
    }
}
