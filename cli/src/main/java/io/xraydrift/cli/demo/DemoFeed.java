package io.xraydrift.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xraydrift.cli.ops.ScanUpload;
import io.xraydrift.events.Level;
import io.xraydrift.events.ScanIntake;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The demo's hospital feeds: phantoms published as intake events (raw patient id, image bytes) on
 * the intake topic, or uploaded to ingest's {@code POST /scans} — the two ways in a hospital
 * integration uses. Only ingest sees the raw ids.
 */
public final class DemoFeed implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaProducer<String, ScanIntake> producer;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final PhantomRenderer renderer = new PhantomRenderer(512);
    private final String uploadUrl;
    private final String token;

    public DemoFeed(KafkaSettings kafka, int ingestPort, String token) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties("demo-feed"));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 24 * 1024 * 1024);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        this.producer = new KafkaProducer<>(
                props, EventSerdes.keys().serializer(), kafka.serdes().valueSerializer(Topics.INTAKE));
        this.uploadUrl = "http://127.0.0.1:" + ingestPort + "/scans";
        this.token = token;
    }

    /** PNGs of the items, rendered on all cores. */
    public byte[][] render(List<PhantomSet.Item> items) {
        byte[][] pngs = new byte[items.size()][];
        IntStream.range(0, items.size())
                .parallel()
                .forEach(
                        i -> pngs[i] = PhantomSet.render(renderer, items.get(i)).toPng());
        return pngs;
    }

    /** Publishes a rendered phantom to the intake topic; {@code label} for reference-cohort scans. */
    public void publish(PhantomSet.Item item, byte[] png, Level label) {
        publish(
                new DemoScan(item.patient(), item.acquiredAt(), item.portable(), item.trajectory(), png, "image/png"),
                label);
    }

    public void flush() {
        producer.flush();
    }

    /** Publishes a patient's scan to the intake topic. */
    public void publish(DemoScan scan) {
        publish(scan, null);
    }

    /** Publishes to the intake topic; {@code label} for reference-cohort scans. */
    private void publish(DemoScan scan, Level label) {
        ScanIntake event = ScanIntake.newBuilder()
                .setPatientId(scan.patient())
                .setAcquiredAt(scan.acquiredAt())
                .setSource(label == null ? "demo-ward-feed" : "demo-reference-cohort")
                .setView(scan.portable() ? ViewPosition.AP : ViewPosition.PA)
                .setModality("CR")
                .setImageFormat(scan.contentType())
                .setImage(ByteBuffer.wrap(scan.image()))
                .setReferenceLabel(label)
                .setAttributes(scan.trajectory().isEmpty() ? Map.of() : Map.of("demo_trajectory", scan.trajectory()))
                .build();
        producer.send(new ProducerRecord<>(Topics.INTAKE.name(), scan.patient(), event));
    }

    /** Uploads a patient's scan over HTTP; returns the status and body. */
    public HttpResponse<String> upload(DemoScan scan) throws IOException, InterruptedException {
        ObjectNode meta = JSON.createObjectNode()
                .put("patientId", scan.patient())
                .put("acquiredAt", scan.acquiredAt().toString())
                .put("view", scan.view())
                .put("source", "demo-http-feed");
        meta.putObject("attributes").put("demo_trajectory", scan.trajectory());
        return http.send(
                ScanUpload.request(uploadUrl, token, meta.toString(), scan.image(), scan.contentType()),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
