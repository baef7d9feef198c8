package io.xraydrift.ingest.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Pseudonyms;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.FreePorts;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.stack.RealCxr;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.LogCapture;
import io.xraydrift.testing.TopicReader;

/**
 * DICOM in against real peers: dcmtk's echoscu/storescu and Orthanc (its C-STORE SCU and its
 * DICOMweb STOW-RS client) send the real RSNA films to ingest's C-STORE SCP and {@code POST /studies};
 * bad files are refused with the tag at fault and ingest takes the next. Every answer from ingest
 * comes after Kafka holds the scan, so counts are read to the topics' end offsets, no settle time.
 */
@ExtendWith(LocalStackExtension.class)
class DicomInIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String RSNA_PATIENT = "16d7f894-55d7-4d95-8957-d18987f0e981";
    private static final String MARKER = "MRN-DICOM-MARKER-0815";

    @TempDir
    Path dir;

    private Map<String, String> env(LocalStack stack, int dicomPort, String instance) {
        Map<String, String> env = new HashMap<>(IngestIT.env(stack));
        env.put(IngestConfig.DICOM_PORT, String.valueOf(dicomPort));
        env.put(IngestConfig.STATE_DIR, dir.resolve("state-" + instance).toString());
        env.put("XRAY_INSTANCE_ID", instance);
        return env;
    }

    @Test
    void storescuSendsTheRealFilmsByCStoreAndATrueMonochrome1FilmArrivesAsItsTwin(LocalStack stack) throws Exception {
        java.time.Instant start = java.time.Instant.now();
        KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(IngestIT.env(stack))), "it-setup");
        int port = FreePorts.pick();
        String pseudonym = new Pseudonyms(IngestIT.KEY).patient(RSNA_PATIENT);
        Path formats = RealCxr.formats();
        try (IngestService ingest = new IngestService(IngestConfig.from(Settings.of(env(stack, port, "dicom-it-1"))))) {
            ingest.start();
            assertEquals(0, run("echoscu", "-aec", IngestConfig.DEFAULT_AE_TITLE, "127.0.0.1", String.valueOf(port)).rc(),
                    "C-ECHO is answered");
            Run wrongAe = run("storescu", "-xy", "-aec", "NOTXRAYDRIFT", "127.0.0.1", String.valueOf(port),
                    formats.resolve("rsna-cr-chest-pa-monochrome2.dcm").toString());
            assertTrue(wrongAe.rc() != 0 && wrongAe.out().contains("Called AE Title Not Recognized"),
                    "an association to another AE title is rejected: " + wrongAe.out());
            Path m2 = formats.resolve("rsna-cr-chest-pa-monochrome2.dcm");
            Path m1 = formats.resolve("rsna-cr-chest-pa-monochrome1-inverted.dcm");
            for (Path f : List.of(m2, m1, m2)) {
                Run r = storescu(port, f);
                assertEquals(0, r.rc(), r.out());
                assertFalse(r.out().contains("Status"), "stored with status success: " + r.out());
            }
            List<ScanReceived> scans = read(stack, Topics.SCANS,
                    s -> s.getPatient().equals(pseudonym) && s.getSource().equals("dicom:c-store")
                            && !s.getReceivedAt().isBefore(start));
            assertEquals(2, scans.size(), "two instances, the third send a duplicate of the first: " + scans.size());
            scans.forEach(s -> assertEquals(ViewPosition.PA, s.getView()));
            assertArrayEquals(pixels(scans.get(0)), pixels(scans.get(1)),
                    "the true MONOCHROME1 film arrives pixel for pixel as its MONOCHROME2 twin");
        }
    }

    @Test
    void orthancRoutesByCStoreAndByStowRs(LocalStack stack) throws Exception {
        KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(IngestIT.env(stack))), "it-setup");
        int port = FreePorts.pick();
        String pseudonym = new Pseudonyms(IngestIT.KEY).patient(RSNA_PATIENT);
        Path formats = RealCxr.formats();
        try (IngestService ingest = new IngestService(IngestConfig.from(Settings.of(env(stack, port, "dicom-it-2"))));
             LocalOrthanc pacs = LocalOrthanc.start(dir.resolve("orthanc"))) {
            ingest.start();
            pacs.storeFile(formats.resolve("rsna-cr-chest-pa-monochrome2.dcm"), true);
            pacs.storeFile(formats.resolve("rsna-cr-chest-pa-monochrome1-inverted.dcm"), true);
            JsonNode instances = JSON.readTree(get(pacs.baseUrl() + "/instances"));
            assertEquals(2, instances.size());
            put(pacs.baseUrl() + "/modalities/xray", "{\"AET\": \"" + IngestConfig.DEFAULT_AE_TITLE
                    + "\", \"Host\": \"127.0.0.1\", \"Port\": " + port + "}");
            put(pacs.baseUrl() + "/dicom-web/servers/xray", "{\"Url\": \"http://127.0.0.1:" + ingest.httpPort()
                    + "/\", \"HttpHeaders\": {\"Authorization\": \"Bearer " + IngestIT.TOKEN + "\"}}");
            post(pacs.baseUrl() + "/modalities/xray/store", instances.get(0).asText());
            try {
                post(pacs.baseUrl() + "/dicom-web/servers/xray/stow", "{\"Resources\": [\"" + instances.get(1).asText()
                        + "\"]}");
            } catch (AssertionError e) {
                String log = Files.readString(dir.resolve("orthanc").resolve("orthanc.log"));
                throw new AssertionError(e.getMessage() + "\nOrthanc's log:\n" + log.substring(Math.max(0, log.length() - 3000)));
            }
            List<ScanReceived> scans = read(stack, Topics.SCANS,
                    s -> s.getPatient().equals(pseudonym) && s.getSource().startsWith("dicom:")
                            && s.getReceivedAt().isAfter(java.time.Instant.now().minusSeconds(120)));
            List<String> sources = scans.stream().map(ScanReceived::getSource).sorted().distinct().toList();
            assertTrue(sources.containsAll(List.of("dicom:c-store", "dicom:stow-rs")), sources.toString());
        }
    }

    @Test
    void badFilesAreRefusedWithTheTagAtFaultAndIngestTakesTheNext(LocalStack stack) throws Exception {
        KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(IngestIT.env(stack))), "it-setup");
        int port = FreePorts.pick();
        Path formats = RealCxr.formats();
        Path good = withMarker(formats.resolve("rsna-cr-chest-pa-monochrome1-inverted.dcm"), "good");
        Path wrongClass = modified(good, "wrong-class", "-m", "SOPClassUID=1.2.840.10008.5.1.4.1.1.2");
        Path noPixels = modified(good, "no-pixels", "-ea", "(7fe0,0010)");
        Path huge = modified(good, "huge", "-m", "Rows=30000", "-m", "Columns=30000");
        byte[] whole = Files.readAllBytes(good);
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length / 2);
        String pseudonym = new Pseudonyms(IngestIT.KEY).patient(MARKER);
        try (IngestService ingest = new IngestService(IngestConfig.from(Settings.of(env(stack, port, "dicom-it-3"))));
             LogCapture logs = LogCapture.start()) {
            ingest.start();
            for (Path bad : List.of(wrongClass, noPixels, huge)) {
                Run r = storescu(port, bad);
                // PixelMed's SCP answers Success once the refusal is dead-lettered: the sender goes on.
                assertEquals(0, r.rc(), bad.getFileName() + ": " + r.out());
            }
            HttpResponse<String> stow = stow(ingest.httpPort(), List.of(truncated, "not a DICOM file".getBytes(
                    StandardCharsets.UTF_8), Files.readAllBytes(good)));
            assertEquals(202, stow.statusCode(), stow.body());
            JsonNode answer = JSON.readTree(stow.body());
            assertEquals(1, answer.path("00081199").path("Value").size(), stow.body());
            assertEquals(2, answer.path("00081198").path("Value").size(), stow.body());
            Run after = storescu(port, formats.resolve("rsna-cr-chest-pa-monochrome2.dcm"));
            assertEquals(0, after.rc(), "the SCP takes the next file: " + after.out());

            List<ScanReceived> scans = read(stack, Topics.SCANS, s -> s.getPatient().equals(pseudonym));
            assertEquals(1, scans.size(), "only the good file of the marked patient");
            List<DeadLetter> dead = read(stack, Topics.DEAD_LETTER, d -> d.getRequestId() != null
                    && d.getRequestId().matches("(c-store|stow-rs):.*")
                    && d.getFailedAt().isAfter(java.time.Instant.now().minusSeconds(120)));
            String reasons = dead.stream().map(DeadLetter::getReason).toList().toString();
            for (String field : List.of("SOPClassUID", "PixelData (7FE0,0010) is missing", "30000x30000",
                    "truncated before its pixels", "DICOM header does not parse")) {
                assertTrue(reasons.contains(field), field + " in " + reasons);
            }
            dead.forEach(d -> assertEquals(null, d.getOriginalBytes(), "a dead letter keeps no DICOM bytes"));
            assertFalse(reasons.contains(MARKER), "no header value in a dead letter");
            try (var kept = Files.list(dir.resolve("state-dicom-it-3").resolve(DicomIn.QUARANTINE))) {
                assertEquals(5, kept.count(), "each refused file is kept in ingest's quarantine");
            }
            assertFalse(logs.text().contains(MARKER), "no patient id in the log");
        }
    }

    /**
     * Kafka away while a PACS sends: the C-STORE is answered once the film is kept on disk, and the
     * film reaches {@code xray.scans} once the broker is back — one scan, nothing pending left.
     */
    @Test
    void aCStoreWhileKafkaIsDownIsKeptAndAdmittedWhenKafkaIsBack() throws Exception {
        try (io.xraydrift.stack.EmbeddedStack stack = io.xraydrift.stack.EmbeddedStack.start()) {
            KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(IngestIT.env(stack))), "it-setup");
            int port = FreePorts.pick();
            Path film = withMarker(RealCxr.formats().resolve("rsna-cr-chest-pa-monochrome2.dcm"), "outage");
            String pseudonym = new Pseudonyms(IngestIT.KEY).patient(MARKER);
            Map<String, String> env = env(stack, port, "dicom-it-outage");
            // The writer gives a record up after 4 s instead of 25 s: the film is kept pending sooner.
            env.put("XRAY_KAFKA_CLIENT_REQUEST_TIMEOUT_MS", "2000");
            env.put("XRAY_KAFKA_CLIENT_DELIVERY_TIMEOUT_MS", "4000");
            env.put("XRAY_KAFKA_CLIENT_MAX_BLOCK_MS", "2000");
            try (IngestService ingest = new IngestService(IngestConfig.from(Settings.of(env)))) {
                ingest.start();
                stack.kafka().pause();
                Run r;
                try {
                    r = storescu(port, film);
                    Path pending = dir.resolve("state-dicom-it-outage").resolve(DicomIn.PENDING);
                    try (var kept = Files.list(pending)) {
                        assertEquals(1, kept.filter(f -> f.toString().endsWith(".dcm")).count(),
                                "the film waits on disk while Kafka is away");
                    }
                } finally {
                    stack.kafka().resume();
                }
                assertEquals(0, r.rc(), "answered once kept: " + r.out());
                List<ScanReceived> scans = IngestIT.await(stack, Topics.SCANS, s -> s.getPatient().equals(pseudonym), 1);
                assertEquals(1, scans.size(), "the film arrives once Kafka is back");
                Path pending = dir.resolve("state-dicom-it-outage").resolve(DicomIn.PENDING);
                Waiting.until("the pending folder empties", () -> {
                    try (var kept = Files.list(pending)) {
                        return kept.noneMatch(f -> f.toString().endsWith(".dcm"));
                    }
                });
            }
        }
    }

    /** Polls a condition every 200 ms for up to 60 s. */
    private static final class Waiting {
        interface Check {
            boolean holds() throws Exception;
        }

        static void until(String what, Check c) throws Exception {
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            while (!c.holds()) {
                assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
                Thread.sleep(200);
            }
        }
    }

    /** A copy of a file with the marker as its PatientID and PatientName and a fresh SOP Instance UID. */
    private Path withMarker(Path src, String name) throws Exception {
        Path f = dir.resolve(name + ".dcm");
        Files.copy(src, f);
        check(run("dcmodify", "-nb", "-gin", "-m", "PatientID=" + MARKER, "-m", "PatientName=" + MARKER + "^X",
                f.toString()));
        return f;
    }

    private Path modified(Path src, String name, String... edits) throws Exception {
        Path f = dir.resolve(name + ".dcm");
        Files.copy(src, f);
        List<String> cmd = new ArrayList<>(List.of("dcmodify", "-nb", "-gin"));
        cmd.addAll(List.of(edits));
        cmd.add(f.toString());
        check(run(cmd.toArray(String[]::new)));
        return f;
    }

    private static HttpResponse<String> stow(int httpPort, List<byte[]> files) throws Exception {
        String boundary = "xray-drift-it-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] f : files) {
            body.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(f);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/studies"))
                .header("Authorization", "Bearer " + IngestIT.TOKEN)
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static <V extends org.apache.avro.specific.SpecificRecord> List<V> read(LocalStack stack, Topic<V> topic,
                                                                                  Predicate<V> keep) {
        List<V> out = new ArrayList<>();
        TopicReader.readAll(stack, topic.name(), new EventSerdes(stack.registryUrl()).valueDeserializer(topic), 0, v -> {
            if (keep.test(v)) {
                out.add(v);
            }
        });
        return out;
    }

    private record Run(int rc, String out) {
    }

    private static Run storescu(int port, Path file) throws Exception {
        return run("storescu", "-xy", "-aec", IngestConfig.DEFAULT_AE_TITLE, "127.0.0.1", String.valueOf(port),
                file.toString());
    }

    private static Run run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish");
        }
        return new Run(p.exitValue(), out);
    }

    private static void check(Run r) {
        assertEquals(0, r.rc(), r.out());
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void put(String url, String json) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
    }

    private static void post(String url, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
    }

    private static int[] pixels(ScanReceived s) throws Exception {
        byte[] b = new byte[s.getImage().remaining()];
        s.getImage().duplicate().get(b);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(b));
        return img.getRaster().getSamples(0, 0, img.getWidth(), img.getHeight(), 0, (int[]) null);
    }
}
