package io.xraydrift.cli.ops;

import io.xraydrift.events.DeadLetter;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Re-submits dead letters after a fix: each dead letter that points at a Kafka record has that
 * original record (key, value, headers — read back from its topic) produced again to the same
 * topic, so the stage that refused it takes it once more. Uploads over HTTP or DICOMweb carry no
 * replayable record (their metadata held the raw patient id and was not kept): they are listed.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Re-submits dead letters after a fix (reads " + "xray.deadletter" + ", read_committed).",
            "A dead letter with a source topic/partition/offset has its original record produced again to that topic "
                    + "(the intake topic keeps 7 days; others as declared). HTTP/DICOMweb refusals are listed, not "
                    + "replayed: resend them from the client or the PACS.",
            "Example: ./xray-drift replay --from-dead-letter --stage ingest --since 2026-11-25T08:00:00Z --dry-run"
        })
public final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--from-dead-letter", required = true, description = "Replay from the dead-letter topic.")
    boolean fromDeadLetter;

    @Option(
            names = "--stage",
            description = "Only dead letters of this stage (ingest, embedder, indexer, drift-monitor).")
    String stage;

    @Option(names = "--since", description = "Only dead letters that failed at or after this instant (ISO-8601).")
    Instant since;

    @Option(names = "--contains", description = "Only dead letters whose reason contains this text.")
    String contains;

    @Option(names = "--dry-run", description = "List what would be replayed; produce nothing.")
    boolean dryRun;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        KafkaSettings kafka = KafkaSettings.from(config.settings());
        EventSerdes serdes = kafka.serdes();
        List<DeadLetter> selected = read(kafka, serdes);
        int replayed = 0;
        int listed = 0;
        Map<String, Object> p = new HashMap<>(kafka.clientProperties("xray-drift-replay"));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 24 * 1024 * 1024);
        Map<String, Object> c = new HashMap<>(kafka.clientProperties("xray-drift-replay-source"));
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 24 * 1024 * 1024);
        try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
                KafkaConsumer<byte[], byte[]> source =
                        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (DeadLetter d : selected) {
                if (d.getSource() == null) {
                    listed++;
                    out.printf("  not replayable (%s, %s): %s%n", d.getStage(), d.getRequestId(), d.getReason());
                    continue;
                }
                ConsumerRecord<byte[], byte[]> original = fetch(source, d);
                String where = d.getSource().getTopic() + "-" + d.getSource().getPartition() + "@"
                        + d.getSource().getOffset();
                if (original == null) {
                    listed++;
                    out.printf("  gone from %s (retention): %s%n", where, d.getReason());
                    continue;
                }
                out.printf("  %s %s: %s%n", dryRun ? "would replay" : "replaying", where, d.getReason());
                if (!dryRun) {
                    producer.send(new ProducerRecord<>(
                            original.topic(), null, original.key(), original.value(), original.headers()));
                    replayed++;
                }
            }
            producer.flush();
        }
        out.printf(
                Locale.ROOT,
                "%d dead letters selected: %d replayed, %d not replayable%s%n",
                selected.size(),
                replayed,
                listed,
                dryRun ? " (dry run)" : "");
        return 0;
    }

    private List<DeadLetter> read(KafkaSettings kafka, EventSerdes serdes) {
        Map<String, Object> c = new HashMap<>(kafka.clientProperties("xray-drift-replay-reader"));
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 24 * 1024 * 1024);
        List<DeadLetter> out = new ArrayList<>();
        try (KafkaConsumer<String, DeadLetter> consumer = new KafkaConsumer<>(
                c, EventSerdes.keys().deserializer(), serdes.valueDeserializer(Topics.DEAD_LETTER))) {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.DEAD_LETTER.name()).stream()
                    .map(pi -> new TopicPartition(pi.topic(), pi.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, DeadLetter> r : consumer.poll(Duration.ofMillis(300))) {
                    DeadLetter d = r.value();
                    if (d != null
                            && (stage == null || stage.equals(d.getStage()))
                            && (since == null || !d.getFailedAt().isBefore(since))
                            && (contains == null || d.getReason().contains(contains))) {
                        out.add(d);
                    }
                }
            }
        }
        return out;
    }

    private static ConsumerRecord<byte[], byte[]> fetch(KafkaConsumer<byte[], byte[]> consumer, DeadLetter d) {
        TopicPartition tp =
                new TopicPartition(d.getSource().getTopic(), d.getSource().getPartition());
        consumer.assign(List.of(tp));
        long offset = d.getSource().getOffset();
        if (consumer.beginningOffsets(List.of(tp)).get(tp) > offset) {
            return null;
        }
        consumer.seek(tp, offset);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                if (r.offset() == offset) {
                    return r;
                }
                if (r.offset() > offset) {
                    return null;
                }
            }
        }
        return null;
    }
}
