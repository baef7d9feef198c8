package io.xraydrift.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xraydrift.drift.topology.Trajectories;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.Level;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.events.ScanThumbnail;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.http.BearerToken;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.Await;
import io.xraydrift.testing.Chromium;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.ServiceEnv;
import io.xraydrift.testing.TopicReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The drift monitor as a Kafka Streams application on the real local stack. */
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DriftMonitorIT {

    private static final String TOKEN = "it-token-0123456789abcdefghij";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Map<String, double[]> SERIES = new LinkedHashMap<>();

    static {
        SERIES.put("worsening", new double[] {0.02, 0.04, 0.25, 0.31, 0.58, 0.66, 0.81});
        SERIES.put("stable", new double[] {0.03, 0.05, 0.02, 0.06, 0.04, 0.01, 0.05});
        SERIES.put("improving", new double[] {0.8, 0.6, 0.42, 0.3, 0.12, 0.04, 0.02});
        SERIES.put("fluctuating", new double[] {0.05, 0.19, 0.09, 0.2, 0.04, 0.22, 0.28});
    }

    @TempDir
    static Path dir;

    @BeforeAll
    static void topics(LocalStack stack) {
        KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(env(stack, "setup", "x"))), "it-setup");
    }

    @Test
    @Order(1)
    void alertsTrajectoriesDeadLettersAndThePatientPage(LocalStack stack) throws Exception {
        EventSerdes serdes = serdes(stack);
        List<ScanNeighbours> scans = patients("a-", 1);
        try (DriftMonitorService service = start(stack, "it-a", "xray-drift-it-a")) {
            thumbnails(stack, scans);
            produceRaw(stack, "a-poison", new byte[] {0, 0, 0, 0, 1, 42});
            produce(stack, scans);
            Map<String, DriftAlert> alerts = awaitAlerts(
                    stack, id -> id.startsWith("a-"), expected(scans).size());
            assertEquals(expected(scans), new ArrayList<>(new TreeMap<>(alerts).keySet()));
            DriftAlert severe = alerts.get("a-worsening-0:1:level_escalation:severe");
            assertEquals("a-worsening-0-s5", severe.getScanId());
            assertEquals(SyntheticScans.K, severe.getEvidence().size());
            List<DeadLetter> dead = deadLetters(stack, d -> d.getReason().contains("(6 bytes)"));
            assertEquals(1, dead.size(), "the poison record was dead-lettered once: " + dead);

            int port = service.httpPort();
            JsonNode t = get(port, "/patients/a-worsening-0/trajectory");
            assertEquals(7, t.get("points").size());
            assertTrue(
                    t.get("points").get(0).get("axisPosition").isNumber(),
                    t.get("points").toString());
            assertEquals("SEVERE", t.get("level").asText());
            List<String> mine = expected(scans).stream()
                    .filter(id -> id.startsWith("a-worsening-0:"))
                    .toList();
            assertTrue(
                    mine.stream().anyMatch(id -> id.contains(":baseline_rise:")),
                    "the default rule raises a rise from the baseline before the level confirms: " + mine);
            assertEquals(mine.size(), t.get("alerts").size());
            long alertedScans = alerts.values().stream()
                    .filter(a -> a.getAlertId().startsWith("a-worsening-0:"))
                    .map(DriftAlert::getScanId)
                    .distinct()
                    .count();
            JsonNode all = get(port, "/alerts?since=2000-01-01T00:00:00Z");
            assertTrue(all.size() >= expected(scans).size(), all.toString());
            // One gate in front of every API route: none answers without the token.
            for (String path : List.of(
                    "/",
                    "/alerts",
                    "/patients/a-worsening-0",
                    "/patients/a-worsening-0/trajectory",
                    "/thumbnails/ref-severe-0")) {
                assertEquals(
                        401,
                        HTTP.send(
                                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode(),
                        path);
            }
            assertEquals(404, status(port, "/patients/nobody/trajectory"));
            assertEquals(200, status(port, "/thumbnails/ref-severe-0"));

            Path shot = Path.of("target", "screenshots", "patient-page.png");
            String dom = Chromium.render(
                    "http://127.0.0.1:" + port + "/patients/a-worsening-0?scan=a-worsening-0-s5&token=" + TOKEN,
                    dir.resolve("chromium"),
                    shot);
            assertEquals(7, Chromium.count(dom, "class=\"point\""), "one point per scan");
            assertEquals(alertedScans, Chromium.count(dom, "class=\"alert-marker\""), "one marker per alerted scan");
            assertEquals(36, Chromium.count(dom, "<figure class=\"cell "), "6x6 neighbour grid");
            System.out.println("patient page screenshot: " + shot.toAbsolutePath());
            browserSignIn(port);
        }
    }

    /** The web view's sign-in: the token goes in once, a session cookie carries the browser on. */
    private static void browserSignIn(int port) throws Exception {
        String base = "http://127.0.0.1:" + port;
        HttpResponse<String> page = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/patients/a-worsening-0"))
                        .header("Accept", "text/html")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(303, page.statusCode(), "a browser without a session is sent to sign in");
        assertEquals(
                "/login?next=%2Fpatients%2Fa-worsening-0",
                page.headers().firstValue("Location").orElse(""));

        HttpResponse<String> wrong = signIn(base, "not-the-token-4711", "/patients/a-worsening-0");
        assertEquals(401, wrong.statusCode());
        assertTrue(!wrong.body().contains("not-the-token-4711"), "the presented token is never echoed");
        assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty());

        HttpResponse<String> ok = signIn(base, TOKEN, "/patients/a-worsening-0");
        assertEquals(303, ok.statusCode());
        assertEquals(
                "/patients/a-worsening-0", ok.headers().firstValue("Location").orElse(""));
        String setCookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.startsWith(BearerToken.COOKIE + "="), setCookie);
        assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"), setCookie);
        assertTrue(!setCookie.contains(TOKEN), "the cookie is not the token: " + setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        HttpResponse<String> signedIn = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/patients/a-worsening-0"))
                        .header("Accept", "text/html")
                        .header("Cookie", cookie)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, signedIn.statusCode());
        assertEquals(7, Chromium.count(signedIn.body(), "class=\"point\""));
        assertTrue(
                signedIn.body().contains("<path id=\"grade-axis\""),
                "the position on the grade axis is plotted beside the score");
        assertTrue(!signedIn.body().contains("token="), "no link on the page carries the token");
        assertEquals(
                200,
                HTTP.send(
                                HttpRequest.newBuilder(URI.create(base + "/thumbnails/ref-severe-0"))
                                        .header("Cookie", cookie)
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode());

        String forged = cookie.substring(0, cookie.length() - 2) + (cookie.endsWith("AA") ? "BB" : "AA");
        assertEquals(
                401,
                HTTP.send(
                                HttpRequest.newBuilder(URI.create(base + "/alerts"))
                                        .header("Cookie", forged)
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode(),
                "a forged session is refused");
        assertEquals(
                "/",
                signIn(base, TOKEN, "//evil.example/x")
                        .headers()
                        .firstValue("Location")
                        .orElse(""),
                "never an open redirect");

        HttpResponse<String> link = HTTP.send(
                HttpRequest.newBuilder(
                                URI.create(base + "/patients/a-worsening-0?scan=a-worsening-0-s5&token=" + TOKEN))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(303, link.statusCode(), "a ?token= link signs in once and drops the token from the address");
        assertEquals(
                "/patients/a-worsening-0?scan=a-worsening-0-s5",
                link.headers().firstValue("Location").orElse(""));
        assertTrue(link.headers().firstValue("Set-Cookie").orElse("").startsWith(BearerToken.COOKIE + "="));
    }

    private static HttpResponse<String> signIn(String base, String token, String next) throws Exception {
        String form = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&next="
                + URLEncoder.encode(next, StandardCharsets.UTF_8);
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(2)
    void aRestartMidStreamGivesTheAlertsOfAnUndisturbedRun(LocalStack stack) throws Exception {
        List<ScanNeighbours> scans = patients("r-", 6);
        List<String> expected = expected(scans);
        Path state = dir.resolve("restart-state");
        int half = scans.size() / 2;
        try (DriftMonitorService first = start(stack, "it-r1", "xray-drift-it-r", state)) {
            produce(stack, scans.subList(0, half));
            readAll(stack, Topics.ALERTS, a -> a.getAlertId().startsWith("r-"), 1, false);
            produce(stack, scans.subList(half, scans.size()));
            // Stopped as soon as the first alert is out, with most of the stream still unprocessed.
        }
        try (DriftMonitorService second = start(stack, "it-r2", "xray-drift-it-r", state)) {
            Map<String, DriftAlert> alerts = awaitAlerts(stack, id -> id.startsWith("r-"), expected.size());
            assertEquals(expected, new ArrayList<>(new TreeMap<>(alerts).keySet()));
        }
        Map<String, Integer> counts = alertCounts(stack, id -> id.startsWith("r-"), expected.size());
        counts.forEach((id, n) -> assertEquals(1, n, id + " emitted " + n + " times"));
        assertEquals(expected.size(), counts.size());
    }

    @Test
    @Order(3)
    void twoInstancesShareThePatientsAndRouteQueries(LocalStack stack) throws Exception {
        List<ScanNeighbours> scans = patients("q-", 4);
        try (DriftMonitorService one = start(stack, "it-q1", "xray-drift-it-q");
                DriftMonitorService two = start(stack, "it-q2", "xray-drift-it-q")) {
            produce(stack, scans);
            awaitAlerts(stack, id -> id.startsWith("q-"), expected(scans).size());
            for (String patient :
                    scans.stream().map(ScanNeighbours::getPatient).distinct().toList()) {
                Await.until(patient + "'s 7 points answered the same by both instances", Duration.ofSeconds(60), () -> {
                    JsonNode a = getOrNull(one.httpPort(), "/patients/" + patient + "/trajectory");
                    JsonNode b = getOrNull(two.httpPort(), "/patients/" + patient + "/trajectory");
                    return a != null
                            && b != null
                            && a.equals(b)
                            && a.get("points").size() == 7;
                });
            }
            // A browser signed in at one instance sees every patient's page there, proxied or not.
            String setCookie = signIn("http://127.0.0.1:" + one.httpPort(), TOKEN, "/")
                    .headers()
                    .firstValue("Set-Cookie")
                    .orElseThrow();
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            Set<String> servedBy = new HashSet<>();
            for (String patient :
                    scans.stream().map(ScanNeighbours::getPatient).distinct().toList()) {
                HttpResponse<String> page = HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + one.httpPort() + "/patients/" + patient))
                                .header("Cookie", cookie)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, page.statusCode(), patient + ": " + page.body());
                assertEquals(7, Chromium.count(page.body(), "class=\"point\""), patient);
                servedBy.add(page.headers().firstValue("X-Xray-Served-By").orElse("itself"));
            }
            assertEquals(
                    2, servedBy.size(), "some pages proxied to the other instance, some served locally: " + servedBy);
            String list = HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + one.httpPort() + "/"))
                                    .header("Cookie", cookie)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            List<String> alerted = scans.stream()
                    .map(ScanNeighbours::getPatient)
                    .distinct()
                    .filter(p -> expected(scans).stream().anyMatch(id -> id.startsWith(p + ":")))
                    .toList();
            assertTrue(alerted.size() > 4, alerted.toString());
            for (String patient : alerted) {
                assertTrue(
                        list.contains("href=\"/patients/" + patient + "\""),
                        "the alert list gathers every instance's alerts: " + patient);
            }
            JsonNode fromOne = get(one.httpPort(), "/alerts");
            long q = 0;
            for (JsonNode a : fromOne) {
                q += a.get("alertId").asText().startsWith("q-") ? 1 : 0;
            }
            assertEquals(expected(scans).size(), q, "alerts gathered from both instances");
        }
    }

    // ---- helpers

    private static List<ScanNeighbours> patients(String prefix, int each) {
        List<ScanNeighbours> out = new ArrayList<>();
        for (int p = 0; p < each; p++) {
            for (Map.Entry<String, double[]> e : SERIES.entrySet()) {
                String patient = prefix + e.getKey() + "-" + p;
                for (int i = 0; i < e.getValue().length; i++) {
                    out.add(SyntheticScans.scan(patient, i, e.getValue()[i]));
                }
            }
        }
        return out;
    }

    /** The alert ids the rule gives for these scans (sorted): what an undisturbed run emits. */
    private static List<String> expected(List<ScanNeighbours> scans) {
        return Trajectories.alertIds(DriftMonitorConfig.ruleFrom(Settings.of(Map.of())), scans);
    }

    private static DriftMonitorService start(LocalStack stack, String instance, String app) {
        return start(stack, instance, app, dir.resolve(instance));
    }

    private static DriftMonitorService start(LocalStack stack, String instance, String app, Path state) {
        Map<String, String> env = env(stack, instance, app);
        env.put("XRAY_DRIFT_STATE_DIR", state.toString());
        DriftMonitorService s = new DriftMonitorService(DriftMonitorConfig.from(Settings.of(env)));
        s.start();
        return s;
    }

    private static Map<String, String> env(LocalStack stack, String instance, String app) {
        Map<String, String> env = ServiceEnv.onStack(stack, instance);
        env.put("XRAY_DRIFT_APPLICATION_ID", app);
        env.put("XRAY_API_TOKEN", TOKEN);
        env.put("XRAY_DRIFT_PEER_TOKEN", "peer-token-0123456789abcdefghij");
        return env;
    }

    private static EventSerdes serdes(LocalStack stack) {
        return new EventSerdes(stack.registryUrl());
    }

    private static void produce(LocalStack stack, List<ScanNeighbours> scans) {
        try (KafkaProducer<String, ScanNeighbours> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", stack.bootstrapServers()),
                new StringSerializer(),
                serdes(stack).valueSerializer(Topics.NEIGHBOURS))) {
            for (ScanNeighbours n : scans) {
                p.send(new ProducerRecord<>(Topics.NEIGHBOURS.name(), n.getPatient(), n));
            }
        }
    }

    private static void produceRaw(LocalStack stack, String key, byte[] value) {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", stack.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(Topics.NEIGHBOURS.name(), key, value));
        }
    }

    /** A thumbnail for every scan and every neighbour: a gray square whose brightness follows the label. */
    private static void thumbnails(LocalStack stack, List<ScanNeighbours> scans) throws Exception {
        Map<String, Level> ids = new LinkedHashMap<>();
        for (ScanNeighbours n : scans) {
            ids.put(n.getScanId(), null);
            n.getNeighbours().forEach(x -> ids.put(x.getScanId(), x.getLabel()));
        }
        try (KafkaProducer<String, ScanThumbnail> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", stack.bootstrapServers()),
                new StringSerializer(),
                serdes(stack).valueSerializer(Topics.THUMBNAILS))) {
            for (Map.Entry<String, Level> e : ids.entrySet()) {
                BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_BYTE_GRAY);
                int gray = e.getValue() == null ? 128 : 60 + 60 * e.getValue().ordinal();
                for (int y = 0; y < 48; y++) {
                    for (int x = 0; x < 48; x++) {
                        img.getRaster().setSample(x, y, 0, (gray + x + y) & 0xff);
                    }
                }
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(img, "png", png);
                p.send(new ProducerRecord<>(
                        Topics.THUMBNAILS.name(),
                        e.getKey(),
                        new ScanThumbnail(e.getKey(), ByteBuffer.wrap(png.toByteArray()), 48, 48, e.getValue())));
            }
        }
    }

    private static <V extends SpecificRecord> List<V> readAll(
            LocalStack stack, Topic<V> topic, Predicate<V> keep, int atLeast) {
        return readAll(stack, topic, keep, atLeast, true);
    }

    /** Values of a topic (read_committed) until {@code atLeast} match; with {@code settle}, read 2 s more. */
    private static <V extends SpecificRecord> List<V> readAll(
            LocalStack stack, Topic<V> topic, Predicate<V> keep, int atLeast, boolean settle) {
        return TopicReader.await(
                stack,
                topic.name(),
                serdes(stack).valueDeserializer(topic),
                keep,
                atLeast,
                settle ? Duration.ofSeconds(2) : Duration.ZERO,
                Duration.ofSeconds(90));
    }

    private static Map<String, DriftAlert> awaitAlerts(LocalStack stack, Predicate<String> ids, int n) {
        Map<String, DriftAlert> out = new LinkedHashMap<>();
        readAll(stack, Topics.ALERTS, a -> ids.test(a.getAlertId()), n).forEach(a -> out.put(a.getAlertId(), a));
        return out;
    }

    /** How often each alert id is on the topic: read until {@code n} are there, then 2 s more for duplicates. */
    private static Map<String, Integer> alertCounts(LocalStack stack, Predicate<String> ids, int n) {
        Map<String, Integer> out = new TreeMap<>();
        readAll(stack, Topics.ALERTS, a -> ids.test(a.getAlertId()), n)
                .forEach(a -> out.merge(a.getAlertId(), 1, Integer::sum));
        return out;
    }

    private static List<DeadLetter> deadLetters(LocalStack stack, Predicate<DeadLetter> keep) {
        return readAll(stack, Topics.DEAD_LETTER, keep, 1);
    }

    private static JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(request(port, path), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode getOrNull(int port, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(request(port, path), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    private static int status(int port, String path) throws Exception {
        return HTTP.send(request(port, path), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(30))
                .build();
    }
}
