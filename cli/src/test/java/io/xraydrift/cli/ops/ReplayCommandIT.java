package io.xraydrift.cli.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.cli.XrayDrift;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.ScanIntake;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.service.IngestService;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.ServiceEnv;
import io.xraydrift.testing.Stdout;
import io.xraydrift.testing.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A scan refused for a configuration problem is replayed from the dead-letter topic once it is fixed. */
@ExtendWith(LocalStackExtension.class)
class ReplayCommandIT {

    @TempDir
    Path dir;

    @Test
    void aDeadLetteredIntakeRecordIsIngestedAfterTheFixAndAReplay(LocalStack stack) throws Exception {
        Map<String, String> env = ServiceEnv.onStack(stack, "replay-it");
        env.put(Settings.DEMO_MODE.name(), "true");
        env.put(IngestConfig.STATE_DIR.name(), dir.resolve("state").toString());
        KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(env)), "it-setup");
        Path images = Files.createDirectories(dir.resolve("images"));
        Path png = images.resolve("scan.png");
        Files.write(
                png,
                PhantomSet.render(
                                new PhantomRenderer(512),
                                PhantomSet.labelled(1, 0, 0, 5, 0).get(0))
                        .toPng());
        String source = "replay-it-" + UUID.randomUUID();
        Instant began = Instant.now().minusSeconds(1);
        try (IngestService before = new IngestService(IngestConfig.from(Settings.of(env)))) {
            before.start();
            try (KafkaProducer<String, ScanIntake> p = new KafkaProducer<>(
                    Map.of("bootstrap.servers", stack.bootstrapServers()),
                    EventSerdes.keys().serializer(),
                    new EventSerdes(stack.registryUrl()).valueSerializer(Topics.INTAKE))) {
                p.send(new ProducerRecord<>(
                        Topics.INTAKE.name(),
                        "k",
                        ScanIntake.newBuilder()
                                .setPatientId("MRN-REPLAY-1")
                                .setAcquiredAt(Instant.parse("2026-11-01T10:00:00Z"))
                                .setSource(source)
                                .setView(ViewPosition.PA)
                                .setImageUri(png.toUri().toString())
                                .build()));
            }
            // A reason names no submitted value (the feed name neither): the refusal is found by what it says.
            List<DeadLetter> dead = read(
                    stack,
                    Topics.DEAD_LETTER,
                    d -> d.getReason().contains("file URIs are disabled")
                            && !d.getFailedAt().isBefore(began),
                    1);
            assertFalse(dead.get(0).getReason().contains(source), dead.get(0).getReason());
            assertTrue(
                    dead.get(0).getReason().contains("file URIs are disabled"),
                    dead.get(0).getReason());
        }
        env.put(IngestConfig.FILE_ROOT.name(), images.toString());
        try (IngestService after = new IngestService(IngestConfig.from(Settings.of(env)))) {
            after.start();
            Path config = ServiceEnv.configFile(env, dir);
            Stdout.Run run = Stdout.capture(() -> XrayDrift.commandLine()
                    .execute(
                            "replay",
                            "--config",
                            config.toString(),
                            "--from-dead-letter",
                            "--stage",
                            "ingest",
                            "--contains",
                            "file URIs are disabled",
                            "--since",
                            began.toString()));
            String out = run.out();
            assertEquals(0, run.rc(), out);
            assertTrue(out.contains("1 dead letters selected: 1 replayed"), out);
            List<ScanReceived> scans =
                    read(stack, Topics.SCANS, s -> s.getSource().equals(source), 1);
            assertEquals(1, scans.size());
        }
    }

    private static <V extends SpecificRecord> List<V> read(LocalStack stack, Topic<V> topic, Predicate<V> keep, int n) {
        List<V> out = TopicReader.await(
                stack,
                topic.name(),
                new EventSerdes(stack.registryUrl()).valueDeserializer(topic),
                keep,
                n,
                Duration.ZERO,
                Duration.ofSeconds(60));
        assertEquals(n, out.size(), "records of " + topic.name());
        return out;
    }
}
