package io.xraydrift.ingest.service;

import io.xraydrift.events.AuditEvent;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.ScanThumbnail;
import io.xraydrift.events.SealedIdentifiers;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Ingestor;
import io.xraydrift.platform.http.Metrics;
import io.xraydrift.platform.kafka.DeadLetters;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes what the HTTP and DICOMweb ways in accept (scan + thumbnail) or refuse (dead letter),
 * and the pseudonym lookups' audit records, with an idempotent producer, and returns once the
 * broker has acknowledged: a 202 means the
 * scan is in Kafka.
 */
final class ScanWriter implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final Serializer<ScanReceived> scans;
    private final Serializer<ScanThumbnail> thumbnails;
    private final Serializer<DeadLetter> deadLetters;
    private final Serializer<AuditEvent> audits;
    private final Serializer<SealedIdentifiers> identifiers;

    ScanWriter(IngestConfig config, EventSerdes serdes, Metrics metrics) {
        Map<String, Object> p = new HashMap<>(
                config.common().kafka().clientProperties(config.common().clientId("writer")));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 24 * 1024 * 1024);
        // A record Kafka has not taken within the 30 s a caller waits is given up by the producer
        // too, so it is not delivered later behind a retry (a C-STORE kept pending, an upload sent
        // again). XRAY_KAFKA_CLIENT_* may shorten these (keep delivery.timeout.ms under 30 s).
        p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 25_000);
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.scans = serdes.valueSerializer(Topics.SCANS);
        this.thumbnails = serdes.valueSerializer(Topics.THUMBNAILS);
        this.deadLetters = serdes.valueSerializer(Topics.DEAD_LETTER);
        this.audits = serdes.valueSerializer(Topics.AUDIT);
        this.identifiers = serdes.valueSerializer(Topics.REIDENTIFICATION);
        metrics.bind(producer);
    }

    void write(Ingestor.Accepted a) {
        Future<RecordMetadata> scan = producer.send(new ProducerRecord<>(
                Topics.SCANS.name(), a.scan().getPatient(), scans.serialize(Topics.SCANS.name(), a.scan())));
        Future<RecordMetadata> thumb = producer.send(new ProducerRecord<>(
                Topics.THUMBNAILS.name(),
                a.thumbnail().getScanId(),
                thumbnails.serialize(Topics.THUMBNAILS.name(), a.thumbnail())));
        Future<RecordMetadata> sealed = a.sealed() == null
                ? null
                : producer.send(new ProducerRecord<>(
                        Topics.REIDENTIFICATION.name(),
                        a.sealed().getScanId(),
                        identifiers.serialize(Topics.REIDENTIFICATION.name(), a.sealed())));
        await(scan, "scan " + a.scan().getScanId());
        await(thumb, "thumbnail of " + a.scan().getScanId());
        if (sealed != null) {
            await(sealed, "sealed identifiers of " + a.scan().getScanId());
        }
    }

    /**
     * Writes an audit record; waits for the broker unless told not to (an unauthorised caller must
     * not be able to hold a thread while Kafka is slow).
     */
    void audit(String key, AuditEvent e, boolean await) {
        Future<RecordMetadata> sent =
                producer.send(new ProducerRecord<>(Topics.AUDIT.name(), key, audits.serialize(Topics.AUDIT.name(), e)));
        if (await) {
            await(sent, "audit record");
        }
    }

    void deadLetter(DeadLetter d) {
        await(producer.send(DeadLetters.record(d, deadLetters)), "dead letter");
    }

    private static void await(Future<RecordMetadata> f, String what) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted writing " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not take the " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
