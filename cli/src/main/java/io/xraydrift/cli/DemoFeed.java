package io.xraydrift.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.xraydrift.events.Level;
import io.xraydrift.events.ScanIntake;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;

/**
 * The demo's hospital feeds: phantoms published as intake events (raw patient id, image bytes) on
 * the intake topic, or uploaded to ingest's {@code POST /scans} — the two ways in a hospital
 * integration uses. Only ingest sees the raw ids.
 */
final class DemoFeed implements AutoCloseable {

    private final KafkaProducer<String, ScanIntake> producer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final PhantomRenderer renderer = new PhantomRenderer(512);
    private final String uploadUrl;
    private final String token;

    DemoFeed(KafkaSettings kafka, int ingestPort, String token) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties("demo-feed"));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 24 * 1024 * 1024);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        this.producer = new KafkaProducer<>(props, EventSerdes.keys().serializer(),
                new EventSerdes(kafka.registryApiUrl()).valueSerializer(Topics.INTAKE));
        this.uploadUrl = "http://127.0.0.1:" + ingestPort + "/scans";
        this.token = token;
    }

    /** PNGs of the items, rendered on all cores. */
    byte[][] render(List<PhantomSet.Item> items) {
        byte[][] pngs = new byte[items.size()][];
        IntStream.range(0, items.size()).parallel().forEach(i -> pngs[i] = PhantomSet.render(renderer, items.get(i)).toPng());
        return pngs;
    }

    /** Publishes to the intake topic; {@code label} for reference-cohort scans. */
    void publish(PhantomSet.Item item, byte[] png, Level label) {
        ScanIntake event = ScanIntake.newBuilder()
                .setPatientId(item.patient())
                .setAcquiredAt(item.acquiredAt())
                .setSource(label == null ? "demo-ward-feed" : "demo-reference-cohort")
                .setView(item.portable() ? ViewPosition.AP : ViewPosition.PA)
                .setModality("CR")
                .setImageFormat("image/png")
                .setImage(ByteBuffer.wrap(png))
                .setReferenceLabel(label)
                .setAttributes(item.trajectory().isEmpty() ? Map.of() : Map.of("demo_trajectory", item.trajectory()))
                .build();
        producer.send(new ProducerRecord<>(Topics.INTAKE.name(), item.patient(), event));
    }

    void flush() {
        producer.flush();
    }

    /** Uploads over HTTP; returns the status and body. */
    HttpResponse<String> upload(PhantomSet.Item item, byte[] png) throws IOException, InterruptedException {
        String meta = String.format(java.util.Locale.ROOT, "{\"patientId\":\"%s\",\"acquiredAt\":\"%s\",\"view\":\"%s\","
                + "\"source\":\"demo-http-feed\",\"attributes\":{\"demo_trajectory\":\"%s\"}}", item.patient(),
                item.acquiredAt(), item.portable() ? "AP" : "PA", item.trajectory());
        return http.send(multipart(meta, png), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest multipart(String metadata, byte[] png) {
        String boundary = "xray-drift-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream(png.length + 1024);
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + metadata + "\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"scan.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(png);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(URI.create(uploadUrl)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
