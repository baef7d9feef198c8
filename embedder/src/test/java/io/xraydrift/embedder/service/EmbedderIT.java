package io.xraydrift.embedder.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xraydrift.embedder.EmbedderApp;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.Level;
import io.xraydrift.events.ScanEmbedded;
import io.xraydrift.events.ScanIntake;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.phantoms.Phantom;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.Await;
import io.xraydrift.testing.Fixtures;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.ServiceEnv;
import io.xraydrift.testing.ServiceProcess;
import io.xraydrift.testing.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.CRC32;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The embedder service on the real local stack: exactness, crash recovery, bad input. */
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbedderIT {

    private static final PhantomRenderer RENDERER = new PhantomRenderer(256);
    private static final String TOKEN = "embedder-it-token-0123456789abcdef";

    @Test
    @Order(1)
    void embedsEveryScanAsTheModelDoesDirectly(LocalStack stack) throws Exception {
        Map<String, byte[]> images = phantoms("exact", 24);
        try (EmbedderService service = start(stack, "it-a")) {
            produce(stack, images, Map.of());
            Map<String, List<ScanEmbedded>> out = awaitEmbeddings(stack, id -> id.startsWith("exact-"), 24);
            try (EmbeddingModel direct = EmbeddingModel.loadDefault()) {
                for (var e : images.entrySet()) {
                    List<ScanEmbedded> got = out.get(e.getKey());
                    assertEquals(1, got.size(), e.getKey());
                    float[] expected = direct.embed(direct.preprocessing().input(Preprocessing.decode(e.getValue())));
                    assertArrayEquals(expected, unboxed(got.get(0).getVector()), 1e-5f, e.getKey());
                    assertEquals(direct.card().version(), got.get(0).getModel().getVersion());
                    assertEquals(
                            direct.card().levels().infected(),
                            got.get(0).getModel().getInfectedThreshold(),
                            "the model's own level thresholds travel with its vectors");
                    assertEquals(
                            direct.card().levels().severe(),
                            got.get(0).getModel().getSevereThreshold());
                    assertEquals("patient-of-" + e.getKey(), got.get(0).getPatient());
                }
                float[] viaHttp =
                        postEmbed(service.httpPort(), images.values().iterator().next());
                float[] expected = direct.embed(direct.preprocessing()
                        .input(Preprocessing.decode(images.values().iterator().next())));
                assertArrayEquals(expected, viaHttp, 1e-5f);
                assertEquals(
                        401,
                        post(service.httpPort(), images.values().iterator().next(), null)
                                .statusCode(),
                        "POST /embed without the token");
                HttpResponse<String> bomb = post(service.httpPort(), declaredPng(30_000, 30_000), TOKEN);
                assertEquals(400, bomb.statusCode(), bomb.body());
                assertTrue(bomb.body().contains("declares 30000x30000"), bomb.body());
            }
            assertEquals(Level.SEVERE, out.get("exact-002").get(0).getReferenceLabel());
        }
    }

    @Test
    @Order(2)
    void aKilledEmbedderLosesNothingAndDuplicatesNothing(LocalStack stack) throws Exception {
        Map<String, byte[]> images = phantoms("crash", 160);
        Path logs = Files.createTempDirectory("embedder-kill");
        // The first embedder is its own JVM from its own main, killed with SIGKILL mid-stream: no
        // shutdown hook, no commit of the batch in hand.
        try (ServiceProcess first = new ServiceProcess(
                "embedder",
                EmbedderApp.class.getName(),
                ServiceProcess.thisClasspath(),
                settings(stack, "it-crash", Map.of()),
                logs)) {
            first.start();
            produce(stack, images, Map.of());
            awaitEmbeddings(stack, id -> id.startsWith("crash-"), 30);
            first.kill();
            assertFalse(first.alive());
        }
        try (EmbedderService second = start(stack, "it-crash")) {
            Map<String, List<ScanEmbedded>> out = awaitEmbeddings(stack, id -> id.startsWith("crash-"), 160);
            assertEquals(images.keySet(), out.keySet());
            out.forEach((id, list) -> assertEquals(1, list.size(), id + " embedded " + list.size() + " times"));
        }
    }

    @Test
    @Order(3)
    void badInputBecomesDeadLettersAndTheNextScanIsStillEmbedded(LocalStack stack) throws Exception {
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put(
                "bad-corrupt",
                Arrays.copyOf(phantoms("x", 1).values().iterator().next(), 300));
        bad.put("bad-tiny", new Phantom(1, 1, new byte[] {42}).toPng());
        Map<String, byte[]> wrongSchema = Map.of("bad-schema", wrongSchemaRecord(stack));
        try (EmbedderService service = start(stack, "it-bad")) {
            produce(stack, bad, wrongSchema);
            produce(stack, phantoms("after-bad", 1), Map.of());
            awaitEmbeddings(stack, id -> id.startsWith("after-bad-"), 1);
            List<DeadLetter> letters = deadLetters(stack, 3);
            String reasons =
                    letters.stream().map(DeadLetter::getReason).toList().toString();
            assertTrue(letters.stream().anyMatch(d -> d.getReason().startsWith("scan bad-corrupt:")), reasons);
            assertTrue(
                    letters.stream()
                            .anyMatch(d -> d.getReason().contains("bad-tiny")
                                    && d.getReason().contains("1x1 pixels")),
                    reasons);
            assertTrue(letters.stream().anyMatch(d -> d.getReason().contains("is not a ScanReceived")), reasons);
            letters.forEach(d -> {
                assertEquals("embedder", d.getStage());
                assertEquals(Topics.SCANS.name(), d.getSource().getTopic());
                assertTrue(d.getOriginalSize() > 0);
            });
        }
    }

    @Test
    @Order(4)
    void backfillWithAnotherModelEmitsItsVectorsBesideTheOldOnes(LocalStack stack, @TempDir Path fixtures)
            throws Exception {
        Path fixture = Fixtures.backbone(fixtures);
        Map<String, String> extra = Map.of(
                EmbedderConfig.BACKFILL.name(),
                "true",
                EmbedderConfig.MODEL.name(),
                fixture.toString(),
                EmbedderConfig.INPUT_SIZE.name(),
                "96");
        try (EmbedderService backfill = start(stack, "it-backfill", extra)) {
            Map<String, List<ScanEmbedded>> out =
                    awaitEmbeddings(stack, id -> id.startsWith("exact-"), 48, backfillGroup(stack));
            for (int i = 0; i < 24; i++) {
                List<ScanEmbedded> both = out.get(String.format("exact-%03d", i));
                assertEquals(2, both.size(), "old and new vectors of exact-" + i);
                assertEquals(
                        Set.of("xray-drift-default", "mobilenet-v3-small-random"),
                        Set.of(
                                both.get(0).getModel().getId(),
                                both.get(1).getModel().getId()));
                both.forEach(e ->
                        assertEquals(e.getModel().getDimension(), e.getVector().size()));
            }
            assertEquals(576, backfill.model().card().embeddingSize());
        }
    }

    private static EmbedderService start(LocalStack stack, String instance) {
        return start(stack, instance, Map.of());
    }

    private static EmbedderService start(LocalStack stack, String instance, Map<String, String> extra) {
        EmbedderService service =
                new EmbedderService(EmbedderConfig.from(Settings.of(settings(stack, instance, extra))));
        service.start();
        return service;
    }

    private static Map<String, String> settings(LocalStack stack, String instance, Map<String, String> extra) {
        Map<String, String> env = ServiceEnv.onStack(stack, instance);
        env.put(EmbedderConfig.API_TOKEN.name(), TOKEN);
        env.put(EmbedderConfig.MAX_BATCH.name(), "8");
        env.put(EmbedderConfig.DEVICE.name(), "cpu");
        env.put(EmbedderConfig.THREADS.name(), "2");
        env.putAll(extra);
        return env;
    }

    /** PNG phantoms keyed by scan id; every third one severe, the rest healthy. */
    private static Map<String, byte[]> phantoms(String prefix, int n) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        List<PhantomSet.Item> items = PhantomSet.labelled(n - n / 3, 0, n / 3, prefix.hashCode(), 0.1);
        for (int i = 0; i < n; i++) {
            PhantomSet.Item item = items.get(i % 3 == 2 && n - n / 3 + i / 3 < n ? n - n / 3 + i / 3 : i - (i + 1) / 3);
            out.put(
                    String.format("%s-%03d", prefix, i),
                    PhantomSet.render(RENDERER, item).toPng());
        }
        return out;
    }

    private static void produce(LocalStack stack, Map<String, byte[]> images, Map<String, byte[]> rawValues)
            throws Exception {
        EventSerdes serdes = new EventSerdes(stack.registryUrl());
        var serializer = serdes.valueSerializer(Topics.SCANS);
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of(
                        "bootstrap.servers", stack.bootstrapServers(), "max.request.size", 8 * 1024 * 1024),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (var e : images.entrySet()) {
                String suffix = e.getKey().substring(e.getKey().lastIndexOf('-') + 1);
                int i = suffix.chars().allMatch(Character::isDigit) ? Integer.parseInt(suffix) : 0;
                ScanReceived scan = ScanReceived.newBuilder()
                        .setScanId(e.getKey())
                        .setPatient("patient-of-" + e.getKey())
                        .setAcquiredAt(Instant.parse("2026-11-01T10:00:00Z").plusSeconds(i))
                        .setReceivedAt(Instant.now())
                        .setSource("it")
                        .setView(ViewPosition.PA)
                        .setWidth(256)
                        .setHeight(256)
                        .setImage(ByteBuffer.wrap(e.getValue()))
                        .setReferenceLabel(i % 3 == 2 ? Level.SEVERE : Level.HEALTHY)
                        .build();
                producer.send(new ProducerRecord<>(
                        Topics.SCANS.name(), scan.getPatient(), serializer.serialize(Topics.SCANS.name(), scan)));
            }
            for (var e : rawValues.entrySet()) {
                producer.send(new ProducerRecord<>(Topics.SCANS.name(), e.getKey(), e.getValue()));
            }
            producer.flush();
        }
    }

    /** An intake event (another schema) written to the scans topic by mistake. */
    private static byte[] wrongSchemaRecord(LocalStack stack) {
        ScanIntake intake = ScanIntake.newBuilder()
                .setPatientId("X")
                .setAcquiredAt(Instant.now())
                .setSource("oops")
                .build();
        return new EventSerdes(stack.registryUrl())
                .valueSerializer(Topics.INTAKE)
                .serialize(Topics.INTAKE.name(), intake);
    }

    private static Map<String, List<ScanEmbedded>> awaitEmbeddings(LocalStack stack, Predicate<String> ids, int n)
            throws Exception {
        return awaitEmbeddings(stack, ids, n, ServiceAccess.EMBEDDER.prefix());
    }

    /**
     * The embeddings of the scans whose ids match, once n arrived and {@code group} has committed all
     * of {@code xray.scans}: read again to the topic's end then, so a duplicate would show.
     */
    private static Map<String, List<ScanEmbedded>> awaitEmbeddings(
            LocalStack stack, Predicate<String> ids, int n, String group) throws Exception {
        EventSerdes serdes = new EventSerdes(stack.registryUrl());
        try (var consumer = new KafkaConsumer<>(
                readCommitted(stack), EventSerdes.keys().deserializer(), serdes.valueDeserializer(Topics.EMBEDDINGS))) {
            consumer.subscribe(Set.of(Topics.EMBEDDINGS.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            int seen = 0;
            while (seen < n && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    if (ids.test(r.value().getScanId())) {
                        seen++;
                    }
                }
            }
            assertTrue(seen >= n, "embeddings read: " + seen + " of " + n);
        }
        TopicReader.awaitCommitted(stack, group, Topics.SCANS.name(), Duration.ofSeconds(60));
        Map<String, List<ScanEmbedded>> out = new LinkedHashMap<>();
        TopicReader.readAll(stack, Topics.EMBEDDINGS.name(), serdes.valueDeserializer(Topics.EMBEDDINGS), 0, v -> {
            if (ids.test(v.getScanId())) {
                out.computeIfAbsent(v.getScanId(), k -> new ArrayList<>()).add(v);
            }
        });
        return out;
    }

    /** The backfill's consumer group (named by its model id and version). */
    private static String backfillGroup(LocalStack stack) throws Exception {
        String prefix = ServiceAccess.EMBEDDER.transactionalId("backfill", "mobilenet-v3-small-random");
        List<String> found = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            Await.until("a consumer group " + prefix + "*", Duration.ofSeconds(60), () -> {
                admin.listGroups().all().get().stream()
                        .map(g -> g.groupId())
                        .filter(id -> id.startsWith(prefix))
                        .findFirst()
                        .ifPresent(found::add);
                return !found.isEmpty();
            });
        }
        return found.get(0);
    }

    private static List<DeadLetter> deadLetters(LocalStack stack, int atLeast) {
        EventSerdes serdes = new EventSerdes(stack.registryUrl());
        List<DeadLetter> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(
                readCommitted(stack),
                EventSerdes.keys().deserializer(),
                serdes.valueDeserializer(Topics.DEAD_LETTER))) {
            consumer.subscribe(Set.of(Topics.DEAD_LETTER.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    private static Map<String, Object> readCommitted(LocalStack stack) {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "embedder-it-reader-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed");
    }

    private static HttpResponse<String> post(int port, byte[] png, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/embed"))
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(png));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A PNG whose header declares w x h 8-bit gray pixels, with almost no data behind it (a decompression bomb's shape). */
    private static byte[] declaredPng(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(w)
                .putInt(h)
                .put((byte) 8)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4 + 12);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
                .putInt(13)
                .put(ihdr.array())
                .putInt((int) crc.getValue())
                .putInt(0)
                .put("IEND".getBytes(StandardCharsets.US_ASCII))
                .putInt(0xAE426082);
        return png.array();
    }

    private static float[] postEmbed(int port, byte[] png) throws Exception {
        HttpResponse<String> r = post(port, png, TOKEN);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode vector = new ObjectMapper().readTree(r.body()).get("vector");
        float[] out = new float[vector.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) vector.get(i).asDouble();
        }
        return out;
    }

    private static float[] unboxed(List<Float> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }
}
