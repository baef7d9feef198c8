package io.xraydrift.ingest.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xraydrift.events.AuditEvent;
import io.xraydrift.events.AuditOutcome;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.Level;
import io.xraydrift.events.ScanIntake;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.ScanThumbnail;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Pseudonyms;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.LogCapture;
import io.xraydrift.testing.ServiceEnv;
import io.xraydrift.testing.TopicReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Ingest on the real local stack: intake topic and HTTP, the bad-input corpus, and no raw id past ingest. */
@ExtendWith(LocalStackExtension.class)
class IngestIT {

    static final String KEY = "ingest-it-pseudonym-key-0123456789abcdef";
    static final String TOKEN = "ingest-it-token-0123456789abcdef";
    static final Instant T = Instant.parse("2026-11-20T09:15:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /**
     * The raw patient identifiers the running test sent: after each test none may appear on any
     * topic but the intake topic, nor in the log.
     */
    private final List<String> rawIds = new ArrayList<>();

    private static IngestService service;
    /** The ingest service's log output (it runs in this JVM): searched for raw ids too. */
    private static LogCapture logs;

    @TempDir
    static Path state;

    @BeforeAll
    static void start(LocalStack stack) {
        logs = LogCapture.start();
        KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(env(stack))), "it-setup");
        service = new IngestService(IngestConfig.from(Settings.of(env(stack))));
        service.start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    static Map<String, String> env(LocalStack stack) {
        Map<String, String> env = ServiceEnv.onStack(stack, "ingest-it");
        env.put(IngestConfig.PSEUDONYM_KEY.name(), KEY);
        env.put(IngestConfig.API_TOKEN.name(), TOKEN);
        env.put(IngestConfig.MAX_UPLOAD_BYTES.name(), String.valueOf(4 * 1024 * 1024));
        if (state != null) {
            env.put(IngestConfig.STATE_DIR.name(), state.toString());
        }
        return env;
    }

    /** The metadata part of an upload: patient id, acquisition time, view. */
    static String metadata(String patientId, String acquiredAt, String view) {
        return "{\"patientId\":\"" + patientId + "\",\"acquiredAt\":\"" + acquiredAt + "\",\"view\":\"" + view + "\"}";
    }

    /** A fresh hospital patient identifier. */
    static String rawId(String tag) {
        return "MRN-" + tag + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A fresh raw identifier this test sends (checked after the test). */
    private String sentId(String tag) {
        String id = rawId(tag);
        rawIds.add(id);
        return id;
    }

    static ScanIntake.Builder intake(String patientId, String source, byte[] image) {
        return ScanIntake.newBuilder()
                .setPatientId(patientId)
                .setAcquiredAt(T)
                .setSource(source)
                .setView(ViewPosition.PA)
                .setModality("CR")
                .setImage(image == null ? null : ByteBuffer.wrap(image));
    }

    @Test
    void scansFromTheIntakeTopicArePseudonymisedNormalisedAndIdempotent(LocalStack stack) throws Exception {
        String raw = sentId("intake");
        String pseudonym = new Pseudonyms(KEY).patient(raw);
        produce(
                stack,
                List.of(
                        intake(raw, "it-feed", Images.phantom(1))
                                .setSopInstanceUid("1.2.826.0.1.3680043.2.1.1")
                                .build(),
                        intake(raw, "it-feed", Images.phantom(1))
                                .setSopInstanceUid("1.2.826.0.1.3680043.2.1.1")
                                .build(),
                        intake(raw, "it-feed", Images.phantom16(2))
                                .setAcquiredAt(T.plusSeconds(60))
                                .build(),
                        intake(raw, "it-feed", Images.phantomInverted(3))
                                .setPhotometricInterpretation("MONOCHROME1")
                                .setAcquiredAt(T.plusSeconds(120))
                                .setAttributes(Map.of("ward", "3B", "note", "free text"))
                                .build(),
                        intake(raw, "it-feed", Images.phantomJpeg(4))
                                .setAcquiredAt(T.plusSeconds(180))
                                .setReferenceLabel(Level.INFECTED)
                                .build()));
        List<ScanReceived> scans =
                await(stack, Topics.SCANS, s -> s.getPatient().equals(pseudonym), 4);
        assertEquals(4, scans.size(), "the repeated SOP instance gave one event");
        assertEquals(4, scans.stream().map(ScanReceived::getScanId).distinct().count());
        for (ScanReceived s : scans) {
            assertEquals(512, s.getWidth());
            assertEquals("it-feed", s.getSource());
            assertNotNull(s.getImage());
        }
        ScanReceived inverted = scans.stream()
                .filter(s -> s.getAcquiredAt().equals(T.plusSeconds(120)))
                .findFirst()
                .orElseThrow();
        assertEquals(Map.of("ward", "3B"), inverted.getAttributes(), "free text dropped, allow-listed kept");
        assertTrue(scans.stream().anyMatch(s -> s.getScanId().startsWith("sop-")));
        assertEquals(
                Level.INFECTED,
                scans.stream()
                        .filter(s -> s.getReferenceLabel() != null)
                        .findFirst()
                        .orElseThrow()
                        .getReferenceLabel());
        List<ScanThumbnail> thumbs = await(
                stack,
                Topics.THUMBNAILS,
                t -> scans.stream().anyMatch(s -> s.getScanId().equals(t.getScanId())),
                4);
        assertEquals(96, thumbs.get(0).getWidth());
    }

    @Test
    void httpUploadsAnswer202OnceAndRefuseWithTheRightStatus(LocalStack stack) throws Exception {
        String raw = sentId("http");
        int port = service.httpPort();
        String meta = metadata(raw, "2026-11-21T10:00:00Z", "AP");
        HttpResponse<String> first = upload(port, TOKEN, meta, Images.phantom(5), "image/png");
        assertEquals(202, first.statusCode(), first.body());
        HttpResponse<String> again = upload(port, TOKEN, meta, Images.phantom(5), "image/png");
        assertEquals(202, again.statusCode());
        JsonNode a = JSON.readTree(first.body());
        JsonNode b = JSON.readTree(again.body());
        assertEquals(a.get("scanId"), b.get("scanId"));
        assertTrue(b.get("duplicate").asBoolean());
        assertFalse(first.body().contains(raw), "the response carries the pseudonym, not the raw id");
        List<ScanReceived> got = await(
                stack, Topics.SCANS, s -> s.getScanId().equals(a.get("scanId").asText()), 1);
        assertEquals(1, got.size());
        assertEquals("http", got.get(0).getSource());

        assertEquals(
                401, upload(port, "wrong", meta, Images.phantom(5), "image/png").statusCode());
        assertEquals(
                415,
                HTTP.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/scans"))
                                        .header("Authorization", "Bearer " + TOKEN)
                                        .header("Content-Type", "text/plain")
                                        .POST(HttpRequest.BodyPublishers.ofString("hello"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        HttpResponse<String> dicom = upload(port, TOKEN, meta, Images.phantom(5), "application/dicom");
        assertEquals(415, dicom.statusCode());
        assertTrue(dicom.body().contains("POST /studies"), "a DICOM file is pointed to STOW-RS: " + dicom.body());
        // Over the bound with a Content-Length: 413, or (seen once in a CI run) the connection closed
        // before the client read the answer, the body still being sent; either way ingest goes on.
        try {
            HttpResponse<String> big = upload(port, TOKEN, meta, new byte[5 * 1024 * 1024], "image/png");
            assertEquals(413, big.statusCode(), big.body());
        } catch (IOException closedAtTheBound) {
            System.out.println("upload over the bound: connection closed by ingest (" + closedAtTheBound + ")");
        }
        // A chunked upload (no Content-Length) over the bound: the parser stops reading at the bound and
        // the server answers 413 or closes the connection mid-request; either way ingest goes on.
        try {
            HttpResponse<String> chunked = upload(port, TOKEN, meta, new byte[12 * 1024 * 1024], "image/png", true);
            assertEquals(413, chunked.statusCode(), "a chunked upload over the bound: " + chunked.body());
        } catch (IOException closedAtTheBound) {
            System.out.println("chunked upload over the bound: connection closed by ingest (" + closedAtTheBound + ")");
        }
        assertEquals(
                202,
                upload(port, TOKEN, meta, Images.phantom(5), "image/png").statusCode(),
                "ingest still takes uploads after an oversized chunked one");
        HttpResponse<String> badTime =
                upload(port, TOKEN, meta.replace("2026-11-21T10:00:00Z", "yesterday"), Images.phantom(6), "image/png");
        assertEquals(400, badTime.statusCode());
        assertEquals("acquiredAt", JSON.readTree(badTime.body()).get("field").asText());
        assertTrue(
                badTime.body().contains("(a value of 9 characters: letters, not repeated)")
                        && !badTime.body().contains("yesterday"),
                badTime.body());
        HttpResponse<String> unknown =
                upload(port, TOKEN, meta.replace("\"view\"", "\"name\""), Images.phantom(6), "image/png");
        assertEquals(400, unknown.statusCode());
        assertEquals("name", JSON.readTree(unknown.body()).get("field").asText());
        // One SOP Instance UID under two patients: the second is a conflict (409), answered without a
        // pseudonym, dead-lettered with both pseudonyms; it was a silent 202 naming the second's pseudonym.
        String ownerId = sentId("sop-first");
        String otherId = sentId("sop-second");
        String sop = "1.2.826.0.1.3680043.8.498." + System.nanoTime();
        String m1 = "{\"patientId\":\"" + ownerId + "\",\"acquiredAt\":\"2026-11-21T11:00:00Z\",\"sopInstanceUid\":\""
                + sop + "\"}";
        HttpResponse<String> owner = upload(port, TOKEN, m1, Images.phantom(8), "image/png");
        assertEquals(202, owner.statusCode(), owner.body());
        HttpResponse<String> retried = upload(port, TOKEN, m1, Images.phantom(8), "image/png");
        assertEquals(
                JSON.readTree(owner.body()).get("patient"),
                JSON.readTree(retried.body()).get("patient"));
        HttpResponse<String> conflict =
                upload(port, TOKEN, m1.replace(ownerId, otherId), Images.phantom(8), "image/png");
        assertEquals(409, conflict.statusCode(), conflict.body());
        String secondPseudonym = new Pseudonyms(KEY).patient(otherId);
        String firstPseudonym = JSON.readTree(owner.body()).get("patient").asText();
        assertFalse(
                conflict.body().contains(secondPseudonym) || conflict.body().contains(firstPseudonym),
                "a conflict answers no pseudonym: " + conflict.body());
        String conflictId = JSON.readTree(conflict.body()).get("requestId").asText();
        List<DeadLetter> conflicts = await(stack, Topics.DEAD_LETTER, d -> conflictId.equals(d.getRequestId()), 1);
        assertEquals(1, conflicts.size());
        assertTrue(
                conflicts.get(0).getReason().contains(firstPseudonym)
                        && conflicts.get(0).getReason().contains(secondPseudonym),
                conflicts.get(0).getReason());

        String secret = sentId("badjson").replace("-", "");
        rawIds.add(secret); // an unquoted token must be a bare word; the topic scan looks for it too
        HttpResponse<String> badJson = upload(
                port,
                TOKEN,
                "{\"patientId\": " + secret + ", \"acquiredAt\": " + "\"2026-11-21T10:00:00Z\"}",
                Images.phantom(6),
                "image/png");
        assertEquals(400, badJson.statusCode(), badJson.body());
        assertEquals("metadata", JSON.readTree(badJson.body()).get("field").asText());
        assertFalse(
                badJson.body().contains(secret), "an unquoted id in malformed JSON is not echoed: " + badJson.body());
        HttpResponse<String> idAsField = upload(port, TOKEN, "{\"" + secret + "\": 1}", Images.phantom(6), "image/png");
        assertEquals(400, idAsField.statusCode());
        assertFalse(idAsField.body().contains(secret), "an id used as a field name is not echoed: " + idAsField.body());
        HttpResponse<String> noMeta = upload(port, TOKEN, null, Images.phantom(6), "image/png");
        assertEquals(400, noMeta.statusCode());
        assertEquals("metadata", JSON.readTree(noMeta.body()).get("field").asText());
        assertFalse(badTime.body().contains(raw) || unknown.body().contains(raw), "no raw id in errors");
    }

    /**
     * A feed that shifts its fields puts an identifier where a time, a view or a code belongs: in
     * every field in turn (HTTP metadata and intake records), the refusal names the field and the
     * value's shape, and the value reaches no answer, no dead letter, no topic and no log line (the
     * scan after the test looks for each marker).
     */
    @Test
    void aValueInAnyFieldIsNamedByItsShapeNeverRepeated(LocalStack stack) throws Exception {
        int port = service.httpPort();
        String patient = sentId("shape-owner");
        for (String field : List.of("acquiredAt", "view", "modality", "photometricInterpretation", "referenceLabel")) {
            String marker = sentId("in-" + field);
            ObjectNode meta = JSON.createObjectNode()
                    .put("patientId", patient)
                    .put("acquiredAt", "2026-11-21T10:00:00Z")
                    .put("view", "PA");
            meta.put(field, marker);
            HttpResponse<String> refused = upload(port, TOKEN, meta.toString(), Images.phantom(9), "image/png");
            assertEquals(400, refused.statusCode(), field + ": " + refused.body());
            assertEquals(field, JSON.readTree(refused.body()).get("field").asText());
            assertFalse(refused.body().contains(marker), field + ": the answer repeats the value: " + refused.body());
            assertTrue(
                    refused.body()
                            .contains(
                                    "a value of " + marker.length() + " characters: letters, digits, " + "punctuation"),
                    field + ": the answer names the value's shape: " + refused.body());
        }
        String modality = sentId("intake-modality");
        String photometric = sentId("intake-photometric");
        List<String> at = produceAt(
                stack,
                List.of(
                        intake(patient, "shape-feed", Images.phantom(9))
                                .setModality(modality)
                                .build(),
                        intake(patient, "shape-feed", Images.phantom(9))
                                .setPhotometricInterpretation(photometric)
                                .build()));
        List<DeadLetter> dead = await(
                stack,
                Topics.DEAD_LETTER,
                d -> d.getSource() != null
                        && at.contains(d.getSource().getPartition() + "@"
                                + d.getSource().getOffset()),
                2);
        assertEquals(2, dead.size());
        assertTrue(dead.stream().anyMatch(d -> d.getReason().contains("modality (a value of")), dead.toString());
        assertTrue(
                dead.stream().anyMatch(d -> d.getReason().contains("photometricInterpretation (a value of")),
                dead.toString());
        for (DeadLetter d : dead) {
            assertFalse(d.getReason().contains(modality) || d.getReason().contains(photometric), d.getReason());
        }
    }

    @Test
    void everyKindOfBadInputEndsAsASpecificDeadLetterAndIngestGoesOn(LocalStack stack) throws Exception {
        byte[] good = Images.phantom(7);
        Map<String, String> expected = new LinkedHashMap<>();
        List<ScanIntake> bad = new ArrayList<>();
        BiConsumer<ScanIntake, String> add = (s, reason) -> {
            bad.add(s);
            expected.put(s.getSource(), reason);
        };
        String p = sentId("corpus");
        add.accept(
                intake(p, "c01-truncated-png", Arrays.copyOf(good, good.length / 2))
                        .build(),
                "cannot decode the PNG");
        add.accept(
                intake(p, "c02-garbage", "not an image at all".getBytes(StandardCharsets.UTF_8))
                        .build(),
                "neither PNG nor JPEG");
        add.accept(intake(p, "c03-zero-bytes", new byte[0]).build(), "image is empty (0 bytes)");
        add.accept(intake(p, "c04-huge-dimensions", Images.pngBomb(60_000)).build(), "declares 60000x60000");
        add.accept(intake(p, "c05-decompression-bomb", Images.pngBomb(9_000)).build(), "declares 9000x9000");
        add.accept(intake("  ", "c06-missing-patient", good).build(), "patientId is missing");
        add.accept(
                intake(p, "c07-future", good)
                        .setAcquiredAt(Instant.now().plus(Duration.ofDays(3)))
                        .build(),
                "is in the future");
        add.accept(intake(p, "c08-lateral", good).setView(ViewPosition.LATERAL).build(), "view LATERAL");
        add.accept(
                intake(
                                p,
                                "c09-tiny",
                                Images.encode(
                                        Images.gray(64, 64, BufferedImage.TYPE_BYTE_GRAY, (x, y) -> (x * 4) & 0xff),
                                        "png"))
                        .build(),
                "shorter side must be at least 256");
        add.accept(
                intake(
                                p,
                                "c10-aspect",
                                Images.encode(
                                        Images.gray(1200, 300, BufferedImage.TYPE_BYTE_GRAY, (x, y) -> (x + y) & 0xff),
                                        "png"))
                        .build(),
                "aspect ratio 4.00");
        add.accept(
                intake(
                                p,
                                "c11-uniform",
                                Images.encode(
                                        Images.gray(512, 512, BufferedImage.TYPE_BYTE_GRAY, (x, y) -> 128), "png"))
                        .build(),
                "nearly uniform");
        add.accept(
                intake(
                                p,
                                "c12-overexposed",
                                Images.encode(
                                        Images.gray(
                                                512,
                                                512,
                                                BufferedImage.TYPE_BYTE_GRAY,
                                                (x, y) -> (x * 7 + y * 13) % 10 == 0 ? 170 : 250),
                                        "png"))
                        .build(),
                "mean intensity 242");
        BufferedImage rgb = new BufferedImage(512, 512, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 512; x++) {
                rgb.setRGB(x, y, (x & 0xff) << 16 | (y & 0xff) << 8 | 40);
            }
        }
        add.accept(intake(p, "c13-colour", Images.encode(rgb, "png")).build(), "is in colour");
        add.accept(
                intake(p, "c14-modality", good).setModality("MR").build(),
                "modality (a value of 2 characters: letters, not repeated) is not CR or DX");
        add.accept(
                intake(p, "c15-both", good)
                        .setImageUri("http://127.0.0.1:1/x.png")
                        .build(),
                "both image and imageUri");
        add.accept(intake(p, "c16-neither", null).build(), "neither image nor imageUri");
        add.accept(
                intake(p, "c17-ftp-uri", null).setImageUri("ftp://pacs/x.png").build(),
                "imageUri scheme (a value of 3 characters: letters, not repeated)");
        add.accept(
                intake(p, "c18-file-uri", null)
                        .setImageUri("file:///etc/passwd")
                        .build(),
                "file URIs are disabled");
        add.accept(
                intake(p, "c19-unlisted-host-uri", null)
                        .setImageUri("http://127.0.0.1:1/x.png")
                        .build(),
                "is not in XRAY_INGEST_FETCH_HOSTS");
        add.accept(
                intake(p, "c20-photometric", good)
                        .setPhotometricInterpretation("RGB")
                        .build(),
                "photometricInterpretation (a value of 3 characters: letters, not repeated)");
        add.accept(
                intake(p, "c21-ancient", good)
                        .setAcquiredAt(Instant.parse("1970-01-02T00:00:00Z"))
                        .build(),
                "is before 1980");
        add.accept(intake("X".repeat(65), "c22-long-patient-id", good).build(), "65 characters long");
        add.accept(
                intake(p, "c23-gif", "GIF89a\u0001\u0000\u0001\u0000".getBytes(StandardCharsets.ISO_8859_1))
                        .build(),
                "starts with bytes 474946383961");
        byte[] dicm = new byte[200];
        System.arraycopy("DICM".getBytes(StandardCharsets.US_ASCII), 0, dicm, 128, 4);
        add.accept(intake(p, "c24-dicom-file", dicm).build(), "is a DICOM file");
        add.accept(
                intake(p, "c25-control-chars", good)
                        .setPatientId("MRN\u0000123")
                        .build(),
                "control characters");
        List<String> landed = produceAt(stack, bad);
        Map<String, String> sourceAt = new HashMap<>();
        for (int i = 0; i < bad.size(); i++) {
            sourceAt.put(bad.get(i).getSource(), landed.get(i));
        }
        // Not even a ScanIntake: another event type, bytes without the registry framing, a tombstone.
        EventSerdes serdes = new EventSerdes(stack.registryUrl());
        byte[] wrongType = serdes.valueSerializer(Topics.DEAD_LETTER)
                .serialize(
                        Topics.DEAD_LETTER.name(),
                        DeadLetter.newBuilder()
                                .setStage("x")
                                .setReason("y")
                                .setOriginalSize(0)
                                .setFailedAt(T)
                                .build());
        produceRaw(
                stack,
                Arrays.asList(wrongType, "{\"patientId\":\"json, not avro\"}".getBytes(StandardCharsets.UTF_8), null));
        String goodRaw = sentId("after-corpus");
        produce(
                stack,
                List.of(intake(goodRaw, "after-corpus", Images.phantom(8)).build()));
        String pseudonym = new Pseudonyms(KEY).patient(goodRaw);
        assertEquals(
                1,
                await(stack, Topics.SCANS, s -> s.getPatient().equals(pseudonym), 1)
                        .size(),
                "a good scan after the corpus is ingested");

        List<DeadLetter> dead = await(
                stack,
                Topics.DEAD_LETTER,
                d -> d.getStage().equals("ingest")
                        && d.getSource() != null
                        && d.getSource().getTopic().equals(Topics.INTAKE.name()),
                bad.size() + 3);
        for (Map.Entry<String, String> e : expected.entrySet()) {
            // Reasons no longer name the feed (a submitted value): the dead letter's source offset does.
            List<DeadLetter> mine = dead.stream()
                    .filter(d -> (d.getSource().getPartition() + "@"
                                    + d.getSource().getOffset())
                            .equals(sourceAt.get(e.getKey())))
                    .toList();
            assertEquals(1, mine.size(), e.getKey() + " dead-lettered once");
            assertTrue(
                    mine.get(0).getReason().contains(e.getValue()),
                    e.getKey() + ": " + mine.get(0).getReason());
            assertEquals(null, mine.get(0).getOriginalBytes(), "intake bytes hold the raw id: not copied");
        }
        assertEquals(
                2,
                dead.stream()
                        .filter(d -> d.getReason().contains("is not a ScanIntake"))
                        .count(),
                dead.toString());
        assertEquals(
                1,
                dead.stream().filter(d -> d.getReason().contains("tombstone")).count());
        System.out.println("bad-input corpus: " + (expected.size() + 3) + " kinds, each dead-lettered with its reason");
    }

    @Test
    void aClinicianLooksUpThePseudonymThatAHospitalIdentifierHasDownstream(LocalStack stack) throws Exception {
        String raw = sentId("lookup");
        int port = service.httpPort();
        String meta = metadata(raw, "2026-11-21T11:00:00Z", "PA");
        HttpResponse<String> up = upload(port, TOKEN, meta, Images.phantom(7), "image/png");
        assertEquals(202, up.statusCode(), up.body());
        String scanId = JSON.readTree(up.body()).get("scanId").asText();
        ScanReceived scan =
                await(stack, Topics.SCANS, s -> s.getScanId().equals(scanId), 1).get(0);

        HttpResponse<String> found = lookup(port, TOKEN, "{\"patientId\":\"" + raw + "\"}");
        assertEquals(200, found.statusCode(), found.body());
        assertEquals(
                scan.getPatient(),
                JSON.readTree(found.body()).get("patient").asText(),
                "the lookup answers the pseudonym the scan carries on xray.scans");
        HttpResponse<String> padded = lookup(port, TOKEN, "{\"patientId\":\"  " + raw + " \"}");
        assertEquals(
                scan.getPatient(), JSON.readTree(padded.body()).get("patient").asText(), "trimmed as at ingest");
        assertFalse(found.body().contains(raw));

        assertEquals(
                401, lookup(port, "wrong", "{\"patientId\":\"" + raw + "\"}").statusCode());
        Map<String, String> refusals = Map.of(
                "{}",
                "missing",
                "{\"patientId\":\"   \"}",
                "missing",
                "{\"patientId\":\"" + raw + "x".repeat(80) + "\"}",
                "characters long",
                "{\"patientId\":\"" + raw + "\\u0007\"}",
                "control characters",
                "{\"patientId\":12345}",
                "must be a string",
                "patientId=" + raw,
                "not JSON");
        for (var r : refusals.entrySet()) {
            HttpResponse<String> refused = lookup(port, TOKEN, r.getKey());
            assertEquals(400, refused.statusCode(), r.getKey() + " -> " + refused.body());
            JsonNode body = JSON.readTree(refused.body());
            assertEquals("patientId", body.get("field").asText());
            assertTrue(body.get("error").asText().contains(r.getValue()), refused.body());
            assertFalse(refused.body().contains(raw), "a refusal never repeats the identifier: " + refused.body());
        }
        HttpResponse<String> behalf = lookup(port, TOKEN, "{\"patientId\":\"" + raw + "\"}", "dr.chen@ward7");
        assertEquals(200, behalf.statusCode(), behalf.body());
        HttpResponse<String> badHeader = lookup(port, TOKEN, "{\"patientId\":\"" + raw + "\"}", "x".repeat(200));
        assertEquals(400, badHeader.statusCode(), badHeader.body());
        assertEquals(
                AuditTrail.ON_BEHALF_OF,
                JSON.readTree(badHeader.body()).get("field").asText());

        // Every lookup is on the audit trail, written before it was answered; none holds the identifier.
        List<AuditEvent> trail = await(stack, Topics.AUDIT, e -> e.getAction().equals(PatientLookup.ACTION), 11);
        assertEquals(11, trail.size(), trail.toString());
        Map<AuditOutcome, Long> outcomes = new EnumMap<>(AuditOutcome.class);
        trail.forEach(e -> outcomes.merge(e.getOutcome(), 1L, Long::sum));
        assertEquals(
                Map.of(AuditOutcome.ANSWERED, 3L, AuditOutcome.REFUSED, 7L, AuditOutcome.UNAUTHORISED, 1L), outcomes);
        for (AuditEvent e : trail) {
            assertFalse(e.toString().contains(raw), "the audit trail never holds the identifier: " + e);
            assertEquals("ingest", e.getService());
            assertEquals("127.0.0.1", e.getClientAddress());
            if (e.getOutcome() == AuditOutcome.ANSWERED) {
                assertEquals(scan.getPatient(), e.getSubject(), "the pseudonym that was answered");
            } else {
                assertEquals(null, e.getSubject());
                assertTrue(e.getDetail() != null && !e.getDetail().isBlank(), e.toString());
            }
        }
        assertEquals(
                1,
                trail.stream()
                        .filter(e -> "dr.chen@ward7".equals(e.getOnBehalfOf()))
                        .count(),
                "on whose behalf, as the caller stated it");
    }

    /**
     * Reads every byte of every topic but the intake (internal ones too, uncommitted records too) and
     * fails if any of {@code rawIds} is in a key, value or header; returns records, bytes and topics read.
     */
    static long[] assertNotOnAnyTopicButIntake(LocalStack stack, Collection<String> rawIds) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", stack.bootstrapServers());
        List<String> topics;
        try (Admin admin = Admin.create(props)) {
            topics = new ArrayList<>(admin.listTopics(new ListTopicsOptions().listInternal(true))
                    .names()
                    .get());
        }
        topics.remove(Topics.INTAKE.name());
        long bytes = 0;
        long records = 0;
        List<byte[]> needles =
                rawIds.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        stack.bootstrapServers(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_uncommitted"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : topics) {
                c.partitionsFor(t).forEach(pi -> parts.add(new TopicPartition(t, pi.partition())));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(300))) {
                    records++;
                    for (byte[] field : fields(r)) {
                        bytes += field.length;
                        for (byte[] n : needles) {
                            assertFalse(
                                    contains(field, n),
                                    "raw patient id found on " + r.topic() + "-" + r.partition() + "@" + r.offset());
                        }
                    }
                }
            }
        }
        return new long[] {records, bytes, topics.size()};
    }

    static HttpResponse<String> lookup(int port, String token, String body) throws Exception {
        return lookup(port, token, body, null);
    }

    static HttpResponse<String> lookup(int port, String token, String body, String onBehalfOf) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/pseudonyms"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (onBehalfOf != null) {
            req.header(AuditTrail.ON_BEHALF_OF, onBehalfOf);
        }
        return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    @AfterEach
    void noRawPatientIdentifierIsOnAnyTopicButIntakeNorInTheLog(LocalStack stack) throws Exception {
        if (rawIds.isEmpty()) {
            return;
        }
        long[] scanned = assertNotOnAnyTopicButIntake(stack, rawIds);
        long records = scanned[0];
        long bytes = scanned[1];
        int topicCount = (int) scanned[2];
        assertTrue(records > 0, "read " + records + " records");
        // The log output of everything ingest did above: malformed metadata, conflicts, refusals, lookups.
        String logged = logs.text();
        assertTrue(logged.contains("ingest"), "the log captured ingest's output (" + logged.length() + " chars)");
        for (String raw : rawIds) {
            int at = logged.indexOf(raw);
            assertTrue(
                    at < 0,
                    "raw patient id " + raw + " in the log output: ..."
                            + logged.substring(Math.max(0, at - 200), Math.min(logged.length(), at + 50)));
        }
        System.out.println("raw-id scan: " + records + " records, " + bytes + " bytes on " + topicCount
                + " topics (all but " + Topics.INTAKE.name() + ") and " + logged.length()
                + " characters of log output: none of " + rawIds.size() + " raw ids");
    }

    private static List<byte[]> fields(ConsumerRecord<byte[], byte[]> r) {
        List<byte[]> out = new ArrayList<>();
        if (r.key() != null) {
            out.add(r.key());
        }
        if (r.value() != null) {
            out.add(r.value());
        }
        for (Header h : r.headers()) {
            out.add(h.key().getBytes(StandardCharsets.UTF_8));
            if (h.value() != null) {
                out.add(h.value());
            }
        }
        return out;
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static HttpResponse<String> upload(int port, String token, String metadata, byte[] image, String imageType)
            throws Exception {
        return upload(port, token, metadata, image, imageType, false);
    }

    /** {@code chunked}: sent without a Content-Length (as a stream), so only the parser's bound can stop it. */
    static HttpResponse<String> upload(
            int port, String token, String metadata, byte[] image, String imageType, boolean chunked) throws Exception {
        String boundary = "xray" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (metadata != null) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                            + "Content-Type: application/json\r\n\r\n" + metadata + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"scan\"\r\n"
                        + "Content-Type: " + imageType + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(image);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/scans"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(
                                chunked
                                        ? HttpRequest.BodyPublishers.ofInputStream(
                                                () -> new ByteArrayInputStream(body.toByteArray()))
                                        : HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void produce(LocalStack stack, List<ScanIntake> events) {
        produceAt(stack, events);
    }

    /** Produces the events (keyed by their source) and returns where each landed: "partition@offset". */
    static List<String> produceAt(LocalStack stack, List<ScanIntake> events) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, ScanIntake> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", stack.bootstrapServers(), "max.request.size", 24 * 1024 * 1024),
                new StringSerializer(),
                new EventSerdes(stack.registryUrl()).valueSerializer(Topics.INTAKE))) {
            for (ScanIntake e : events) {
                sent.add(p.send(new ProducerRecord<>(Topics.INTAKE.name(), e.getSource(), e)));
            }
        }
        List<String> at = new ArrayList<>();
        for (var f : sent) {
            try {
                at.add(f.get().partition() + "@" + f.get().offset());
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException("intake record not written: " + e, e);
            }
        }
        return at;
    }

    static void produceRaw(LocalStack stack, List<byte[]> values) {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", stack.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (byte[] v : values) {
                p.send(new ProducerRecord<>(Topics.INTAKE.name(), "raw", v));
            }
        }
    }

    static <V extends SpecificRecord> List<V> await(LocalStack stack, Topic<V> topic, Predicate<V> keep, int n) {
        return TopicReader.await(
                stack,
                topic.name(),
                new EventSerdes(stack.registryUrl()).valueDeserializer(topic),
                keep,
                n,
                Duration.ofSeconds(2),
                Duration.ofSeconds(60));
    }
}
