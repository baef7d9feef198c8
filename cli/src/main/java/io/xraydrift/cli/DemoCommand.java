package io.xraydrift.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.xraydrift.events.ScanIntake;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.platform.ShellService;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job on the embedded default. Today it runs what is built: the local stack, the four
 * services' shared shell (topic setup, schemas, health, metrics), and feed events through the
 * intake topic and the registry. The processing stages join it as their issues land.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the pipeline on this machine with nothing to configure.",
            "Starts the local stack (real KRaft broker + real Apicurio Registry), starts ingest, embedder, indexer and "
                + "drift-monitor in this JVM, publishes scans to the intake topic as a hospital feed would and reads "
                + "them back through the registry.",
            "",
            "Built so far: the foundation (events, topics, registry, services' start/stop, health, metrics). "
                + "Not built yet: the services' processing (phantoms and model, embedding, ANN neighbours, drift "
                + "alerts); until then the demo stops at the intake topic."})
final class DemoCommand implements Callable<Integer> {

    private static final List<String> SERVICES = List.of("ingest", "embedder", "indexer", "drift-monitor");

    @Option(names = "--scans", defaultValue = "12", description = "Scans the demo feed publishes (default: ${DEFAULT-VALUE}).")
    int scans;

    @Option(names = "--exit-when-done", description = "Stop and exit once the scans are published and read back "
            + "(exit code 0 when every scan came back intact).")
    boolean exitWhenDone;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        List<ShellService> services = new ArrayList<>();
        try (LocalRun run = LocalRun.start(out)) {
            for (String name : SERVICES) {
                ShellService service = new ShellService(ServiceConfig.from(serviceSettings(run), name, 0));
                service.start();
                services.add(service);
                out.printf("  %-14s up   health: http://127.0.0.1:%d/health   metrics: http://127.0.0.1:%d/metrics%n",
                        name, service.httpPort(), service.httpPort());
            }
            run.printConnectionHelp(out);
            EventSerdes serdes = new EventSerdes(run.kafka().registryApiUrl());
            List<ScanIntake> sent = publish(run, serdes, scans);
            out.printf("Published %d scans to %s as feed 'demo-feed'.%n", sent.size(), Topics.INTAKE.name());
            int intact = readBack(run, serdes, sent, out);
            boolean ok = intact == sent.size();
            out.printf("%d of %d scans read back intact through the registry (Confluent wire format).%n",
                    intact, sent.size());
            out.println("Next stages (ingest processing, embedder, indexer, drift monitor) are not built yet.");
            if (exitWhenDone) {
                return ok ? 0 : 1;
            }
            out.println("Running. Ctrl-C stops everything and removes the data.");
            run.awaitStop();
            return ok ? 0 : 1;
        } finally {
            services.forEach(ShellService::close);
        }
    }

    private static Settings serviceSettings(LocalRun run) {
        Map<String, String> s = new HashMap<>(LocalRun.settings(run.stack()));
        s.put(ServiceConfig.HTTP_HOST, "127.0.0.1");
        s.put(ServiceConfig.HTTP_PORT, "0");
        s.put(ServiceConfig.INSTANCE_ID, "demo");
        s.put("XRAY_DEMO_MODE", "true");
        return Settings.of(s);
    }

    private static List<ScanIntake> publish(LocalRun run, EventSerdes serdes, int count) {
        Map<String, Object> props = new HashMap<>(run.kafka().clientProperties("demo-feed"));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 24 * 1024 * 1024);
        List<ScanIntake> sent = new ArrayList<>();
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(count));
        try (var producer = new KafkaProducer<>(props, EventSerdes.keys().serializer(),
                serdes.valueSerializer(Topics.INTAKE))) {
            for (int i = 0; i < count; i++) {
                String patient = "DEMO-" + (1000 + i % 3);
                ScanIntake scan = ScanIntake.newBuilder()
                        .setPatientId(patient)
                        .setAcquiredAt(start.plus(Duration.ofDays(i)))
                        .setSource("demo-feed")
                        .setView(ViewPosition.PA)
                        .setModality("CR")
                        .setSopInstanceUid("1.2.826.0.1.3680043.10.1." + (i + 1))
                        .setImageFormat("image/png")
                        .setImage(ByteBuffer.wrap(sampleImage(i)))
                        .build();
                producer.send(new ProducerRecord<>(Topics.INTAKE.name(), patient, scan));
                sent.add(scan);
            }
            producer.flush();
        }
        return sent;
    }

    private static int readBack(LocalRun run, EventSerdes serdes, List<ScanIntake> sent, PrintStream out) {
        Map<String, Object> props = new HashMap<>(run.kafka().clientProperties("demo-reader"));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "xray-demo-reader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, EventSerdes.keys().deserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(Topics.INTAKE.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < sent.size() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        var deserializer = serdes.valueDeserializer(Topics.INTAKE);
        Set<ScanIntake> expected = new java.util.HashSet<>(sent);
        int intact = 0;
        for (ConsumerRecord<String, byte[]> r : records) {
            byte[] bytes = r.value();
            int schemaId = bytes.length > 4 && bytes[0] == 0 ? ByteBuffer.wrap(bytes, 1, 4).getInt() : -1;
            ScanIntake scan = deserializer.deserialize(r.topic(), bytes);
            boolean same = expected.remove(scan);
            intact += same ? 1 : 0;
            out.printf("  %s[%d]@%d  schema id %d  %d bytes  sop %s  %s%n", r.topic(), r.partition(), r.offset(),
                    schemaId, bytes.length, scan.getSopInstanceUid(), same ? "ok" : "DIFFERS");
        }
        return intact;
    }

    /** A small grayscale PNG standing in for a radiograph until the phantom generator exists. */
    private static byte[] sampleImage(int i) {
        BufferedImage img = new BufferedImage(256, 256, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(200, 200, 200));
        g.fillRect(0, 0, 256, 256);
        g.setColor(new Color(60 + i * 5 % 80, 60 + i * 5 % 80, 60 + i * 5 % 80));
        g.fillOval(40, 50, 75, 150);
        g.fillOval(141, 50, 75, 150);
        g.dispose();
        try (ByteArrayOutputStream png = new ByteArrayOutputStream()) {
            ImageIO.write(img, "png", png);
            return png.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the sample PNG", e);
        }
    }
}
