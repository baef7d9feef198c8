package io.xraydrift.indexer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.Level;
import io.xraydrift.events.ModelRef;
import io.xraydrift.events.ScanEmbedded;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.Await;
import io.xraydrift.testing.DroppingProxy;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.ServiceEnv;
import io.xraydrift.testing.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The indexer service on the real local stack. */
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.Random.class)
class IndexerIT {

    static final String TOKEN = "it-token-0123456789abcdefghij";

    private static final int DIM = 16;
    private static final int K = 10;
    private static final ModelRef MODEL = new ModelRef("it-model", "v1", DIM, null, null);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The labelled v1 cohort every test starts from: 40 scans of each level around its centre. */
    private static final Map<String, ScanEmbedded> COHORT = cohort();

    @TempDir
    Path snapshots;

    /**
     * Each test stands alone (they run in random order): the indexer's topics are deleted and
     * created again, its group's offsets dropped, and the v1 cohort written afresh.
     */
    @BeforeEach
    void freshTopics(LocalStack stack) throws Exception {
        List<String> topics = List.of(Topics.EMBEDDINGS.name(), Topics.NEIGHBOURS.name(), Topics.DEAD_LETTER.name());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            Set<String> present = admin.listTopics().names().get();
            List<String> delete = topics.stream().filter(present::contains).toList();
            admin.deleteTopics(delete).all().get();
            Await.until(
                    "the topics deleted",
                    Duration.ofSeconds(60),
                    () -> admin.listTopics().names().get().stream().noneMatch(topics::contains));
            try {
                admin.deleteConsumerGroups(List.of(IndexerLoop.GROUP)).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    throw e;
                }
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(env(stack, "setup"))), "it-setup");
                break;
            } catch (RuntimeException e) { // a deleted topic's name is free again a moment later
                assertTrue(System.nanoTime() < deadline, "topics not created again: " + e);
                Thread.sleep(200);
            }
        }
        produce(stack, COHORT.values());
    }

    private static Map<String, ScanEmbedded> cohort() {
        Map<String, ScanEmbedded> cohort = new LinkedHashMap<>();
        for (Level level : Level.values()) {
            for (int i = 0; i < 40; i++) {
                cohort.put(
                        "ref-" + level + "-" + i,
                        scan("ref-" + level + "-" + i, "cohort-" + level + "-" + i, level, around(level, i)));
            }
        }
        return cohort;
    }

    @Test
    void answersEveryScanWithItsNearestLabelledNeighboursOnce(LocalStack stack) throws Exception {
        Map<String, ScanEmbedded> cohort = COHORT;
        Map<String, ScanEmbedded> patients = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            Level near = Level.values()[i % 3];
            patients.put("pat-" + i, scan("pat-" + i, "patient-" + (i % 4), null, around(near, 1000 + i)));
        }
        try (IndexerService service = start(stack, "it-one")) {
            produce(stack, patients.values());
            Map<String, List<ScanNeighbours>> out = await(
                    stack,
                    id -> id.startsWith("ref-") || id.startsWith("pat-"),
                    cohort.size() + patients.size(),
                    service);
            out.forEach((id, list) -> assertEquals(1, list.size(), id + " answered " + list.size() + " times"));
            for (int i = 0; i < 12; i++) {
                ScanNeighbours n = out.get("pat-" + i).get(0);
                Level near = Level.values()[i % 3];
                assertEquals(K, n.getNeighbours().size());
                assertEquals(near, n.getLevel(), "pat-" + i + " " + n.getComposition());
                assertEquals(MODEL, n.getModel());
            }
            ScanNeighbours self = out.get("ref-SEVERE-3").get(0);
            assertTrue(
                    self.getNeighbours().stream().noneMatch(x -> x.getScanId().equals("ref-SEVERE-3")),
                    "a scan is never its own neighbour (own patient excluded)");
            JsonNode index = get(service.httpPort(), "/index");
            assertEquals(120, index.get("models").get(0).get("labelled").asInt());
            JsonNode viaApi = get(service.httpPort(), "/scans/pat-2/neighbours?k=5");
            assertEquals(5, viaApi.get("neighbours").size());
            assertEquals("SEVERE", viaApi.get("level").asText());
            // One gate in front of the query API: nothing answers without the token.
            for (String path : List.of("/index", "/scans/pat-2/neighbours")) {
                assertEquals(
                        401,
                        HttpClient.newHttpClient()
                                .send(
                                        HttpRequest.newBuilder(
                                                        URI.create("http://127.0.0.1:" + service.httpPort() + path))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode(),
                        path);
            }
            assertEquals(
                    401,
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create("http://127.0.0.1:" + service.httpPort() + "/search"))
                                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode(),
                    "/search");
        }
    }

    @Test
    void restartsFromItsSnapshotAndTheTopicWithTheSameNeighbours(LocalStack stack) throws Exception {
        List<float[]> probes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            probes.add(around(Level.values()[i % 3], 5000 + i));
        }
        List<String> before = new ArrayList<>();
        try (IndexerService first = start(stack, "it-restart")) {
            awaitLabelled(first, 120);
            for (float[] p : probes) {
                before.add(post(first.httpPort(), p).get("neighbours").toString());
            }
        }
        try (var files = Files.list(snapshots)) {
            assertTrue(files.anyMatch(f -> f.toString().endsWith(".xfs")), "a snapshot was written at stop");
        }
        produce(stack, List.of(scan("late-ref", "late-patient", Level.HEALTHY, around(Level.HEALTHY, 9999))));
        try (IndexerService second = start(stack, "it-restart")) {
            awaitLabelled(second, 121);
            for (int i = 0; i < probes.size(); i++) {
                JsonNode after = post(second.httpPort(), probes.get(i));
                if (i % 3 != 0) {
                    assertEquals(before.get(i), after.get("neighbours").toString(), "probe " + i);
                }
            }
        }
    }

    @Test
    void twoReplicasInOneGroupAnswerEveryScanExactlyOnce(LocalStack stack) throws Exception {
        List<ScanEmbedded> scans = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            scans.add(scan("two-" + i, "two-patient-" + i, null, around(Level.values()[i % 3], 20_000 + i)));
        }
        try (IndexerService a = start(stack, "it-replica-a");
                IndexerService b = start(stack, "it-replica-b")) {
            awaitAnswering(Topics.EMBEDDINGS.partitions(), a, b);
            produce(stack, scans);
            Map<String, List<ScanNeighbours>> out = await(stack, id -> id.startsWith("two-"), scans.size(), a, b);
            assertEquals(scans.size(), out.size());
            out.forEach((id, list) -> assertEquals(1, list.size(), id + " answered " + list.size() + " times"));
        }
    }

    @Test
    void aNewModelVersionAnswersOnlyOnceItHoldsItsCohortAndThenAlone(LocalStack stack) throws Exception {
        ModelRef v2 = new ModelRef("it-model", "v2", DIM, null, null);
        try (IndexerService service = start(stack, "it-switch")) {
            awaitLabelled(service, 120);
            awaitAnswering(Topics.EMBEDDINGS.partitions(), service);
            produce(stack, v2Cohort(0, 10, v2));
            produce(
                    stack,
                    List.of(
                            withModel(scan("switch-a", "switch-patient", null, around(Level.SEVERE, 1)), v2),
                            scan("switch-a", "switch-patient", null, around(Level.SEVERE, 1))));
            Map<String, List<ScanNeighbours>> first = await(stack, id -> id.equals("switch-a"), 1, service);
            assertEquals("v1", first.get("switch-a").get(0).getModel().getVersion(), "v2 lacks its cohort: v1 answers");
            produce(stack, v2Cohort(10, 40, v2));
            produce(
                    stack,
                    List.of(
                            withModel(scan("switch-b", "switch-patient", null, around(Level.SEVERE, 2)), v2),
                            scan("switch-b", "switch-patient", null, around(Level.SEVERE, 2))));
            Map<String, List<ScanNeighbours>> second = await(stack, id -> id.equals("switch-b"), 1, service);
            assertEquals("v2", second.get("switch-b").get(0).getModel().getVersion(), "v2 complete: it alone answers");
        }
    }

    @Test
    void malformedVectorsAreDeadLetteredAndTheIndexerGoesOn(LocalStack stack) throws Exception {
        try (IndexerService service = start(stack, "it-bad")) {
            awaitLabelled(service, 120);
            float[] ok = around(Level.SEVERE, 77);
            ScanEmbedded shortVector = scan("bad-short", "bad-p1", Level.HEALTHY, Arrays.copyOf(ok, DIM - 1));
            float[] nan = ok.clone();
            nan[3] = Float.NaN;
            ScanEmbedded notFinite = scan("bad-nan", "bad-p2", null, nan);
            ScanEmbedded otherWidth = withModel(
                    scan("bad-wide", "bad-p3", Level.SEVERE, new float[DIM * 2]),
                    new ModelRef(MODEL.getId(), MODEL.getVersion(), DIM * 2, null, null));
            ScanEmbedded noDimension = withModel(
                    scan("bad-zero", "bad-p4", null, new float[0]), new ModelRef(MODEL.getId(), "v0", 0, null, null));
            produce(stack, List.of(shortVector, notFinite, otherWidth, noDimension));
            try (var producer = new KafkaProducer<>(
                    Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers()),
                    new StringSerializer(),
                    new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(
                                Topics.EMBEDDINGS.name(), "bad-p5", new byte[] {0, 0x7f, -1, -1, 0, 1}))
                        .get();
            }
            produce(stack, List.of(scan("good-after", "good-p", null, ok)));
            assertEquals(
                    "SEVERE",
                    await(stack, id -> id.equals("good-after"), 1, service)
                            .get("good-after")
                            .get(0)
                            .getLevel()
                            .name(),
                    "a good scan after the bad ones is answered");

            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("bad-short", "vector has " + (DIM - 1) + " dims, model it-model says " + DIM);
            expected.put("bad-nan", "vector has NaN at index 3");
            expected.put(
                    "bad-wide",
                    "vector has " + (DIM * 2) + " dims, the index of model it-model@v1 holds " + DIM + "-dim vectors");
            expected.put("bad-zero", "has dimension 0, outside [1, 65536]");
            List<DeadLetter> dead = deadLetters(stack, 5);
            for (var e : expected.entrySet()) {
                assertEquals(
                        1,
                        dead.stream()
                                .filter(d -> d.getReason().contains(e.getKey())
                                        && d.getReason().contains(e.getValue()))
                                .count(),
                        e + " in " + dead);
            }
            assertEquals(
                    1,
                    dead.stream()
                            .filter(d -> d.getSource() != null
                                    && d.getOriginalSize() == 6
                                    && d.getReason().contains("schema id 2147483392: the registry answered 404"))
                            .count(),
                    "the undecodable record, with its source and why: " + dead);
            JsonNode index = get(service.httpPort(), "/index");
            assertTrue(index.get("healthy").asBoolean(), index.toString());
            assertEquals(5, index.get("scans").get("deadLettered").asInt(), index.toString());
            for (JsonNode m : index.get("models")) {
                assertTrue(!m.get("version").asText().equals("v0"), "no index for a 0-dim model: " + index);
                if (m.get("version").asText().equals("v1")) {
                    assertEquals(120, m.get("labelled").asInt(), "nothing malformed was indexed: " + index);
                }
            }
        }
    }

    @Test
    void aRegistryOutageCostsRetriesNotScans(LocalStack stack, @TempDir Path fresh) throws Exception {
        String base = stack.registryBaseUrl();
        // Every new connection to the registry's v3 API (the serdes' schema lookups) is reset; the
        // Confluent-compatible API the start-up step registers schemas with still answers.
        try (DroppingProxy registry = new DroppingProxy(base, line -> line.contains("/apis/registry/v3/"))) {
            Map<String, String> extra = Map.of(
                    KafkaSettings.REGISTRY_URL.name(), registry.url(), KafkaSettings.REGISTRY_PATIENCE.name(), "1s");
            // A fresh snapshot directory: the replica replays the whole topic, through the outage.
            try (IndexerService service = start(stack, "it-outage", fresh, extra)) {
                ModelRef v2 = new ModelRef("it-model", "v2", DIM, null, null);
                float[] v = around(Level.SEVERE, 88);
                produce(
                        stack,
                        List.of(
                                withModel(scan("outage-scan", "outage-p", null, v), v2),
                                scan("outage-scan", "outage-p", null, v)));
                Thread.sleep(5000); // the outage
                assertTrue(registry.dropped() > 0, "the replica tried the registry during the outage");
                assertEquals(0, get(service.httpPort(), "/index").get("models").size(), "nothing indexed yet");
                registry.dropWhen(line -> false);
                awaitLabelled(service, 120);
                Map<String, List<ScanNeighbours>> out = await(stack, id -> id.equals("outage-scan"), 1, service);
                assertEquals(1, out.get("outage-scan").size(), "answered once, after the outage");
                assertEquals("v1", out.get("outage-scan").get(0).getModel().getVersion(), "v2 has no cohort");
                JsonNode index = get(service.httpPort(), "/index");
                assertEquals(1, index.get("models").size(), index.toString());
                assertEquals(
                        120,
                        index.get("models").get(0).get("labelled").asInt(),
                        "no labelled scan skipped during the outage: " + index);
                assertEquals(0, index.get("scans").get("deadLettered").asInt(), "nothing dead-lettered for it");
            }
        }
    }

    /** The indexer's dead letters, read until n are there (or 60 s). */
    private static List<DeadLetter> deadLetters(LocalStack stack, int n) {
        List<DeadLetter> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(
                stack.readerProperties("indexer-it-dead-"),
                EventSerdes.keys().deserializer(),
                new EventSerdes(stack.registryUrl()).valueDeserializer(Topics.DEAD_LETTER))) {
            consumer.subscribe(Set.of(Topics.DEAD_LETTER.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if ("indexer".equals(r.value().getStage())) {
                        out.add(r.value());
                    }
                });
            }
        }
        return out;
    }

    static ScanEmbedded withModel(ScanEmbedded e, ModelRef model) {
        return ScanEmbedded.newBuilder(e).setModel(model).build();
    }

    private IndexerService start(LocalStack stack, String instance) {
        return start(stack, instance, snapshots);
    }

    static IndexerService start(LocalStack stack, String instance, Path snapshotDir) {
        return start(stack, instance, snapshotDir, Map.of());
    }

    static IndexerService start(LocalStack stack, String instance, Path snapshotDir, Map<String, String> extra) {
        Map<String, String> env = env(stack, instance);
        env.putAll(extra);
        env.put(IndexerConfig.K.name(), String.valueOf(K));
        env.put(IndexerConfig.TREES.name(), "5");
        env.put(IndexerConfig.SNAPSHOT_DIR.name(), snapshotDir.toString());
        env.put(IndexerConfig.API_TOKEN.name(), TOKEN);
        env.put(IndexerConfig.MIN_COHORT.name(), "30");
        IndexerService service = new IndexerService(IndexerConfig.from(Settings.of(env)));
        service.start();
        return service;
    }

    /** Labelled scans {@code from} to {@code to} of the v2 cohort, the levels taking turns. */
    private static List<ScanEmbedded> v2Cohort(int from, int to, ModelRef v2) {
        List<ScanEmbedded> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Level level = Level.values()[i % 3];
            out.add(withModel(scan("v2-ref-" + i, "v2-cohort-" + i, level, around(level, 30_000 + i)), v2));
        }
        return out;
    }

    static Map<String, String> env(LocalStack stack, String instance) {
        Map<String, String> env = ServiceEnv.onStack(stack, instance);
        return env;
    }

    /** A vector near the level's cluster centre: three well separated directions plus small noise. */
    static float[] around(Level level, int seed) {
        SplittableRandom r = new SplittableRandom(seed * 31L + level.ordinal());
        float[] v = new float[DIM];
        v[level.ordinal() * 4] = 1f;
        v[level.ordinal() * 4 + 1] = 0.5f;
        for (int i = 0; i < DIM; i++) {
            v[i] += (float) (0.08 * r.nextGaussian());
        }
        return v;
    }

    static ScanEmbedded scan(String id, String patient, Level label, float[] v) {
        List<Float> list = new ArrayList<>();
        for (float x : v) {
            list.add(x);
        }
        return ScanEmbedded.newBuilder()
                .setScanId(id)
                .setPatient(patient)
                .setAcquiredAt(Instant.parse("2026-11-01T00:00:00Z"))
                .setReferenceLabel(label)
                .setModel(MODEL)
                .setVector(list)
                .setEmbeddedAt(Instant.now())
                .build();
    }

    static void produce(LocalStack stack, Collection<ScanEmbedded> scans) throws Exception {
        EventSerdes serdes = new EventSerdes(stack.registryUrl());
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers()),
                EventSerdes.keys().serializer(),
                serdes.valueSerializer(Topics.EMBEDDINGS))) {
            for (ScanEmbedded s : scans) {
                producer.send(new ProducerRecord<>(Topics.EMBEDDINGS.name(), s.getPatient(), s));
            }
            producer.flush();
        }
    }

    /**
     * The neighbours of n scans whose ids match, read from the topic: once n are in, and the
     * indexer's group has committed all of {@code xray.embeddings}, the topic is read again to its
     * end, so a duplicate would show (no settle time). On a shortfall the failure shows each given
     * replica's {@code GET /index} (health, partitions answered, counts).
     */
    static Map<String, List<ScanNeighbours>> await(
            LocalStack stack, Predicate<String> ids, int n, IndexerService... replicas) throws Exception {
        EventSerdes serdes = new EventSerdes(stack.registryUrl());
        Set<String> seen = new HashSet<>();
        try (var consumer = new KafkaConsumer<>(
                stack.readerProperties("indexer-it-"),
                EventSerdes.keys().deserializer(),
                serdes.valueDeserializer(Topics.NEIGHBOURS))) {
            consumer.subscribe(Set.of(Topics.NEIGHBOURS.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (seen.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (ids.test(r.value().getScanId())) {
                        seen.add(r.value().getScanId());
                    }
                });
            }
        }
        Map<String, List<ScanNeighbours>> out = new LinkedHashMap<>();
        if (seen.size() >= n) {
            TopicReader.awaitCommitted(stack, IndexerLoop.GROUP, Topics.EMBEDDINGS.name(), Duration.ofSeconds(60));
            TopicReader.readAll(stack, Topics.NEIGHBOURS.name(), serdes.valueDeserializer(Topics.NEIGHBOURS), 0, v -> {
                if (ids.test(v.getScanId())) {
                    out.computeIfAbsent(v.getScanId(), k -> new ArrayList<>()).add(v);
                }
            });
        }
        if (out.size() != n) {
            StringBuilder state = new StringBuilder();
            for (IndexerService r : replicas) {
                state.append("\n  ").append(indexState(r));
            }
            assertEquals(
                    n, out.size(), "scans answered: " + (out.isEmpty() ? seen : out.keySet()) + "; replicas:" + state);
        }
        return out;
    }

    private static String indexState(IndexerService replica) {
        try {
            return get(replica.httpPort(), "/index").toString();
        } catch (Exception | AssertionError e) {
            return "GET /index failed: " + e;
        }
    }

    /** Waits until the replicas answer all partitions between them, each its own share. */
    static void awaitAnswering(int partitions, IndexerService... replicas) throws Exception {
        List<Integer> all = new ArrayList<>();
        Await.until(
                "the replicas answer " + partitions + " partitions between them, each some",
                Duration.ofSeconds(60),
                () -> {
                    all.clear();
                    boolean everyOne = true;
                    for (IndexerService r : replicas) {
                        JsonNode share = get(r.httpPort(), "/index").get("answeringPartitions");
                        share.forEach(p -> all.add(p.asInt()));
                        everyOne &= share.size() > 0;
                    }
                    return everyOne
                            && all.size() == partitions
                            && Set.copyOf(all).size() == partitions;
                });
    }

    static void awaitLabelled(IndexerService service, int n) throws Exception {
        Await.until(n + " labelled vectors of model " + MODEL.getVersion() + " indexed", Duration.ofSeconds(60), () -> {
            int labelled = 0;
            for (JsonNode m : get(service.httpPort(), "/index").get("models")) {
                if (m.get("version").asText().equals(MODEL.getVersion())) {
                    labelled = m.get("labelled").asInt();
                }
            }
            return labelled >= n;
        });
    }

    static JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .header("Authorization", "Bearer " + TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode post(int port, float[] v) throws Exception {
        String body = JSON.createObjectNode()
                .put("model", "it-model@v1")
                .put("k", K)
                .set("vector", JSON.valueToTree(v))
                .toString();
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/search"))
                                .header("Authorization", "Bearer " + TOKEN)
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }
}
